"""Cognito's rules for app clients: defaults, auth flows, token validity, attribute permissions.

Pure functions over a client's settings (the rest of UserPoolClientType, in Cognito's own
names), shared by the client operations and the sign-in engine.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from userpool.domain.attributes import developer_only
from userpool.domain.errors import InvalidParameterException

JSONDict = dict[str, Any]

REFRESH_FLOW = "ALLOW_REFRESH_TOKEN_AUTH"
DEFAULT_FLOWS = frozenset({REFRESH_FLOW, "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"})
# What each legacy value (the names without `ALLOW_`) enables, in today's names.
LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
MIXED_FLOWS = (
    "Values with ALLOW_ prefix must be used only along with values including the ALLOW_ prefix."
)
# GetClientToken's flow: machine-to-machine access tokens for a client with a secret. The API
# reference: it "is mutually exclusive with user authentication flows. It must be the only
# authentication flow that you configure for the app client". In what words Cognito refuses a
# list that has it with others is not documented: this message is ours.
CLIENT_TOKEN_FLOW = "ALLOW_CLIENT_TOKEN_AUTH"
CLIENT_TOKEN_ALONE = (
    "ALLOW_CLIENT_TOKEN_AUTH cannot be combined with other authentication flows: it must be "
    "the only explicit authentication flow of the client."
)

# Settings every client has; a request that omits one gets (or, on update, goes back to) these.
DEFAULT_SETTINGS: JSONDict = {
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {},
    "AllowedOAuthFlowsUserPoolClient": False,
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}
# Settings that exist only when the request gave them (an empty list counts as not given).
OPTIONAL_SETTINGS = (
    "AccessTokenValidity",
    "IdTokenValidity",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "RefreshTokenRotation",
)

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
INVALID_VALIDITY = "Invalid range for token validity."
NOT_WRITABLE = frozenset({"sub", "email_verified", "phone_number_verified"})
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
SECRET_REQUIRED = (
    "EnablePropagateAdditionalUserContextData can only be enabled for a client with a secret."
)


class TokenKind(StrEnum):
    """A token type, named as in TokenValidityUnitsType."""

    ACCESS = "AccessToken"
    ID = "IdToken"
    REFRESH = "RefreshToken"


@dataclass(frozen=True)
class _Validity:
    setting: str
    default_unit: str
    default_seconds: int
    minimum: int
    maximum: int


_VALIDITY = {
    TokenKind.ACCESS: _Validity("AccessTokenValidity", "hours", 3600, 300, 86400),
    TokenKind.ID: _Validity("IdTokenValidity", "hours", 3600, 300, 86400),
    TokenKind.REFRESH: _Validity("RefreshTokenValidity", "days", 30 * 86400, 3600, 3650 * 86400),
}


def client_settings(request: JSONDict) -> JSONDict:
    """The stored settings for a Create/UpdateUserPoolClient request, checked, defaults filled."""
    settings = copy.deepcopy(DEFAULT_SETTINGS)
    for name in DEFAULT_SETTINGS:
        if request.get(name) is not None:
            settings[name] = copy.deepcopy(request[name])
    if settings["RefreshTokenValidity"] == 0:
        settings["RefreshTokenValidity"] = DEFAULT_SETTINGS["RefreshTokenValidity"]
    for name in OPTIONAL_SETTINGS:
        if request.get(name) not in (None, []):
            settings[name] = copy.deepcopy(request[name])
    check_auth_flows(settings.get("ExplicitAuthFlows", []))
    for kind in TokenKind:
        _check_validity(settings, kind)
    return settings


def check_auth_flows(flows: Iterable[str]) -> None:
    """Legacy and ALLOW_ values do not mix, and ALLOW_ lists must allow refreshing; but
    ALLOW_CLIENT_TOKEN_AUTH stands alone (a machine's client signs no user in, so has
    nothing to refresh)."""
    given = set(flows)
    if CLIENT_TOKEN_FLOW in given:
        if len(given) > 1:
            raise InvalidParameterException(CLIENT_TOKEN_ALONE)
        return
    allow = {flow for flow in given if flow.startswith("ALLOW_")}
    if allow and allow != given:
        raise InvalidParameterException(MIXED_FLOWS)
    if allow and REFRESH_FLOW not in allow:
        raise InvalidParameterException("REFRESH_TOKEN_AUTH should always be allowed.")


def allowed_flows(settings: JSONDict) -> frozenset[str]:
    """The ALLOW_ flows a client accepts; legacy lists are translated to today's names."""
    flows = set(settings.get("ExplicitAuthFlows") or [])
    if not flows:
        return DEFAULT_FLOWS
    if any(flow.startswith("ALLOW_") for flow in flows):
        return frozenset(flows)
    allowed = {REFRESH_FLOW, "ALLOW_CUSTOM_AUTH"} | {LEGACY_FLOWS[flow] for flow in flows}
    if "CUSTOM_AUTH_FLOW_ONLY" not in flows:
        allowed.add("ALLOW_USER_SRP_AUTH")
    return frozenset(allowed)


