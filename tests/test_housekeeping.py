"""Expired consumed-session markers, codes, refresh tokens and passkey registrations are
purged; live ones and
refresh tokens less than a day past expiry (their access tokens may still be live) stay."""

from __future__ import annotations

from pathlib import Path

from userpool.domain.auth_records import PasskeyChallenge, RefreshRecord
from userpool.domain.messages import StoredCode
from userpool.storage import database
from userpool.storage.housekeeping import ACCESS_TOKEN_MAX_SECONDS, purge_expired
from userpool.storage.sql_store import SqlStore

NOW = 1_800_000_000.0


def refresh(name: str, expires: float) -> RefreshRecord:
    return RefreshRecord(name, f"jti-{name}", "us-east-1_pool", "client", "sub", 0.0, 0.0, expires)


def code(sub: str, expires: float) -> StoredCode:
    return StoredCode("us-east-1_pool", sub, "sign-up", "hash", expires, 0, 0.0)


def registration(sub: str, expires: float) -> PasskeyChallenge:
    return PasskeyChallenge("us-east-1_pool", sub, "client", "c", "localhost", "preferred", expires)


def test_purge_removes_only_what_has_expired(tmp_path: Path) -> None:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    with store.write() as tx:
        assert tx.session_markers.consume("old", NOW - 1)
        assert tx.session_markers.consume("live", NOW + 60)
        tx.codes.put(code("old-code", NOW - 1))
        tx.codes.put(code("live-code", NOW + 60))
        tx.refresh_tokens.add(refresh("long-gone", NOW - ACCESS_TOKEN_MAX_SECONDS - 1))
        tx.refresh_tokens.add(refresh("recent", NOW - 60))
        tx.passkeys.put_challenge(registration("old-registration", NOW - 1))
        tx.passkeys.put_challenge(registration("live-registration", NOW + 60))
    purge_expired(store, NOW)
    with store.write() as tx:
        assert tx.session_markers.consume("old", NOW + 60)  # its marker was purged
        assert not tx.session_markers.consume("live", NOW + 60)  # still marked used
        assert tx.codes.get("old-code", "sign-up") is None
        assert tx.codes.get("live-code", "sign-up") is not None
        assert tx.refresh_tokens.get("long-gone") is None
        assert tx.refresh_tokens.get("recent") is not None
        assert tx.passkeys.take_challenge("us-east-1_pool", "old-registration") is None
        assert tx.passkeys.take_challenge("us-east-1_pool", "live-registration") is not None
    engine.dispose()
