"""Using a refresh token: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken, with rotation."""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.auth import issuing
from userpool.auth.outcomes import Attempt, IssuedTokens
from userpool.domain.auth_records import RefreshRecord
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import NotAuthorizedException, RefreshTokenReuseException
from userpool.domain.models import User
from userpool.tokens.issuer import hash_refresh_token

INVALID = "Invalid Refresh Token"
REVOKED = "Refresh Token has been revoked"
EXPIRED = "Refresh Token has expired"


@dataclass(frozen=True)
class Redeemed:
    record: RefreshRecord
    user: User
    groups: list[str]


def redeem(attempt: Attempt, token: str) -> Redeemed:
    """The live record for `token` issued to this client, its user and their groups (read
    in one transaction); or Cognito's error."""
    with attempt.env.store.read() as tx:
        record = tx.refresh_tokens.get(hash_refresh_token(token))
        if record is None or record.client_id != attempt.client.id:
            raise NotAuthorizedException(INVALID)
        user = tx.users.get_by_sub(record.pool_id, record.sub)
        groups = issuing.group_names(tx, user) if user is not None else []
    if record.revoked or user is None:
        raise NotAuthorizedException(REVOKED)
    if attempt.now >= record.expires:
        raise NotAuthorizedException(EXPIRED)
    if record.rotated_at is not None:
        grace = rotation_grace_seconds(attempt.client.settings) or 0
        if attempt.now >= record.rotated_at + grace:
            raise RefreshTokenReuseException()
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return Redeemed(record, user, groups)


def _refused_rotation(record: RefreshRecord | None) -> Exception:
    """Why a rotation lost: revoked (or gone) meanwhile, else rotated out by another."""
    if record is None or record.revoked:
        return NotAuthorizedException(REVOKED)
    return RefreshTokenReuseException()


def refresh(attempt: Attempt, redeemed: Redeemed) -> IssuedTokens:
    """New ID and access tokens from the same refresh token (auth_time kept)."""
    return issuing.sign(attempt, redeemed.user, redeemed.groups, redeemed.record)


def rotate(attempt: Attempt, redeemed: Redeemed) -> IssuedTokens:
    """A new refresh token replacing the redeemed one (valid for what it had left), and new
    tokens. `redeem` only looked: the rotation itself decides, in the write that stores the
    successor, so of several requests redeeming one token at once only one wins (or, within
    a grace period, those inside it); the others get RefreshTokenReuseException, as a token
    rotated out before them would. Each loser's token stays the winner's predecessor: no
    successor is made for it."""
    record, user = redeemed.record, redeemed.user
    token, fresh = issuing.new_refresh_record(attempt, user, record.auth_time)
    fresh = replace(fresh, expires=record.expires, device_key=record.device_key)
    grace = float(rotation_grace_seconds(attempt.client.settings) or 0)
    with attempt.env.store.write() as tx:
        if not tx.refresh_tokens.mark_rotated(record.token_hash, attempt.now, grace):
            raise _refused_rotation(tx.refresh_tokens.get(record.token_hash))
        tx.refresh_tokens.add(fresh)
    tokens = issuing.sign(attempt, user, redeemed.groups, fresh)
    return replace(tokens, refresh_token=token)
