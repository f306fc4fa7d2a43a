"""What the statements of the storage layer cost, on SQLite and on PostgreSQL.

A database is filled with a few thousand users and what hangs off them, enough that a
statement which reads a whole table (or a whole pool) reads far more rows than one that goes
straight to its rows. The statements a storage call issues are recorded at the driver's cursor
(both SQLAlchemy's and storage/prepared.py's pass there), then each is examined apart, on a
connection of its own, in a transaction rolled back afterwards:

- SQLite: EXPLAIN QUERY PLAN must show no `SCAN` of a table, and the statement, run, must take
  few virtual-machine steps (counted by a progress handler): a walk along an index over a
  whole pool shows as a `SEARCH`, but not as a small count;
- PostgreSQL, with `enable_seqscan` and `enable_sort` off (a `Seq Scan` then means no index
  serves the predicate, a sort of many rows that no index gives their order): EXPLAIN
  (ANALYZE) must show no `Seq Scan` of a table, and the rows its scans read (returned, and
  removed by a filter or a recheck) must stay few.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine, event

from userpool.storage.schema import metadata

TABLES = frozenset(metadata.tables)
ROWS_READ_LIMIT = 400  # a page of 60 users and what it joins, with room; a pool holds 1,500+
# SQLite's virtual-machine steps: a page of 60 users takes 1,500 to 4,000; a walk along an
# index over 1,500 users (the smallest pool) 9,000 or more, reading their rows 30,000 or more.
STEPS_LIMIT = 6_000
# At a few thousand rows PostgreSQL may rightly prefer reading them all, or sorting all the
# matches, to walking an index: these make it walk one wherever one serves (the penalty they
# add is not a ban), so that the rows read show whether such a walk exists and stays short.
_POSTGRES_SETTINGS = ("enable_seqscan", "enable_sort")
_STEP_EVERY = 100  # the progress handler's period, in virtual-machine instructions
_STATEMENTS = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# An INSERT of values reads nothing (ON CONFLICT looks the row up in the key it names), and
# run again to be examined it would break that key: it is recorded, not examined.
_INSERT_OF_VALUES = re.compile(r"^\s*INSERT\b(?!.*\bSELECT\b)", re.IGNORECASE | re.DOTALL)
_SCAN = re.compile(r"^SCAN (\w+)")


@dataclass
class Statement:
    sql: str
    params: Any

    @property
    def reads(self) -> bool:
        return not _INSERT_OF_VALUES.match(self.sql)


@dataclass
class Examined:
    statement: Statement
    plan: list[str]
    cost: int  # SQLite: virtual-machine steps; PostgreSQL: rows its scans read
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        plan = "\n    ".join(self.plan)
        return f"{self.statement.sql}\n  {self.statement.params!r}\n  cost {self.cost}\n    {plan}"


class Recorder:
    """Records what every connection of an engine executes, while `capture` is open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._into: list[Statement] | None = None
        recorder = self

        class SqliteCursor(sqlite3.Cursor):
            def execute(self, sql: str, parameters: Any = (), /) -> Any:
                recorder.note(sql, parameters)
                return super().execute(sql, parameters)

        class SqliteConnection(sqlite3.Connection):
            def cursor(self, factory: Any = SqliteCursor) -> Any:
                return super().cursor(factory)

        class PostgresCursor(psycopg.Cursor[Any]):
            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                recorder.note(query, params)
                return super().execute(query, params, **options)

        sqlite = engine.dialect.name == "sqlite"

        @event.listens_for(engine, "do_connect")
        def _recording(_dialect: Any, _record: Any, _args: Any, kwargs: dict[str, Any]) -> None:
            if sqlite:
                kwargs["factory"] = SqliteConnection
            else:
                kwargs["cursor_factory"] = PostgresCursor

    def note(self, sql: Any, params: Any) -> None:
        if self._into is not None and isinstance(sql, str) and _STATEMENTS.match(sql):
            self._into.append(Statement(sql, params))

    @contextmanager
    def capture(self) -> Iterator[list[Statement]]:
        self._into = []
        try:
            yield self._into
        finally:
            self._into = None


class Examiner:
    """Examines statements on a connection of its own, each in a transaction rolled back."""

    def __init__(self, engine: Engine) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[Any] | None = None
        if engine.dialect.name == "sqlite":
            self._sqlite = sqlite3.connect(str(engine.url.database), isolation_level=None)
        else:
            url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._postgres = psycopg.connect(url)

    def close(self) -> None:
        for connection in (self._sqlite, self._postgres):
            if connection is not None:
                connection.close()

    def examine(self, statement: Statement) -> Examined:
        if self._sqlite is not None:
            return _examine_sqlite(self._sqlite, statement)
        assert self._postgres is not None
        return _examine_postgres(self._postgres, statement)


def _examine_sqlite(connection: sqlite3.Connection, statement: Statement) -> Examined:
    rows = connection.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
    plan = [row[3] for row in rows]
    steps = [0]

    def step() -> int:
        steps[0] += _STEP_EVERY
        return 0

    connection.execute("BEGIN")
    try:
        connection.set_progress_handler(step, _STEP_EVERY)
        connection.execute(statement.sql, statement.params).fetchall()
    finally:
        connection.set_progress_handler(None, 0)
        connection.execute("ROLLBACK")
    examined = Examined(statement, plan, steps[0])
    for line in plan:
        scanned = _SCAN.match(line)
        if scanned and scanned.group(1) in TABLES:
            examined.problems.append(f"reads all of {scanned.group(1)}: {line}")
    if examined.cost > STEPS_LIMIT:
        examined.problems.append(f"takes {examined.cost} steps (over {STEPS_LIMIT})")
    return examined


def _examine_postgres(connection: psycopg.Connection[Any], statement: Statement) -> Examined:
    try:
        for setting in _POSTGRES_SETTINGS:
            connection.execute(f"SET LOCAL {setting} = off")
        explained = connection.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {statement.sql}", statement.params
        ).fetchone()
    finally:
        connection.rollback()
    assert explained is not None
    document = explained[0]
    root = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    examined = Examined(statement, [], 0)
    _walk_postgres(root, 0, examined)
    if examined.cost > ROWS_READ_LIMIT:
        examined.problems.append(f"reads {examined.cost} rows (over {ROWS_READ_LIMIT})")
    return examined


def _walk_postgres(node: dict[str, Any], depth: int, examined: Examined) -> None:
    kind, table = node["Node Type"], node.get("Relation Name")
    read = 0
    if table in TABLES:
        kept = node.get("Actual Rows", 0)
        removed = node.get("Rows Removed by Filter", 0) + node.get(
            "Rows Removed by Index Recheck", 0
        )
        read = (kept + removed) * node.get("Actual Loops", 1)
        examined.cost += read
        if kind == "Seq Scan":
            examined.problems.append(f"reads all of {table} (no index serves its predicate)")
    index = f" using {node['Index Name']}" if "Index Name" in node else ""
    condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
    where = f" filter {node['Filter']}" if "Filter" in node else ""
    on = f" on {table}" if table else ""
    examined.plan.append(f"{'  ' * depth}{kind}{on}{index} {condition}{where} read={read}")
    for child in node.get("Plans", []):
        _walk_postgres(child, depth + 1, examined)
