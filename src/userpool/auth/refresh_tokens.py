"""Using a refresh token: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken, with rotation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from userpool.accounts.resources import client_and_pool
from userpool.auth import hooks, issuing
from userpool.auth.outcomes import Attempt, IssuedTokens
from userpool.auth.runtime import Runtime
from userpool.domain.auth_records import Device, RefreshRecord
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import NotAuthorizedException, RefreshTokenReuseException
from userpool.domain.models import User
from userpool.storage.repositories import Transaction
from userpool.tokens.claims import Overrides
from userpool.tokens.issuer import hash_refresh_token
from userpool.triggers.sources import TriggerSource

INVALID = "Invalid Refresh Token"
REVOKED = "Refresh Token has been revoked"
EXPIRED = "Refresh Token has expired"


@dataclass(frozen=True)
class Stored:
    """What the step's read found for a refresh token: its record, its user and their
    groups (for the tokens), and the device it was issued to, while that is confirmed."""

    record: RefreshRecord | None
    user: User | None
    groups: list[str]
    device: Device | None = None


@dataclass(frozen=True)
class Redeemed:
    record: RefreshRecord
    user: User
    groups: list[str]


def load(tx: Transaction, token: str) -> Stored:
    record = tx.refresh_tokens.get(hash_refresh_token(token))
    if record is None:
        return Stored(None, None, [])
    user = tx.users.get_by_sub(record.pool_id, record.sub)
    groups = issuing.group_names(tx, user) if user is not None else []
    device = tx.devices.get(record.pool_id, record.device_key) if record.device_key else None
    return Stored(record, user, groups, device)


def read_refresh_token(
    runtime: Runtime,
    client_id: str,
    now: float,
    token: str,
    client_metadata: Mapping[str, str] | None = None,
) -> tuple[Attempt, Stored]:
    """GetTokensFromRefreshToken's read: the client, its pool and what `token` is. Its
    ClientMetadata reaches PreTokenGeneration (`responding`, as an answer's does)."""
    with runtime.store.read() as tx:
        client, pool = client_and_pool(tx, client_id, None)
        attempt = Attempt(runtime, pool, client, False, now, client_metadata or {}, True)
        return attempt, load(tx, token)


def redeem_refresh_token(attempt: Attempt, stored: Stored, device_key: str | None) -> Redeemed:
    """The live record of a token issued to this client, its user and their groups; or
    Cognito's error. A token issued to a device (NewDeviceMetadata, or a device sign-in) is
    good only from that device, named by `device_key`, and only while the device stays
    confirmed: on Cognito an unconfirmed or forgotten device's tokens are an "Invalid
    Refresh Token"."""
    record, user = stored.record, stored.user
    if record is None or record.client_id != attempt.client.id:
        raise NotAuthorizedException(INVALID)
    if record.device_key is not None and not _from_its_device(record, stored.device, device_key):
        raise NotAuthorizedException(INVALID)
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
    return Redeemed(record, user, stored.groups)


def _from_its_device(record: RefreshRecord, device: Device | None, named: str | None) -> bool:
    return named == record.device_key and device is not None and device.sub == record.sub


def _refused_rotation(record: RefreshRecord | None) -> Exception:
    """Why a rotation lost: revoked (or gone) meanwhile, else rotated out by another."""
    if record is None or record.revoked:
        return NotAuthorizedException(REVOKED)
    return RefreshTokenReuseException()


def refreshed_tokens(attempt: Attempt, redeemed: Redeemed) -> IssuedTokens:
    """New ID and access tokens from the same refresh token (auth_time kept)."""
    overrides = _overrides(attempt, redeemed)
    return issuing.sign(attempt, redeemed.user, redeemed.groups, redeemed.record, overrides)


def _overrides(attempt: Attempt, redeemed: Redeemed) -> Overrides:
    source = TriggerSource.TOKEN_GENERATION_REFRESH_TOKENS
    return hooks.pre_token_generation(attempt, redeemed.user, redeemed.groups, source)


def rotated_tokens(attempt: Attempt, redeemed: Redeemed) -> IssuedTokens:
    """A new refresh token replacing the redeemed one (valid for what it had left), and new
    tokens. `redeem_refresh_token` only looked: the rotation itself decides, in the write
    that stores the successor, so of several requests redeeming one token at once only one
    wins (or, within a grace period, those inside it); the others get
    RefreshTokenReuseException, as a token rotated out before them would. Each loser's token
    stays the winner's predecessor: no successor is made for it."""
    record, user = redeemed.record, redeemed.user
    overrides = _overrides(attempt, redeemed)  # before the rotation: a refusal changes nothing
    token, fresh = issuing.new_refresh_record(attempt, user, record.auth_time, record.event_id)
    fresh = replace(fresh, expires=record.expires, device_key=record.device_key)
    grace = float(rotation_grace_seconds(attempt.client.settings) or 0)
    with attempt.runtime.store.write() as tx:
        if not tx.refresh_tokens.mark_rotated(record.token_hash, attempt.now, grace):
            raise _refused_rotation(tx.refresh_tokens.get(record.token_hash))
        tx.refresh_tokens.add(fresh)
    tokens = issuing.sign(attempt, user, redeemed.groups, fresh, overrides)
    return replace(tokens, refresh_token=token)
