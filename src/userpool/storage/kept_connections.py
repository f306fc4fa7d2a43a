"""A connection kept open per thread, for SQLite.

Checking a connection out of SQLAlchemy's pool and back in (with its reset) costs about as
much as the statements of a short transaction. On SQLite a connection is a file handle
with nothing to go stale, so each thread keeps one for reads and one for writes. A
transaction opened while the thread's kept connection is in use (nested) gets a pooled one.
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
        self._local = threading.local()

    def _fresh(self) -> Connection:
        return self._engine.connect().execution_options(**self._options)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        local = self._local
        if getattr(local, "busy", False):
            with self._fresh() as nested:
                yield nested
            return
        kept: Connection | None = getattr(local, "kept", None)
        if kept is None or kept.closed or kept.invalidated:
            kept = local.kept = self._fresh()
        local.busy = True
        try:
            yield kept
        finally:
            local.busy = False
            if kept.invalidated or kept.in_transaction():  # left in a state not to reuse
                local.kept = None
                kept.close()
