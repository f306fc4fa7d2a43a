"""SQLite's one writer at a time, queued in the operating system rather than in SQLite.

SQLite answers a second writer with SQLITE_BUSY and leaves waiting to a busy handler that
sleeps 1, 2, 5 … up to 100 ms between tries: under load a wait that should last a fraction
of a millisecond becomes a long tail. Writers here first take a lock that the kernel hands
on the moment it is released: a thread lock among this process's threads, then `flock` on
a file beside the database among this machine's processes (the server's workers, the CLI).
Writers outside userpool still meet SQLite's busy handler, which stays set.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any

from sqlalchemy import Engine


def writer_lock_for(engine: Engine) -> AbstractContextManager[Any]:
    """The lock a writer to `engine` takes first: none but SQLite's needs one."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    path = engine.url.database
    return SqliteWriterLock(path if path and path != ":memory:" else None)


class SqliteWriterLock:
    def __init__(self, database_path: str | None) -> None:
        self._path = f"{database_path}.writer-lock" if database_path else None
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._fd_pid = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self) -> int:
        """This process's descriptor: a forked child opens its own, since a lock taken
        through a descriptor it shares with its parent would not exclude the parent."""
        if self._fd is None or self._fd_pid != os.getpid():
            assert self._path is not None
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._fd_pid = os.getpid()
        return self._fd
