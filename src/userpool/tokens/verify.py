"""Checking an access token presented to an operation: signature, issuer, expiry, use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from userpool.domain.errors import NotAuthorizedException
from userpool.tokens import jws
from userpool.tokens.keys import KeyRing

INVALID = "Invalid Access Token"


@dataclass(frozen=True)
class AccessToken:
    pool_id: str
    sub: str
    username: str
    client_id: str
    origin_jti: str
    iat: int
    claims: dict[str, Any]


def verify_access_token(
    token: str, keys: KeyRing, issuer_for: Callable[[str], str], now: float
) -> AccessToken:
    """Signature, issuer and `token_use`; raise NotAuthorizedException as Cognito does."""
    try:
        parsed = jws.ParsedToken(token)
    except jws.MalformedToken as error:
        raise NotAuthorizedException(INVALID) from error
    kid = parsed.kid
    pool_id = keys.pool_of_kid(kid) if kid else None
    public = keys.public_key(pool_id, kid) if pool_id and kid else None
    if pool_id is None or public is None or not parsed.signed_by(public):
        raise NotAuthorizedException(INVALID)
    claims = parsed.claims
    if claims.get("iss") != issuer_for(pool_id) or not _is_number(claims.get("iat")):
        raise NotAuthorizedException(INVALID)
    if claims.get("token_use") != "access":
        raise NotAuthorizedException(INVALID)
    exp = claims.get("exp")
    if not _is_number(exp) or exp <= now:
        raise NotAuthorizedException("Access Token has expired")
    return AccessToken(
        pool_id=pool_id,
        sub=claims["sub"],
        username=claims["username"],
        client_id=claims["client_id"],
        origin_jti=claims["origin_jti"],
        iat=int(claims["iat"]),
        claims=claims,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
