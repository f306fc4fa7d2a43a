"""Checking an access token presented to an operation: signature, issuer, expiry, use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from userpool.domain.errors import NotAuthorizedException
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
        kid = str(jwt.get_unverified_header(token).get("kid"))
    except jwt.PyJWTError as error:
        raise NotAuthorizedException(INVALID) from error
    pool_id = keys.pool_of_kid(kid)
    pool_keys = keys.for_pool(pool_id) if pool_id else None
    public = pool_keys.public.get(kid) if pool_keys else None
    if pool_id is None or public is None:
        raise NotAuthorizedException(INVALID)
    try:
        claims = jwt.decode(
            token,
            public,
            algorithms=["RS256"],
            issuer=issuer_for(pool_id),
            options={"verify_exp": False, "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise NotAuthorizedException(INVALID) from error
    if claims.get("token_use") != "access":
        raise NotAuthorizedException(INVALID)
    if int(claims.get("exp", 0)) <= now:
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
