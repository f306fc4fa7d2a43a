"""Several worker processes on one port, each with its own listening socket.

uvicorn's own `--workers` hands one shared socket to every worker, and a keep-alive
connection stays with the worker that accepted it: under a burst of new connections one
idle worker accepts nearly all of them, and the other sits unused. Here each worker binds
its own socket with SO_REUSEPORT, so the kernel spreads connections evenly across them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from userpool.http import metrics_files

RESTART_PAUSE_SECONDS = 0.5
SIGINT_GRACE_SECONDS = 5.0


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other workers may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down already
        uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


def run(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Run `workers` uvicorn servers until SIGINT or SIGTERM; restart any that dies."""
    context = multiprocessing.get_context("spawn")
    stopping: int | None = None  # the signal that asked us to stop

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port, options))
        process.start()
        return process

    def stop(received: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = received

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    try:
        while stopping is None:
            time.sleep(RESTART_PAUSE_SECONDS)
            for index, process in enumerate(processes):
                if stopping is None and not process.is_alive():
                    if process.pid is not None:
                        metrics_files.forget_worker(process.pid)
                    processes[index] = start()
    finally:
        if stopping == signal.SIGINT:  # Ctrl-C reached the workers too: let them finish
            deadline = time.monotonic() + SIGINT_GRACE_SECONDS
            for process in processes:
                process.join(timeout=max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
