"""Many new users at once (repositories.UserBatchRepository), for import jobs: a few
statements per batch rather than a few per user.

The batch's checks are reads (which usernames and sign-in names are taken), and its writes
are plain INSERTs of every row at once. On PostgreSQL they are inside a savepoint: should
someone else take one of those names between the read and the write (an AdminCreateUser
committing at that moment), a unique key refuses the INSERT, the savepoint rolls the whole
batch back, and the caller sorts the batch out again against what is stored now
(services/import_batches.py). On SQLite the batch's transaction holds the database from its
start, so nothing can be taken meanwhile. So the fast path never writes what a unique key
would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from userpool.domain.models import User
from userpool.storage.repositories import SignInNames
from userpool.storage.schema import sign_in_names, user_search, users
from userpool.storage.sql_users import _row_values, search_rows

# Bound parameters per IN (...) list: SQLite takes 32,766 in all, PostgreSQL 65,535.
_IN_LIST = 500
_COMPILED: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _slices(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _IN_LIST):
        yield values[start : start + _IN_LIST]


class SqlUserBatches:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def taken_usernames(self, pool_id: str, keys: Sequence[str]) -> set[str]:
        """Which of the username keys `keys` are taken in the pool."""
        taken: set[str] = set()
        for part in _slices(keys):
            query = select(users.c.username_key).where(
                users.c.pool_id == pool_id, users.c.username_key.in_(part)
            )
            taken.update(row.username_key for row in self._db.execute(query))
        return taken

    def taken_names(self, pool_id: str, names: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the sign-in names (attribute, key) someone holds in the pool."""
        taken: set[tuple[str, str]] = set()
        by_attribute: dict[str, list[str]] = {}
        for attribute, key in names:
            by_attribute.setdefault(attribute, []).append(key)
        # One attribute at a time: SQLite looks `key IN (...)` up in the primary key, where
        # with `(attribute, key) IN (VALUES ...)` it walked every name of the pool.
        for attribute, keys in by_attribute.items():
            for part in _slices(keys):
                query = select(sign_in_names.c.key).where(
                    sign_in_names.c.pool_id == pool_id,
                    sign_in_names.c.attribute == attribute,
                    sign_in_names.c.key.in_(part),
                )
                taken.update((attribute, row.key) for row in self._db.execute(query))
        return taken

    def add_all(self, entries: Sequence[tuple[User, str, SignInNames]]) -> bool:
        """Insert every (user, username key, sign-in names) in one go; False, with nothing
        written, when a unique key refused one of them."""
        if not entries:
            return True
        rows: list[dict[str, Any]] = []
        searched: list[dict[str, Any]] = []
        claimed: list[dict[str, Any]] = []
        for user, username_key, names in entries:
            row = _row_values(user)
            row.update(sub=user.sub, pool_id=user.pool_id, username_key=username_key)
            rows.append(row)
            searched.extend(
                row._asdict() for row in search_rows(user.pool_id, user.sub, user.attributes)
            )
            claimed.extend(
                {"pool_id": user.pool_id, "attribute": attribute, "key": key, "sub": user.sub}
                for attribute, key in names.items()
            )
        tables = ((users, rows), (user_search, searched), (sign_in_names, claimed))
        if self._db.dialect.name == "sqlite":
            # The transaction has held SQLite's one writer since it began (BEGIN IMMEDIATE),
            # so no name can have been taken since the batch's reads: no savepoint, whose
            # journal copied every page the batch touched (a fifth of an import's time).
            # Should a unique key refuse a row anyway, the error ends the whole transaction.
            for table, values in tables:
                if values:
                    self._insert_many(table, values)
            return True
        try:
            with self._db.begin_nested():
                for table, values in tables:
                    if values:
                        self._insert_many(table, values)
        except (IntegrityError, psycopg.IntegrityError):
            return False
        self._analyze_grown_tables()
        return True

    def _analyze_grown_tables(self) -> None:
        """ANALYZE each table a batch fills once its rows have about doubled since its last
        statistics (about ten times over a million users). Without them PostgreSQL read the
        next batch's `taken_usernames` through the pool's prefix of another index, every user
        of the pool per query (bench/million.py: 573 users/s at 100,000, falling as the pool
        grew); autovacuum may be off, and when on, waits a minute and 10% of growth."""
        grown = self._db.exec_driver_sql(
            "SELECT s.relid::regclass::text FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid WHERE s.relid IN "
            "('users'::regclass, 'user_search'::regclass, 'sign_in_names'::regclass) "
            "AND s.n_mod_since_analyze >= 1000 AND s.n_mod_since_analyze > c.reltuples"
        )
        for (table,) in grown.all():
            self._db.exec_driver_sql(f"ANALYZE {table}")

    def _insert_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """INSERT every row through the driver, the statement compiled once per shape:
        SQLAlchemy's handling of each row's parameters costs about as much as the database's
        work. SQLite takes them with executemany; PostgreSQL with COPY (a stream of rows,
        where executemany sends a statement per row, and a multi-row INSERT of thousands of
        parameters costs the driver more to parse than the server to run)."""
        names = tuple(rows[0])
        if self._db.dialect.name == "sqlite":
            sql, order = self._compiled(table, names)
            cursor = self._db.connection.cursor()
            try:
                cursor.executemany(sql, [tuple(row[name] for name in order) for row in rows])
            finally:
                cursor.close()
            return
        columns = ", ".join(f'"{name}"' for name in names)
        cursor = self._db.connection.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(tuple(row[name] for name in names))
        finally:
            cursor.close()

    def _compiled(self, table: Table, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        key = (table.name, names)
        if key not in _COMPILED:
            statement = insert(table).values({name: bindparam(name) for name in names})
            compiled = statement.compile(dialect=self._db.dialect)
            _COMPILED[key] = (str(compiled), tuple(compiled.positiontup or names))
        return _COMPILED[key]
