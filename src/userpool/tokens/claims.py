"""The claims Cognito puts in ID and access tokens. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCESS_SCOPE = "aws.cognito.signin.user.admin"
BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})


@dataclass(frozen=True)
class Grant:
    """Who a token set is for and the sign-in it came from."""

    issuer: str
    client_id: str
    sub: str
    username: str
    attributes: dict[str, str]
    groups: list[str]
    auth_time: int
    origin_jti: str
    event_id: str
    device_key: str | None = None


def _typed(name: str, value: str) -> Any:
    if name in BOOLEAN_ATTRIBUTES:
        return value.lower() == "true"
    if name == "updated_at" and value.isdigit():
        return int(value)
    if name == "address":
        return {"formatted": value}
    return value


def readable(attributes: dict[str, str], read_attributes: list[str] | None) -> dict[str, Any]:
    """The user's attributes the client may read, typed as Cognito types them in tokens."""
    allowed = set(read_attributes) if read_attributes else None
    return {
        name: _typed(name, value)
        for name, value in attributes.items()
        if name != "sub" and (allowed is None or name in allowed)
    }


def id_claims(
    grant: Grant, read_attributes: list[str] | None, iat: int, exp: int, jti: str
) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": grant.sub}
    if grant.groups:
        claims["cognito:groups"] = grant.groups
    claims.update(readable(grant.attributes, read_attributes))
    claims.update(
        {
            "iss": grant.issuer,
            "cognito:username": grant.username,
            "origin_jti": grant.origin_jti,
            "aud": grant.client_id,
            "event_id": grant.event_id,
            "token_use": "id",
            "auth_time": grant.auth_time,
            "exp": exp,
            "iat": iat,
            "jti": jti,
        }
    )
    return claims


def access_claims(grant: Grant, iat: int, exp: int, jti: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": grant.sub}
    if grant.groups:
        claims["cognito:groups"] = grant.groups
    if grant.device_key:
        claims["device_key"] = grant.device_key
    claims.update(
        {
            "iss": grant.issuer,
            "client_id": grant.client_id,
            "origin_jti": grant.origin_jti,
            "event_id": grant.event_id,
            "token_use": "access",
            "scope": ACCESS_SCOPE,
            "auth_time": grant.auth_time,
            "exp": exp,
            "iat": iat,
            "jti": jti,
            "username": grant.username,
        }
    )
    return claims
