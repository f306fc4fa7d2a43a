"""What the store holds for the pools a check is about, read beside the running server: to
show that a refused request changed nothing.

Every table is read as it is now (reflected from the database, so that a table added since is
covered too): a table with a `pool_id` column by the rows of the pools in scope, `pools` by its
row count and those pools' rows, any other table whole but for rows whose `expires` has passed
(housekeeping may purge those at any moment: storage/housekeeping.py). Each table comes out as
its row count and a hash of its rows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from userpool.storage import database

Snapshot = dict[str, tuple[int, str]]
EXPIRY_MARGIN_SECONDS = 60  # rows expiring this soon may be purged between two snapshots
NOW = "__now__"  # in a query's text: the moment of the snapshot


class StoreWatch:
    """Snapshots of one server's store, scoped to `pool_ids`."""

    def __init__(self, db_url: str, pool_ids: Iterable[str]) -> None:
        self._engine: Engine = database.create(db_url)
        metadata = sa.MetaData()
        metadata.reflect(self._engine)  # the server has migrated it: every table is there
        tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        # One query per table, its text made once: a snapshot follows every refused request.
        self._queries = [(t.name, self._query(t, sorted(pool_ids))) for t in tables]

    def close(self) -> None:
        self._engine.dispose()

    def snapshot(self) -> Snapshot:
        now = time.time() + EXPIRY_MARGIN_SECONDS
        with self._engine.connect() as connection:
            return {
                name: digest(connection.exec_driver_sql(query.replace(NOW, repr(now))))
                for name, query in self._queries
            }

    def _query(self, table: sa.Table, pool_ids: list[str]) -> str:
        columns = table.c
        query = sa.select(table)
        if "pool_id" in columns:
            query = query.where(columns.pool_id.in_(pool_ids))
        elif table.name == "pools":
            every = sa.select(sa.func.count()).select_from(table).scalar_subquery()
            query = sa.select(table, every).where(columns.id.in_(pool_ids))
        elif "expires" in columns:
            query = query.where(columns.expires > sa.literal_column(NOW))
        return str(query.compile(self._engine, compile_kwargs={"literal_binds": True}))


def digest(rows: Iterable[Any]) -> tuple[int, str]:
    """The row count, and a hash of the rows in any order."""
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ, with their row counts before and after."""
    return [
        f"{name}: {before.get(name, (0, ''))[0]} -> {after.get(name, (0, ''))[0]} rows"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]
