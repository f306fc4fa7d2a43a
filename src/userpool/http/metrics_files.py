"""Where the worker processes of one `userpool serve` keep their metrics: prometheus_client's
multiprocess mode, one memory-mapped file per worker and metric type in a directory of this
run's own, which /metrics (served by any worker) adds up.

The directory is made by `serve` before any worker starts and named after its process, in the
system's temporary directory (TMPDIR); it is removed when the server stops. A server killed
with -9 cannot remove its own: the next start on this machine removes every such directory
whose server is gone. Two servers on one machine (two nodes, in tests) never share one, so
each node's /metrics counts its own requests only.

Nothing here imports prometheus_client: it reads PROMETHEUS_MULTIPROC_DIR once, when it is
first imported, so the variable must be set before that (in `serve`, before uvicorn loads
the app).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "userpool-metrics-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale(parent: Path) -> None:
    """Remove this user's directories of servers that are gone (killed before they could)."""
    for found in parent.glob(f"{PREFIX}*-*"):
        pid = found.name[len(PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):  # gone already: another server cleaned it
            if found.is_dir() and found.stat().st_uid == os.getuid():
                shutil.rmtree(found, ignore_errors=True)


def _exit(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)  # as a shell reports a process a signal ended


@contextmanager
def run_directory() -> Iterator[Path]:
    """This run's directory, set in the environment the workers inherit, and removed when the
    server stops. uvicorn re-raises the SIGTERM it stopped on once it is done: the handler set
    here turns it into an exit that runs this removal."""
    parent = Path(tempfile.gettempdir())
    remove_stale(parent)
    run = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
    os.environ[ENV] = str(run)
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield run
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(run, ignore_errors=True)


def forget_worker(pid: int) -> None:
    """A worker died (and another takes its place): its gauges (connections it had checked
    out) stop counting; its counters stay, as Prometheus expects of a counter."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
