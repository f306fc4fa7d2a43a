"""Hot statements: compiled once per dialect and run on the driver's own cursor.

SQLAlchemy's `Connection.execute` spends ~40 µs per statement on its execution context,
events and result machinery; the SQLite lookup behind it takes a few. The statements that
every sign-in, refresh and token check runs go through here instead, inside the same
transaction (the same DB-API connection), with SQLAlchemy's own type conversions applied
to parameters and results, so rows read the same as `Connection.execute`'s.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.expression import Executable, Select

Convert = Callable[[Any], Any]


class _Compiled:
    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order: list[str] | None = list(compiled.positiontup) if compiled.positional else None
        self.to_db: dict[str, Convert] = {}
        # Parameters the statement gives a value itself (a LIMIT), unless the caller does.
        self.given = {
            name: bind.value for name, bind in compiled.binds.items() if not bind.required
        }
        for name, bind in compiled.binds.items():
            processor = bind.type._cached_bind_processor(dialect)
            if processor is not None:
                self.to_db[name] = processor
        self.row: Any = None
        self._columns: list[Any] = []
        self._from_db: list[tuple[int, Convert]] | None = None
        if isinstance(statement, Select):
            self._columns = list(statement.selected_columns)
            self.row = namedtuple("Row", [column.name for column in self._columns])  # type: ignore[misc]
        self._dialect = dialect

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.given:
            values = {**self.given, **values}
        if self.to_db:
            values = {
                name: (self.to_db[name](value) if name in self.to_db else value)
                for name, value in values.items()
            }
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def make_row(self, raw: tuple[Any, ...], description: Any) -> Any:
        if self._from_db is None:  # the driver's column types are known from the first rows
            self._from_db = []
            for index, column in enumerate(self._columns):
                type_code = description[index][1]
                processor = column.type._cached_result_processor(self._dialect, type_code)
                if processor is not None:
                    self._from_db.append((index, processor))
        if self._from_db:
            converted = list(raw)
            for index, processor in self._from_db:
                converted[index] = processor(converted[index])
            raw = tuple(converted)
        return self.row._make(raw)


class Prepared:
    """One statement with named bind parameters, to run many times."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self._statement, dialect)
        return found

    def _cursor(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, _Compiled]:
        compiled = self._compiled(connection)
        cursor = connection.connection.cursor()
        cursor.execute(compiled.sql, compiled.parameters(values))
        return cursor, compiled

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Any | None:
        cursor, compiled = self._cursor(connection, values)
        try:
            raw = cursor.fetchone()
            return None if raw is None else compiled.make_row(raw, cursor.description)
        finally:
            cursor.close()

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[Any]:
        cursor, compiled = self._cursor(connection, values)
        try:
            return [compiled.make_row(raw, cursor.description) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def run(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Execute a write; the number of rows it changed."""
        cursor, _ = self._cursor(connection, values)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
