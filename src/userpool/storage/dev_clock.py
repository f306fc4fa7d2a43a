"""The controllable clock of `serve --dev-endpoints` (http/dev_clock.py sets it): the real time
plus an offset that tests move forwards, set, or reset, so that sessions, codes, temporary
passwords, tokens and lockouts expire without sleeping.

Why the offset lives in the database: every worker process and every node over one
PostgreSQL must agree on the time at once, and an advance posted to one worker must hold for
the next request on any other. A one-row table (migration 0017) is what they all share
already; an advance is one atomic UPDATE of that row, so two advances posted at once to two
workers both count. The table is defined here rather than in schema.py, as only this module
uses it.

Why one read per request: the dev endpoints' middleware (http/dev_clock.py) reads the offset
once as a request arrives and holds it in a context variable for as long as the request is
served (the event loop's task, and the worker thread it may hop to: anyio copies the context
into it), so every reading of the clock in that request agrees, and none waits on a second
database connection while a transaction holds the first. Outside a request (the background
purge, the key rotation schedule) each reading of the clock reads the offset.

Without `--dev-endpoints` none of this exists: the server's clock is `time.time` itself, no
table is read, and no request can change what time it is (a row left by an earlier run with
the flag is ignored).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Column, Connection, Engine, Float, Integer, Table, select

from userpool.storage.database import WRITE_OPTION, insert_for
from userpool.storage.schema import metadata
from userpool.storage.writer_lock import writer_lock_for

ROW = 1
# The clock stays between the epoch and the year 9000: dates are formatted with four-digit
# years (a refresh token may expire ten years after "now").
EARLIEST = 0.0
LATEST = 221_845_392_000.0  # 9000-01-01T00:00:00Z

dev_clock = Table(
    "dev_clock",
    metadata,
    Column("id", Integer, primary_key=True),  # always ROW
    Column("offset_seconds", Float, nullable=False),
)

_HELD: ContextVar[float | None] = ContextVar("userpool_dev_clock_offset", default=None)


class OutOfRange(ValueError):
    """The clock would leave [EARLIEST, LATEST]; nothing was changed."""


class DevClock:
    """A clock: calling it gives the time (epoch seconds) as the tests have moved it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writers = writer_lock_for(engine)  # SQLite's one writer: queue as SqlStore does

    def __call__(self) -> float:
        return time.time() + self.offset()

    def offset(self) -> float:
        """The offset held for the request being served, else the stored one."""
        held = _HELD.get()
        return self.read() if held is None else held

    def read(self) -> float:
        connection = self._engine.connect()
        if self._engine.dialect.name == "postgresql":  # one statement: no BEGIN, no COMMIT
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        with connection:
            found = connection.execute(
                select(dev_clock.c.offset_seconds).where(dev_clock.c.id == ROW)
            ).scalar()
        return float(found or 0.0)

    @contextmanager
    def holding(self, offset: float) -> Iterator[None]:
        """Every reading of the clock in this context (a request) uses `offset`."""
        token = _HELD.set(offset)
        try:
            yield
        finally:
            _HELD.reset(token)

    def advance(self, seconds: float) -> float:
        """Move the clock `seconds` (>= 0) on, atomically; the new offset."""
        if seconds < 0:
            raise OutOfRange("the clock is never advanced backwards")
        most = LATEST - time.time()  # the largest offset the clock may reach
        if seconds > most:
            raise OutOfRange(_RANGE)
        table = dev_clock.c
        with self._writing() as connection:
            insert = insert_for(connection, dev_clock).values(id=ROW, offset_seconds=seconds)
            moved = insert.on_conflict_do_update(
                index_elements=["id"],
                set_={"offset_seconds": table.offset_seconds + seconds},
                where=table.offset_seconds + seconds <= most,
            )
            offset = connection.execute(moved.returning(table.offset_seconds)).scalar()
        if offset is None:  # the row is there, and moving it would pass LATEST
            raise OutOfRange(_RANGE)
        return float(offset)

    def set(self, moment: float) -> float:
        """Make it `moment` (epoch seconds) now; the new offset."""
        if not EARLIEST <= moment <= LATEST:
            raise OutOfRange(_RANGE)
        return self._store(moment - time.time())

    def reset(self) -> float:
        return self._store(0.0)

    def _store(self, offset: float) -> float:
        with self._writing() as connection:
            insert = insert_for(connection, dev_clock).values(id=ROW, offset_seconds=offset)
            connection.execute(
                insert.on_conflict_do_update(index_elements=["id"], set_={"offset_seconds": offset})
            )
        return offset

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with (
            self._writers,
            self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
            connection.begin(),
        ):
            yield connection


_RANGE = "the clock must stay between 1970-01-01 and 9000-01-01 (epoch seconds 0 to 221845392000)"
