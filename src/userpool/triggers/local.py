"""Handlers on this machine (`--triggers FILE`), run in real `node` and `python` worker
processes: one small pool of workers per handler file, started on first use and reused.

Concurrency: a worker serves one call at a time, as a Lambda execution environment does (a
handler may keep state in its module between calls, as in Lambda, and never sees two events at
once), and calls to one file share a pool of up to POOL_SIZE workers, started as calls overlap.
A pool rather than one worker per file, because a handler that waits on the network (a user
store, an HTTP API) would otherwise hold up every sign-in behind it, and a call waiting for a
worker spends its own 5 seconds doing so; a small one, because each is a whole runtime (tens of
MB) and every server process (`--workers N`) has its own.

Each call checks the handler file's mtime and size first: a worker started before a change is
stopped and a fresh one takes the call, so an edit applies at the next call without a restart
(changes to files the handler imports are not watched). A worker that exits during a call, runs
past the deadline or breaks the protocol is killed with everything it started, and the call
fails as FunctionUnreachable or FunctionTimedOut; the next call gets a fresh one. A handler that
throws fails the call as FunctionRaised and its worker lives on."""

from __future__ import annotations

import threading
import time
import uuid

from userpool.triggers import FunctionRaised, FunctionTimedOut, FunctionUnreachable
from userpool.triggers.config import function_name
from userpool.triggers.events import JSONDict
from userpool.triggers.triggers_file import LocalHandler, TriggersFile
from userpool.triggers.worker_process import WorkerProcess, source_stamp

POOL_SIZE = 4  # workers per handler file in one server process
CLOSE_GRACE_SECONDS = 0.2  # for an idle worker to see its request pipe close and exit itself

NOT_FOUND = "ResourceNotFoundException"  # as Lambda names a function it does not have


class _Pool:
    """The workers running one handler file."""

    def __init__(self, handler: LocalHandler, size: int) -> None:
        self._handler = handler
        self._size = size
        self._idle: list[WorkerProcess] = []  # most recently used last
        self._busy: set[WorkerProcess] = set()
        self._starting = 0  # workers being started, counted against the size
        self._closed = False
        self._changed = threading.Condition()

    def acquire(self, deadline: float) -> WorkerProcess:
        """An idle worker of the handler file as it is now, or a new one; waits for one to be
        released while the pool is full, until `deadline`."""
        stamp = source_stamp(self._handler.source)
        retired: list[WorkerProcess] = []
        try:
            with self._changed:
                while True:
                    if self._closed:
                        raise FunctionUnreachable(NOT_FOUND)
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.alive and worker.stamp == stamp:
                            self._busy.add(worker)
                            return worker
                        retired.append(worker)  # the file changed, or it exited between calls
                    if len(self._busy) + self._starting < self._size:
                        self._starting += 1
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise FunctionTimedOut()
                    self._changed.wait(remaining)
        finally:
            for worker in retired:
                worker.stop()
        return self._start(stamp)

    def _start(self, stamp: tuple[int, int] | None) -> WorkerProcess:
        try:
            worker = WorkerProcess(self._handler, stamp)
        except OSError as error:  # cannot start the runtime at all (fds, memory, PATH)
            with self._changed:
                self._starting -= 1
                self._changed.notify()
            raise FunctionUnreachable(NOT_FOUND) from error
        with self._changed:
            self._starting -= 1
            self._busy.add(worker)
            if self._closed:  # closed while it started: it must not outlive the pool
                worker.kill()
        return worker

    def release(self, worker: WorkerProcess, reusable: bool) -> None:
        with self._changed:
            self._busy.discard(worker)
            keep = reusable and not self._closed and worker.alive
            if keep:
                self._idle.append(worker)
            self._changed.notify()
        if not keep:
            worker.stop()

    def close(self) -> None:
        """Stop the idle workers (giving each a moment to exit by itself) and kill the busy
        ones, whose callers then stop them."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self._changed.notify_all()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.stop(grace=CLOSE_GRACE_SECONDS)


class LocalInvoker:
    """An Invoker for the functions a triggers file maps to handlers on this machine."""

    def __init__(self, handlers: TriggersFile, pool_size: int = POOL_SIZE) -> None:
        self._handlers = handlers
        self._pool_size = pool_size
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._closed = False
        self._lock = threading.Lock()

    def handles(self, function: str) -> bool:
        return self._handlers.handler_for(function) is not None

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        handler = self._handlers.handler_for(function)
        if handler is None:
            raise FunctionUnreachable(NOT_FOUND)
        deadline = time.monotonic() + timeout
        pool = self._pool_for(handler)
        worker = pool.acquire(deadline)
        reusable = False
        try:
            name = function_name(function)
            output = worker.call(handler.export, name, function, str(uuid.uuid4()), event, deadline)
            reusable = True
            return output
        except FunctionRaised as raised:
            reusable = not raised.worker_exiting
            raise
        finally:
            pool.release(worker, reusable)

    def close(self) -> None:
        """Stop every worker; calls after this fail as FunctionUnreachable."""
        with self._lock:
            self._closed = True
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()

    def _pool_for(self, handler: LocalHandler) -> _Pool:
        key = (handler.runtime.value, handler.target)  # one pool per file, for all its exports
        with self._lock:
            if self._closed:
                raise FunctionUnreachable(NOT_FOUND)
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(handler, self._pool_size)
            return pool
