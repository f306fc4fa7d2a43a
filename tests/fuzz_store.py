"""What the store holds for the pools a check is about, read beside the running server: to
show that a refused request changed nothing.

Every table is read (reflected from the database, so that a table added since is covered
too): a table with a `pool_id` column by the rows of the pools in scope, `pools` by those pools'
rows and its row count, any other table whole. Two snapshots are compared row by row, leaving
out rows whose `expires` has passed by the later one: housekeeping may purge those at any
moment (storage/housekeeping.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from userpool.storage import database

Row = tuple[Any, ...]
SHOWN_ROWS = 3
SHOWN_ROW_CHARACTERS = 240


@dataclass(frozen=True)
class Snapshot:
    taken: float
    rows: dict[str, frozenset[Row]]


class StoreWatch:
    """Snapshots of one server's store, scoped to `pool_ids`."""

    def __init__(self, db_url: str, pool_ids: Iterable[str]) -> None:
        self._engine: Engine = database.create(db_url)
        metadata = sa.MetaData()
        metadata.reflect(self._engine)  # the server has migrated it: every table is there
        tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        # One query per table, its text made once: a snapshot follows every refused request.
        self._queries = [(t.name, self._query(t, sorted(pool_ids))) for t in tables]
        # Where each table's `expires` is in its rows, if it has one.
        self._expires_at = {
            t.name: list(t.c.keys()).index("expires") for t in tables if "expires" in t.c
        }

    def close(self) -> None:
        self._engine.dispose()

    def snapshot(self) -> Snapshot:
        taken = time.time()
        with self._engine.connect() as connection:
            rows = {
                name: frozenset(tuple(row) for row in connection.exec_driver_sql(query))
                for name, query in self._queries
            }
        return Snapshot(taken, rows)

    def _query(self, table: sa.Table, pool_ids: list[str]) -> str:
        columns = table.c
        query = sa.select(table)
        if "pool_id" in columns:
            query = query.where(columns.pool_id.in_(pool_ids))
        elif table.name == "pools":
            every = sa.select(sa.func.count()).select_from(table).scalar_subquery()
            query = sa.select(table, every).where(columns.id.in_(pool_ids))
        return str(query.compile(self._engine, compile_kwargs={"literal_binds": True}))

    def changes(self, before: Snapshot, after: Snapshot) -> list[str]:
        """The tables whose rows differ, with the rows added and removed (but those expired
        by the later snapshot)."""
        found = []
        for name in sorted(set(before.rows) | set(after.rows)):
            old, new = before.rows.get(name, frozenset()), after.rows.get(name, frozenset())
            position = self._expires_at.get(name)
            if position is not None:
                old, new = (live(rows, position, after.taken) for rows in (old, new))
            if old != new:
                added, removed = (
                    sorted(shown(row) for row in rows) for rows in (new - old, old - new)
                )
                found.append(
                    f"{name}: {len(added)} rows added {added[:SHOWN_ROWS]}, "
                    f"{len(removed)} removed {removed[:SHOWN_ROWS]}"
                )
        return found


def shown(row: Row) -> str:
    text = repr(row)
    return text if len(text) <= SHOWN_ROW_CHARACTERS else text[:SHOWN_ROW_CHARACTERS] + "...)"


def live(rows: frozenset[Row], position: int, now: float) -> frozenset[Row]:
    return frozenset(row for row in rows if row[position] is None or row[position] > now)
