"""A bulk write on SQLite (an import's batch) commits without copying the write-ahead log into
the database, and a thread of its own then does (storage/wal_checkpoints.py): the database
file takes the batch's pages within moments, though nothing else commits; the connection it
used goes back to the pool with SQLite's usual checkpoint setting."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

POOL = "us-east-1_bulk"


def a_user(number: int) -> tuple[User, str, dict[str, str]]:
    user = User(str(uuid.uuid4()), POOL, f"u{number:05d}", UserStatus.CONFIRMED, True, 1.0, 1.0)
    user.attributes = {"email": f"u{number}@example.com", "given_name": f"Given{number}"}
    return user, user.username, {}


def test_the_log_is_copied_into_the_database_after_a_bulk_write(tmp_path: Path) -> None:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    with store.write() as tx:
        tx.pools.add(UserPool(POOL, "bulk", 1.0, 1.0, {}))
    file = tmp_path / "userpool.db"
    with engine.connect() as connection:  # everything so far in the file: a known start
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = file.stat().st_size

    with store.bulk_write() as tx:
        assert tx.user_batches.add_all([a_user(number) for number in range(3000)])
    deadline = time.monotonic() + 10
    while file.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert file.stat().st_size > before  # copied by the checkpointer: nothing else committed

    with store.read() as tx:
        assert tx.users.count(POOL) == 3000
    pooled = [engine.connect() for _ in range(4)]
    try:
        for connection in pooled:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            setting = raw.execute("PRAGMA wal_autocheckpoint").fetchone()
            assert setting == (database.WAL_AUTOCHECKPOINT_PAGES,)
    finally:
        for connection in pooled:
            connection.close()
    engine.dispose()
