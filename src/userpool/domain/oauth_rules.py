"""Cognito's rules for an app client's OAuth 2.0 settings (Create/UpdateUserPoolClient).

AllowedOAuthFlowsUserPoolClient, AllowedOAuthFlows, AllowedOAuthScopes, CallbackURLs,
LogoutURLs, DefaultRedirectURI and SupportedIdentityProviders, checked together against what
the pool has (its custom scopes, its identity providers) and whether the client has a secret.
The model has already checked each value's shape, the enum of flows and the list lengths.

Messages quoted from Cognito's answers where they are known (seen in the wild: CloudFormation
and Terraform failures); the others, marked, are ours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

from userpool.domain.client_rules import issues_client_tokens
from userpool.domain.errors import CognitoError, InvalidParameterException

COGNITO_PROVIDER = "COGNITO"
# The scopes Cognito itself defines; any other is `{resource server}/{scope}`.
STANDARD_SCOPES = frozenset(
    {"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}
)
USER_FLOWS = frozenset({"code", "implicit"})
CLIENT_CREDENTIALS = "client_credentials"
# Plain HTTP is allowed only back to this machine (the API reference: "for testing purposes").
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

FLOWS_AND_SCOPES_REQUIRED = (
    "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to "
    "use OAuth flows."
)
CALLBACKS_REQUIRED = "CallbackUrls can not be empty when code flow or implicit flow is selected"
SECRET_REQUIRED = (
    "client_credentials flow can not be selected if client does not have a client secret."
)
CREDENTIALS_ALONE = (
    "client_credentials flow can not be selected along with code flow or implicit flow."
)
# Ours: the API reference says the flag "must have a value of true before you can configure"
# flows and scopes, not in what words a request that does so anyway is refused.
OAUTH_NOT_ALLOWED = (
    "AllowedOAuthFlowsUserPoolClient must be true to configure AllowedOAuthFlows or "
    "AllowedOAuthScopes."
)
DEFAULT_NOT_A_CALLBACK = "DefaultRedirectURI must be one of the CallbackURLs."  # ours


class ScopeDoesNotExistException(CognitoError):
    """A scope that is neither Cognito's own nor one of the pool's resource servers'."""


class InvalidOAuthFlowException(CognitoError):
    """OAuth flows that cannot go together, or that the client's other settings exclude."""


def unknown_scope(scope: str) -> ScopeDoesNotExistException:
    return ScopeDoesNotExistException(f"Invalid scope requested: {scope}")


def check_oauth(
    settings: dict[str, Any],
    *,
    pool_id: str,
    has_secret: bool,
    custom_scopes: Collection[str],
    identity_providers: Collection[str] = (),
) -> None:
    """Refuse `settings` (a client's, defaults filled) as Cognito would, or return."""
    _check_providers(settings.get("SupportedIdentityProviders") or [], identity_providers, pool_id)
    callbacks = list(settings.get("CallbackURLs") or [])
    _check_urls("CallbackURLs", callbacks)
    _check_urls("LogoutURLs", settings.get("LogoutURLs") or [])
    default = settings.get("DefaultRedirectURI")
    if default is not None:
        _check_urls("DefaultRedirectURI", [default])
        if default not in callbacks:
            raise InvalidParameterException(DEFAULT_NOT_A_CALLBACK)
    flows = list(settings.get("AllowedOAuthFlows") or [])
    scopes = list(settings.get("AllowedOAuthScopes") or [])
    if settings.get("AllowedOAuthFlowsUserPoolClient"):
        if not flows or not scopes:
            raise InvalidParameterException(FLOWS_AND_SCOPES_REQUIRED)
    elif flows or (scopes and not issues_client_tokens(settings)):
        # A GetClientToken client takes its scopes without OAuth flows: the developer guide's
        # own example makes one with --explicit-auth-flows ALLOW_CLIENT_TOKEN_AUTH and
        # --allowed-o-auth-scopes alone ("Scopes, M2M, and resource servers").
        raise InvalidParameterException(OAUTH_NOT_ALLOWED)
    for scope in scopes:
        if scope not in STANDARD_SCOPES and scope not in custom_scopes:
            raise unknown_scope(scope)
    _check_flows(set(flows), scopes, callbacks, has_secret)


def _check_flows(flows: set[str], scopes: list[str], callbacks: list[str], secret: bool) -> None:
    if CLIENT_CREDENTIALS in flows:
        if not secret:
            raise InvalidOAuthFlowException(SECRET_REQUIRED)
        if flows & USER_FLOWS:
            raise InvalidOAuthFlowException(CREDENTIALS_ALONE)
        # A machine has no user: only a resource server's scopes mean anything to it.
        for scope in scopes:
            if scope in STANDARD_SCOPES:
                raise InvalidOAuthFlowException(
                    f"{scope} is not supported with client_credentials flow"
                )
    if flows & USER_FLOWS and not callbacks:
        raise InvalidOAuthFlowException(CALLBACKS_REQUIRED)


def _check_providers(names: Iterable[str], configured: Collection[str], pool_id: str) -> None:
    for name in names:
        if name != COGNITO_PROVIDER and name not in configured:
            raise InvalidParameterException(
                f"The provider {name} does not exist for User Pool {pool_id}."
            )


def _check_urls(parameter: str, urls: Iterable[str]) -> None:
    """The API reference's rules for a redirect URI: absolute, no fragment, HTTPS unless it
    leads back to this machine; an app's own scheme (`myapp://callback`) is fine."""
    for url in urls:
        problem = url_problem(url)
        if problem is not None:
            raise InvalidParameterException(f"Invalid {parameter} {url}: {problem}.")  # ours


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a redirect URI, or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "not a valid URI"
    if not parts.scheme:
        return "must be an absolute URI"
    if "#" in url:
        return "must not include a fragment component"
    if parts.scheme.lower() in ("http", "https") and not host:
        return "must name a host"
    if parts.scheme.lower() == "http" and host not in LOOPBACK_HOSTS:
        return "must use HTTPS (HTTP only for localhost, 127.0.0.1 and [::1])"
    return None
