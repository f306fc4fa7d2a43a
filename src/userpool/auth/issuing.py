"""Turning a finished sign-in (or a refresh) into tokens: refresh-token records and JWTs."""

from __future__ import annotations

import uuid

from userpool.auth import lockout
from userpool.auth.outcomes import Attempt, IssuedTokens
from userpool.domain.auth_records import RefreshRecord
from userpool.domain.client_rules import TokenKind, token_validity_seconds
from userpool.domain.models import User
from userpool.storage.repositories import Transaction
from userpool.tokens.claims import Grant
from userpool.tokens.issuer import new_refresh_token


def group_names(tx: Transaction, user: User) -> list[str]:
    return list(tx.groups.names_of(user.pool_id, user.sub))


def new_refresh_record(attempt: Attempt, user: User, auth_time: float) -> tuple[str, RefreshRecord]:
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
    )
    return token, record


def sign(attempt: Attempt, user: User, groups: list[str], origin: RefreshRecord) -> IssuedTokens:
    settings = attempt.client.settings
    grant = Grant(
        issuer=attempt.env.signer.issuer_for(attempt.pool.id),
        client_id=attempt.client.id,
        sub=user.sub,
        username=user.username,
        attributes=user.attributes,
        groups=groups,
        auth_time=int(origin.auth_time),
        origin_jti=origin.jti,
        event_id=str(uuid.uuid4()),
        device_key=origin.device_key,
    )
    signed = attempt.env.signer.sign(
        attempt.pool.id,
        grant,
        settings.get("ReadAttributes"),
        attempt.now,
        token_validity_seconds(settings, TokenKind.ID),
        token_validity_seconds(settings, TokenKind.ACCESS),
    )
    return IssuedTokens(signed.id_token, signed.access_token, signed.expires_in)


def sign_in(attempt: Attempt, user: User, *, admit: bool) -> IssuedTokens:
    """Tokens for a completed sign-in: a new refresh token and the ID and access tokens;
    `admit`: the password proof just made is admitted past the lockout here."""
    refresh_token, record = new_refresh_record(attempt, user, attempt.now)
    with attempt.env.store.write() as tx:
        if admit:
            lockout.admit(tx, user.sub, attempt.now)
        tx.refresh_tokens.add(record)
        groups = group_names(tx, user)
    tokens = sign(attempt, user, groups, record)
    return IssuedTokens(tokens.id_token, tokens.access_token, tokens.expires_in, refresh_token)
