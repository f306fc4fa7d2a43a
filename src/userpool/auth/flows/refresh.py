"""REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens from a refresh token."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import refresh_tokens
from userpool.auth.flows import Flow
from userpool.auth.outcomes import Attempt, Authenticated
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import UserPool
from userpool.storage.repositories import Transaction

ROTATING = (
    "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken."
)


def load(
    _runtime: Runtime, tx: Transaction, _pool: UserPool, params: Mapping[str, str]
) -> refresh_tokens.Stored:
    return refresh_tokens.load(tx, required(params, "REFRESH_TOKEN"))


def start(
    attempt: Attempt, stored: refresh_tokens.Stored, params: Mapping[str, str], _: Progress
) -> Authenticated:
    if attempt.client.secret is not None and not params.get("SECRET_HASH"):
        check_secret_hash(attempt.client, None)
    if rotation_grace_seconds(attempt.client.settings) is not None:
        raise NotAuthorizedException(ROTATING)
    redeemed = refresh_tokens.redeem_refresh_token(attempt, stored, params.get("DEVICE_KEY"))
    user = redeemed.user
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), user.username, user.sub)
    return Authenticated(refresh_tokens.refreshed_tokens(attempt, redeemed))


FLOW = Flow("ALLOW_REFRESH_TOKEN_AUTH", load, start)
