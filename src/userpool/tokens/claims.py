"""The claims Cognito puts in ID and access tokens. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    scopes: tuple[str, ...] | None = None  # OAuth scopes (managed login); None: the API's
    nonce: str | None = None  # OpenID nonce of the authorization request, for the ID token


# Claims a PreTokenGeneration function cannot add, change or suppress: the token's own
# bookkeeping and identity (a change to one of these is ignored). Groups change only through
# its group override, the access token's scope only through its scopes.
RESERVED_ID = frozenset(
    {"acr", "amr", "aud", "auth_time", "azp", "exp", "iat", "identities", "iss", "jti", "nonce"}
    | {"at_hash", "sub", "token_use", "cognito:username", "origin_jti", "event_id"}
    | {"cognito:groups"}
)
RESERVED_ACCESS = frozenset(
    {"acr", "amr", "aud", "auth_time", "azp", "client_id", "exp", "iat", "identities", "iss"}
    | {"jti", "nbf", "origin_jti", "sub", "token_use", "username", "scope", "device_key"}
    | {"event_id", "version", "cognito:groups"}
)


@dataclass(frozen=True)
class Overrides:
    """What a PreTokenGeneration function asked for (auth/hooks.py reads its answer)."""

    id_claims: Mapping[str, Any] = field(default_factory=dict)
    id_suppressed: frozenset[str] = frozenset()
    access_claims: Mapping[str, Any] = field(default_factory=dict)
    access_suppressed: frozenset[str] = frozenset()
    scopes_added: tuple[str, ...] = ()
    scopes_suppressed: frozenset[str] = frozenset()
    groups: tuple[str, ...] | None = None  # replaces the user's groups in both tokens


NO_OVERRIDES = Overrides()


def _overridden(
    claims: dict[str, Any],
    add: Mapping[str, Any],
    suppress: frozenset[str],
    reserved: frozenset[str],
) -> dict[str, Any]:
    for name in suppress - reserved:
        claims.pop(name, None)
    claims.update({name: value for name, value in add.items() if name not in reserved})
    return claims


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
    grant: Grant,
    read_attributes: list[str] | None,
    iat: int,
    exp: int,
    jti: str,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": grant.sub}
    groups = grant.groups if overrides.groups is None else list(overrides.groups)
    if groups:
        claims["cognito:groups"] = groups
    claims.update(readable(grant.attributes, read_attributes))
    claims.update(
        {
            "iss": grant.issuer,
            "cognito:username": grant.username,
            "origin_jti": grant.origin_jti,
            "aud": grant.client_id,
            "event_id": grant.event_id,
            "token_use": "id",
            **({"nonce": grant.nonce} if grant.nonce else {}),
            "auth_time": grant.auth_time,
            "exp": exp,
            "iat": iat,
            "jti": jti,
        }
    )
    return _overridden(claims, overrides.id_claims, overrides.id_suppressed, RESERVED_ID)


def access_claims(
    grant: Grant, iat: int, exp: int, jti: str, overrides: Overrides = NO_OVERRIDES
) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": grant.sub}
    groups = grant.groups if overrides.groups is None else list(overrides.groups)
    if groups:
        claims["cognito:groups"] = groups
    if grant.device_key:
        claims["device_key"] = grant.device_key
    claims.update(
        {
            "iss": grant.issuer,
            "client_id": grant.client_id,
            "origin_jti": grant.origin_jti,
            "event_id": grant.event_id,
            "token_use": "access",
            "scope": _scope(overrides, grant.scopes),
            "auth_time": grant.auth_time,
            "exp": exp,
            "iat": iat,
            "jti": jti,
            "username": grant.username,
        }
    )
    return _overridden(
        claims, overrides.access_claims, overrides.access_suppressed, RESERVED_ACCESS
    )


def client_credentials_claims(
    issuer: str,
    client_id: str,
    scopes: list[str],
    iat: int,
    exp: int,
    jti: str,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Any]:
    """A machine-to-machine access token (the client_credentials grant): it names the app
    client as its subject, carries the granted custom scopes (as a version 3 PreTokenGeneration
    function changed them), and no user."""
    kept = [*scopes, *overrides.scopes_added]
    granted = dict.fromkeys(scope for scope in kept if scope not in overrides.scopes_suppressed)
    claims = {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(granted),
        "auth_time": iat,
        "iss": issuer,
        "exp": exp,
        "iat": iat,
        "version": 2,
        "jti": jti,
        "client_id": client_id,
    }
    return _overridden(
        claims, overrides.access_claims, overrides.access_suppressed, RESERVED_ACCESS
    )


def _scope(overrides: Overrides, granted: tuple[str, ...] | None = None) -> str:
    """The access token's scopes: the API's own, or the OAuth scopes granted, as the
    PreTokenGeneration function changed them."""
    scopes = [*(granted if granted is not None else (ACCESS_SCOPE,)), *overrides.scopes_added]
    kept = dict.fromkeys(scope for scope in scopes if scope not in overrides.scopes_suppressed)
    return " ".join(kept)
