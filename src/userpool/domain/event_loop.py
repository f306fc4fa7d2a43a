"""Work too slow for a worker's event loop, found to be needed only once a request runs there.

Most operations run on the worker's event loop (app.inline_operations), where a request that
holds the CPU holds every other request of that worker. Some learn only part-way that they
must do something slow: checking a password against a hash brought by a user import (up to
~250 ms of CPU at bcrypt's cost 12). Such code calls `leave_if_on_the_loop()` first. On the
loop it raises `MustLeaveTheLoop`, before anything is written (the transaction rolls back),
and the dispatcher runs the request again, from the start, in a thread
(protocol/dispatch.py `handle_on_loop`), where the hashing libraries let go of the GIL and the
loop goes on serving. Anywhere else it does nothing. Ordinary requests pay nothing for this:
no lookup decides it in advance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ON_THE_LOOP: ContextVar[bool] = ContextVar("userpool_on_the_event_loop", default=False)


class MustLeaveTheLoop(BaseException):
    """A BaseException, as KeyboardInterrupt is: no `except Exception` on the way may take it
    for a fault of the operation."""


@contextmanager
def on_the_loop() -> Iterator[None]:
    """The code run inside is on the event loop."""
    token = _ON_THE_LOOP.set(True)
    try:
        yield
    finally:
        _ON_THE_LOOP.reset(token)


def leave_if_on_the_loop() -> None:
    """Before slow work: on the event loop, give the request up so it runs in a thread."""
    if _ON_THE_LOOP.get():
        raise MustLeaveTheLoop
