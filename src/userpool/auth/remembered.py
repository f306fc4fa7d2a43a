"""New tokens for a user whom managed login remembers: a browser that signed in on a pool's
domain keeps a session cookie, and a later /oauth2/authorize with it gets a code without the
sign-in page, as on Cognito. No factor is proved here, so this is no way through the engine:
it only serves the user the sealed cookie names (userpool.oauth.cookies), and only while
that user may still sign in. The tokens are a new sign-in's (a new refresh token, new jti),
for the scopes and nonce of the new request, with the remembered sign-in's `auth_time`
(OpenID: the time the user last authenticated); PreTokenGeneration is told
TokenGeneration_HostedAuth, and PostAuthentication is not called (nobody authenticated)."""

from __future__ import annotations

from dataclasses import replace

from userpool.accounts.resources import client_and_pool
from userpool.auth import hooks, issuing
from userpool.auth.outcomes import Attempt, Hosted, IssuedTokens
from userpool.auth.runtime import Runtime
from userpool.domain.errors import CognitoError, NotAuthorizedException
from userpool.domain.models import UserStatus
from userpool.triggers.sources import TriggerSource

GONE = "The remembered user can no longer sign in."  # ours: the page asks for a sign-in


def sign_in_again(
    runtime: Runtime,
    client_id: str,
    pool_id: str,
    sub: str,
    auth_time: float,
    *,
    now: float,
    hosted: Hosted,
) -> IssuedTokens:
    """Tokens for the user `sub` of `pool_id`, remembered since `auth_time`; raises
    NotAuthorizedException when that user is gone, disabled, or must change or reset a
    password first (the caller then shows the sign-in page)."""
    with runtime.store.read() as tx:
        client, pool = client_and_pool(tx, client_id, pool_id)
        user = tx.users.get_by_sub(pool.id, sub)
        groups = issuing.group_names(tx, user) if user is not None else []
    if user is None or not user.enabled or user.status is not UserStatus.CONFIRMED:
        raise NotAuthorizedException(GONE)
    attempt = Attempt(runtime, pool, client, False, now, {}, True, hosted=hosted)
    token, record = issuing.new_refresh_record(attempt, user, auth_time)
    with runtime.store.write() as tx:
        tx.refresh_tokens.add(record)
    source = TriggerSource.TOKEN_GENERATION_HOSTED_AUTH
    try:
        overrides = hooks.pre_token_generation(attempt, user, groups, source)
    except CognitoError:
        with runtime.store.write() as tx:  # the function refused: no way in stays open
            tx.refresh_tokens.revoke(record.jti)
        raise
    tokens = issuing.sign(attempt, user, groups, record, overrides)
    return replace(tokens, refresh_token=token)
