"""GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, AdminUserGlobalSignOut."""

from __future__ import annotations

import hmac

from userpool.accounts.lookup import require_user
from userpool.accounts.resources import require_pool
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import (
    read_refresh_token,
    redeem_refresh_token,
    refreshed_tokens,
    rotated_tokens,
)
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import (
    CognitoError,
    NotAuthorizedException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from userpool.domain.models import AppClient
from userpool.services.access import caller, check_access_token
from userpool.services.auth_ops import authentication_result
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.tokens.issuer import hash_refresh_token


def _check_client_secret(
    client: AppClient, given: str | None, refusal: type[CognitoError] = UnauthorizedException
) -> None:
    if client.secret is None:
        return
    if given is None or not hmac.compare_digest(given.encode(), client.secret.encode()):
        raise refusal("Client authentication failed.")


@operation("GetTokensFromRefreshToken", calls_triggers=True)
def get_tokens_from_refresh_token(ctx: Context, request: Request) -> Response:
    attempt, stored = read_refresh_token(
        ctx.runtime,
        request["ClientId"],
        ctx.clock(),
        request["RefreshToken"],
        request.get("ClientMetadata"),
    )
    if attempt.client.secret is not None and request.get("ClientSecret") is None:
        check_secret_hash(attempt.client, None)
    redeemed = redeem_refresh_token(attempt, stored, request.get("DeviceKey"))
    # UnauthorizedException is RevokeToken's; this operation declares NotAuthorizedException.
    _check_client_secret(attempt.client, request.get("ClientSecret"), NotAuthorizedException)
    if rotation_grace_seconds(attempt.client.settings) is None:
        tokens = refreshed_tokens(attempt, redeemed)
    else:
        tokens = rotated_tokens(attempt, redeemed)
    return {"AuthenticationResult": authentication_result(tokens)}


@operation("RevokeToken")
def revoke_token(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        client = tx.clients.get(request["ClientId"])
    if client is None:
        raise UnauthorizedException("Client authentication failed.")
    _check_client_secret(client, request.get("ClientSecret"))
    if not client.settings.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    if request["Token"].count(".") == 2:
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    with ctx.store.write() as tx:
        record = tx.refresh_tokens.get(hash_refresh_token(request["Token"]))
        if record is not None:
            if record.client_id != client.id:
                raise UnauthorizedException("The token was not issued to this client.")
            tx.refresh_tokens.revoke(record.jti)
    return {}


@operation("GlobalSignOut")
def global_sign_out(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        tx.refresh_tokens.revoke_user(found.pool.id, found.user.sub)
    return {}


@operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        tx.refresh_tokens.revoke_user(pool.id, user.sub)
    return {}
