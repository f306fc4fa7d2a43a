"""Operations that take an access token: who it belongs to, checked as Cognito checks it."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import User, UserPool
from userpool.services.context import Context
from userpool.storage.repositories import Transaction
from userpool.tokens.verify import AccessToken, verify_access_token

REVOKED = "Access Token has been revoked"


@dataclass(frozen=True)
class Caller:
    pool: UserPool
    user: User
    token: AccessToken


def check_access_token(ctx: Context, access_token: str) -> AccessToken:
    """Signature, issuer, expiry and use; not yet revocation (see `caller`)."""
    runtime = ctx.runtime
    return verify_access_token(access_token, runtime.keys, runtime.signer.issuer_for, ctx.clock())


def caller(tx: Transaction, token: AccessToken) -> Caller:
    """The live, enabled user a checked token belongs to, unless the token was revoked."""
    record = tx.refresh_tokens.get_by_jti(token.origin_jti)
    if record is None or record.revoked:
        raise NotAuthorizedException(REVOKED)
    pool = tx.pools.get(token.pool_id)
    user = tx.users.get_by_sub(token.pool_id, token.sub) if pool else None
    if pool is None or user is None:
        raise NotAuthorizedException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return Caller(pool, user, token)
