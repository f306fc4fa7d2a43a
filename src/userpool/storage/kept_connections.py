"""A connection kept open for the thread that serves most requests, on SQLite.

Checking a connection out of SQLAlchemy's pool and back in (with its reset) costs about as
much as the statements of a short transaction. On SQLite a connection is a file handle with
nothing to go stale, so the one thread that runs a worker's inline operations (its event
loop) keeps one open. Every other thread, and a transaction opened while the kept
connection is in use, gets a pooled connection as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine


class KeptConnections:
    def __init__(self, engine: Engine, **options: Any) -> None:
        self._engine = engine
        self._options = options
        self._owner: int | None = None
        self._kept: Connection | None = None
        self._busy = False

    def keep_for_this_thread(self) -> None:
        self._owner = threading.get_ident()

    def _fresh(self) -> Connection:
        return self._engine.connect().execution_options(**self._options)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        if self._busy or threading.get_ident() != self._owner:
            with self._fresh() as pooled:
                yield pooled
            return
        kept = self._kept
        if kept is None or kept.closed or kept.invalidated:
            kept = self._kept = self._fresh()
        self._busy = True
        try:
            yield kept
        finally:
            self._busy = False
            if kept.invalidated or kept.in_transaction():  # left in a state not to reuse
                self._kept = None
                kept.close()
