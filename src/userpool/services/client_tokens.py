"""Machine-to-machine access tokens: the client_credentials grant of a pool domain's token
endpoint (userpool.oauth.token). An app client with a secret, allowed the client_credentials
flow, gets an access token for the custom scopes (`{resource server}/{scope}`) it asks for,
or for all it is allowed when it asks for none, as Cognito does."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from userpool.accounts.resources import require_pool
from userpool.auth import Attempt, Runtime, pre_token_generation_for_client
from userpool.domain.client_rules import TokenKind, token_validity_seconds
from userpool.domain.models import AppClient


class TokenRefusal(Exception):
    """An OAuth 2.0 error response of the token endpoint (RFC 6749 §5.2): its `error` code."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int


def _authenticated(client: AppClient | None, pool_id: str, secret: str) -> AppClient:
    """The client, if it is the pool's and `secret` is its secret (compared in constant time;
    a client without one cannot authenticate here)."""
    if client is None or client.pool_id != pool_id or client.secret is None:
        raise TokenRefusal("invalid_client")
    if not hmac.compare_digest(client.secret.encode(), secret.encode()):
        raise TokenRefusal("invalid_client")
    return client


def _granted(client: AppClient, requested: str | None) -> list[str]:
    """The scopes to grant: those asked for, each one the client is allowed; all its custom
    scopes when it asks for none. Only custom scopes can be granted without a user."""
    allowed = [scope for scope in client.settings.get("AllowedOAuthScopes") or [] if "/" in scope]
    if requested is None or not requested.strip():
        if not allowed:
            raise TokenRefusal("invalid_scope")
        return allowed
    asked = list(dict.fromkeys(requested.split()))
    if any(scope not in allowed for scope in asked):
        raise TokenRefusal("invalid_scope")
    return asked


def issue(
    runtime: Runtime,
    pool_id: str,
    client_id: str,
    secret: str,
    requested_scope: str | None,
    now: float,
) -> ClientToken:
    with runtime.store.read() as tx:
        client = _authenticated(tx.clients.get(client_id), pool_id, secret)
        pool = require_pool(tx, pool_id)
    settings = client.settings
    flows = settings.get("AllowedOAuthFlows") or []
    if "client_credentials" not in flows or not settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise TokenRefusal("unauthorized_client")
    scopes = _granted(client, requested_scope)
    validity = token_validity_seconds(settings, TokenKind.ACCESS)
    attempt = Attempt(runtime, pool, client, False, now)
    overrides = pre_token_generation_for_client(attempt, scopes)
    token = runtime.signer.sign_client_access(pool_id, client.id, scopes, now, validity, overrides)
    return ClientToken(token, validity)
