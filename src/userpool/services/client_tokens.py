"""Machine-to-machine access tokens, the two ways Cognito hands them out: the client_credentials
grant of a pool domain's token endpoint (userpool.oauth.token), and the GetClientToken
operation, which "provides the same functionality as the client credentials grant" without a
domain (the API reference). Either way an app client authenticates with its secret (compared in
constant time) and gets an access token for the custom scopes (`{resource server}/{scope}`) it
asks for, each one it is allowed, or for all it is allowed when it asks for none; a version 3
PreTokenGeneration function sees it first (TokenGeneration_ClientCredentials).

What each way requires of the client differs: the grant, the OAuth flow client_credentials; the
operation, the explicit auth flow ALLOW_CLIENT_TOKEN_AUTH, alone (domain/client_rules.py). The
developer guide's GetClientToken client has no OAuth flow at all, so none is asked for here."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from userpool.accounts.resources import require_pool
from userpool.auth import Attempt, Runtime, pre_token_generation_for_client
from userpool.domain.client_rules import TokenKind, issues_client_tokens, token_validity_seconds
from userpool.domain.errors import (
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from userpool.domain.models import AppClient, UserPool
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

# Seen from Cognito for a wrong secret (a run against the real service, 2026).
INVALID_SECRET = "Invalid client or secret"
# Ours, in the words of InitiateAuth's "<FLOW> flow not enabled for this client"; the type is
# the one AWS's own GetClientToken example expects when the flow is missing.
FLOW_NOT_ENABLED = "ALLOW_CLIENT_TOKEN_AUTH flow not enabled for this client"
NO_CUSTOM_SCOPES = "The client is allowed no custom scopes to grant."  # ours


class TokenRefusal(Exception):
    """An OAuth 2.0 error response of the token endpoint (RFC 6749 §5.2): its `error` code."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class ScopeRefused(Exception):
    """`scope` is not one the client may be granted; None: it asked for none and is allowed
    none."""

    def __init__(self, scope: str | None) -> None:
        super().__init__(scope)
        self.scope = scope


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int


def secret_matches(client: AppClient, secret: str) -> bool:
    """Whether `secret` is the client's (constant time); a client without one has none."""
    if client.secret is None:
        return False
    return hmac.compare_digest(client.secret.encode(), secret.encode())


def granted_scopes(client: AppClient, asked: Sequence[str] | None) -> list[str]:
    """The scopes to grant: those asked for, each one the client is allowed; all its custom
    scopes when it asks for none. Only custom scopes can be granted without a user."""
    allowed = [scope for scope in client.settings.get("AllowedOAuthScopes") or [] if "/" in scope]
    if not asked:
        if not allowed:
            raise ScopeRefused(None)
        return allowed
    wanted = list(dict.fromkeys(asked))
    for scope in wanted:
        if scope not in allowed:
            raise ScopeRefused(scope)
    return wanted


def mint(
    runtime: Runtime,
    pool: UserPool,
    client: AppClient,
    scopes: list[str],
    now: float,
    client_metadata: Mapping[str, str] | None = None,
) -> ClientToken:
    """The signed access token, after the pool's PreTokenGeneration function (version 3 only:
    triggers/config.py) has had its say on claims and scopes."""
    validity = token_validity_seconds(client.settings, TokenKind.ACCESS)
    attempt = Attempt(runtime, pool, client, False, now, dict(client_metadata or {}))
    overrides = pre_token_generation_for_client(attempt, scopes)
    token = runtime.signer.sign_client_access(pool.id, client.id, scopes, now, validity, overrides)
    return ClientToken(token, validity)


def issue(
    runtime: Runtime,
    pool_id: str,
    client_id: str,
    secret: str,
    requested_scope: str | None,
    now: float,
) -> ClientToken:
    """The token endpoint's client_credentials grant, for the pool of the domain asked."""
    with runtime.store.read() as tx:
        client = tx.clients.get(client_id)
        if client is None or client.pool_id != pool_id or not secret_matches(client, secret):
            raise TokenRefusal("invalid_client")
        pool = require_pool(tx, pool_id)
    settings = client.settings
    flows = settings.get("AllowedOAuthFlows") or []
    if "client_credentials" not in flows or not settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise TokenRefusal("unauthorized_client")
    try:
        scopes = granted_scopes(client, (requested_scope or "").split())
    except ScopeRefused as refused:
        raise TokenRefusal("invalid_scope") from refused
    try:
        return mint(runtime, pool, client, scopes, now)
    except CognitoError as error:  # a PreTokenGeneration function that failed, as grants.refresh
        raise TokenRefusal("invalid_request") from error


@operation("GetClientToken", calls_triggers=True)
def get_client_token(ctx: Context, request: Request) -> Response:
    """Unauthenticated (no IAM: the secret is the credential; protocol/model.py). The secret is
    judged before the flow, so that nobody without it learns how a client is configured. A
    failing PreTokenGeneration function answers with its Lambda error, as in a sign-in, though
    the operation's model lists none: what a Cognito user would expect to see."""
    client_id = request["ClientId"]
    with ctx.store.read() as tx:
        client = tx.clients.get(client_id)
        if client is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        pool = require_pool(tx, client.pool_id)
    if not secret_matches(client, request["Secret"]):
        raise NotAuthorizedException(INVALID_SECRET)
    if not issues_client_tokens(client.settings):
        raise NotAuthorizedException(FLOW_NOT_ENABLED)
    try:
        scopes = granted_scopes(client, request.get("Scopes"))
    except ScopeRefused as refused:
        if refused.scope is None:
            raise InvalidParameterException(NO_CUSTOM_SCOPES) from refused
        raise InvalidParameterException(f"Invalid scope requested: {refused.scope}") from refused
    token = mint(ctx.runtime, pool, client, scopes, ctx.clock(), request.get("ClientMetadata"))
    result = {"AccessToken": token.access_token, "ExpiresIn": token.expires_in}
    return {"ClientAuthenticationResult": result | {"TokenType": "Bearer"}}
