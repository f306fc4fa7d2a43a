"""What the delivery tests share: a message, a store with pools, the pool tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from userpool.delivery import EmailSettings
from userpool.domain.messages import Medium, Message
from userpool.domain.models import UserPool
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

POOL = "eu-west-1_TestPool1"
NO_EMAIL = EmailSettings()


def message(medium: Medium = Medium.EMAIL, pool_id: str = POOL, body: str = "") -> Message:
    by_email = medium == Medium.EMAIL
    return Message(
        pool_id=pool_id,
        username="alice",
        medium=medium,
        destination="alice@example.com" if by_email else "+15555550100",
        subject="Your verification code" if by_email else None,
        body=body or "Your verification code is 123456. ",
        purpose="sign-up",
        code="123456",
    )


def new_store(tmp_path: Path) -> SqlStore:
    """A SqlStore on a fresh, migrated SQLite database in `tmp_path`."""
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    return SqlStore(engine)


def add_pool(store: SqlStore, pool_id: str, **settings: Any) -> None:
    with store.write() as tx:
        tx.pools.add(UserPool(pool_id, "p", 0.0, 0.0, settings))


def stored(store: SqlStore) -> list[Message]:
    with store.read() as tx:
        return [entry.message for entry in tx.outbox.list(None, None, 0, 100)]


def tagged(backend: str) -> dict[str, Any]:
    return {"UserPoolTags": {"team": "x", "userpool:delivery": backend}}
