"""Turning a finished sign-in (or a refresh) into tokens: refresh-token records and JWTs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from userpool.auth.outcomes import Attempt, IssuedTokens
from userpool.domain.auth_records import RefreshRecord
from userpool.domain.client_rules import TokenKind, token_validity_seconds
from userpool.domain.models import User
from userpool.storage.repositories import Transaction
from userpool.tokens.claims import NO_OVERRIDES, Grant, Overrides
from userpool.tokens.issuer import new_refresh_token


def group_names(tx: Transaction, user: User) -> list[str]:
    return list(tx.groups.names_of(user.pool_id, user.sub))


def new_refresh_record(
    attempt: Attempt, user: User, auth_time: float, event_id: str | None = None
) -> tuple[str, RefreshRecord]:
    """A new refresh token and its record; under managed login (or a refresh of its token,
    oauth/grants.py) the record keeps the OAuth scopes, which tokens refreshed from it keep.
    `event_id`: the auth event of the sign-in it ends (sign_in_events.py), else a new id; the
    tokens refreshed from it keep it, as Cognito "correlates refresh token use to the
    original event ID" (Developer Guide, "Viewing user event history")."""
    token, token_hash = new_refresh_token()
    validity = token_validity_seconds(attempt.client.settings, TokenKind.REFRESH)
    record = RefreshRecord(
        token_hash=token_hash,
        jti=str(uuid.uuid4()),
        pool_id=attempt.pool.id,
        client_id=attempt.client.id,
        sub=user.sub,
        auth_time=auth_time,
        created=attempt.now,
        expires=attempt.now + validity,
        scopes=attempt.hosted.scopes if attempt.hosted else None,
        event_id=event_id or str(uuid.uuid4()),
    )
    return token, record


def sign(
    attempt: Attempt,
    user: User,
    groups: list[str],
    origin: RefreshRecord,
    overrides: Overrides = NO_OVERRIDES,
) -> IssuedTokens:
    """ID and access tokens from the refresh token `origin`: its jti is their `origin_jti`,
    its sign-in's event id their `event_id` (a new one for a token stored before it was kept)."""
    settings = attempt.client.settings
    grant = Grant(
        issuer=attempt.runtime.signer.issuer_for(attempt.pool.id),
        client_id=attempt.client.id,
        sub=user.sub,
        username=user.username,
        attributes=user.attributes,
        groups=groups,
        auth_time=int(origin.auth_time),
        origin_jti=origin.jti,
        event_id=origin.event_id or str(uuid.uuid4()),
        device_key=origin.device_key,
        # A managed-login sign-in's OAuth scopes, kept by its refresh token however it is
        # refreshed (the token endpoint, REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken).
        scopes=attempt.hosted.scopes if attempt.hosted else origin.scopes,
        nonce=attempt.hosted.nonce if attempt.hosted else None,
    )
    signed = attempt.runtime.signer.sign(
        attempt.pool.id,
        grant,
        settings.get("ReadAttributes"),
        attempt.now,
        token_validity_seconds(settings, TokenKind.ID),
        token_validity_seconds(settings, TokenKind.ACCESS),
        overrides,
    )
    return IssuedTokens(signed.id_token, signed.access_token, signed.expires_in)


@dataclass(frozen=True)
class Signing:
    """What a finished sign-in stored (in the step's write), to sign once it commits."""

    refresh_token: str
    record: RefreshRecord
    groups: list[str]


def record_sign_in(
    tx: Transaction, attempt: Attempt, user: User, device_key: str | None, event_id: str | None
) -> Signing:
    """Store the refresh token of a finished sign-in, bound to its device, if any: the one
    it proved, or the new one it hands out; and to its auth event, if it has one."""
    refresh_token, record = new_refresh_record(attempt, user, attempt.now, event_id)
    record = replace(record, device_key=device_key)
    tx.refresh_tokens.add(record)
    return Signing(refresh_token, record, group_names(tx, user))


def sign_in(
    attempt: Attempt,
    user: User,
    signing: Signing,
    overrides: Overrides = NO_OVERRIDES,
) -> IssuedTokens:
    """The tokens of a finished sign-in: its refresh token and new ID and access tokens."""
    tokens = sign(attempt, user, signing.groups, signing.record, overrides)
    return replace(tokens, refresh_token=signing.refresh_token)
