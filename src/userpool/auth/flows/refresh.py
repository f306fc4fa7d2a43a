"""REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens from a refresh token."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.auth import refresh_tokens
from userpool.auth.outcomes import Attempt, Authenticated
from userpool.auth.params import required
from userpool.auth.secret_hash import check_secret_hash
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import NotAuthorizedException

ROTATING = (
    "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken."
)


def start(attempt: Attempt, params: Mapping[str, str]) -> Authenticated:
    token = required(params, "REFRESH_TOKEN")
    if attempt.client.secret is not None and not params.get("SECRET_HASH"):
        check_secret_hash(attempt.client, None)
    if rotation_grace_seconds(attempt.client.settings) is not None:
        raise NotAuthorizedException(ROTATING)
    redeemed = refresh_tokens.redeem(attempt, token)
    user = redeemed.user
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), user.username, user.sub)
    return Authenticated(refresh_tokens.refresh(attempt, redeemed))