def issues_client_tokens(settings: JSONDict) -> bool:
    """Whether GetClientToken may issue this client machine tokens (its secret aside)."""
    return CLIENT_TOKEN_FLOW in (settings.get("ExplicitAuthFlows") or [])


def _unit(settings: JSONDict, kind: TokenKind) -> str:
    units = settings.get("TokenValidityUnits") or {}
    return str(units.get(kind.value) or _VALIDITY[kind].default_unit)


def _configured_seconds(settings: JSONDict, kind: TokenKind) -> int | None:
    value = settings.get(_VALIDITY[kind].setting)
    return None if value is None else int(value) * UNIT_SECONDS[_unit(settings, kind)]


def _check_validity(settings: JSONDict, kind: TokenKind) -> None:
    seconds = _configured_seconds(settings, kind)
    rule = _VALIDITY[kind]
    if seconds is not None and not rule.minimum <= seconds <= rule.maximum:
        raise InvalidParameterException(INVALID_VALIDITY)


def token_validity_seconds(settings: JSONDict, kind: TokenKind) -> int:
    """How long a token of `kind` issued for this client stays valid."""
    seconds = _configured_seconds(settings, kind)
    return _VALIDITY[kind].default_seconds if seconds is None else seconds


def auth_session_seconds(settings: JSONDict) -> int:
    """How long an authentication `Session` stays valid (AuthSessionValidity is in minutes)."""
    minutes = settings.get("AuthSessionValidity") or DEFAULT_SETTINGS["AuthSessionValidity"]
    return int(minutes) * 60


def hides_user_existence(settings: JSONDict) -> bool:
    """PreventUserExistenceErrors: only ENABLED hides; unset behaves as LEGACY."""
    return settings.get("PreventUserExistenceErrors") == "ENABLED"


def rotation_grace_seconds(settings: JSONDict) -> int | None:
    """RetryGracePeriodSeconds when refresh token rotation is ENABLED, else None."""
    rotation = settings.get("RefreshTokenRotation") or {}
    if rotation.get("Feature") != "ENABLED":
        return None
    return int(rotation.get("RetryGracePeriodSeconds", 0))


def check_secret_use(settings: JSONDict, has_secret: bool) -> None:
    if settings["EnablePropagateAdditionalUserContextData"] and not has_secret:
        raise InvalidParameterException(SECRET_REQUIRED)


def check_attribute_permissions(settings: JSONDict, schema: list[JSONDict], verb: str) -> None:
    """ReadAttributes/WriteAttributes name pool attributes; writes cover every required one.

    `verb` is "creating" or "updating", as in Cognito's message.
    """
    names = {entry["Name"] for entry in schema}
    read = settings.get("ReadAttributes")
    if read is not None and not set(read) <= names:
        raise InvalidParameterException(f"Invalid read attributes specified while {verb} a client")
    write = settings.get("WriteAttributes")
    if write is None:
        return
    required = {entry["Name"] for entry in schema if entry.get("Required")} - {"sub"}
    writable = names - NOT_WRITABLE - developer_only(schema)
    if not set(write) <= writable or not required <= set(write):
        raise InvalidParameterException(f"Invalid write attributes specified while {verb} a client")
