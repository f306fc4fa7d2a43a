"""Several worker processes on one port, each with its own listening socket.

uvicorn's own `--workers` hands one shared socket to every worker, and a keep-alive
connection stays with the worker that accepted it: under a burst of new connections one
idle worker accepts nearly all of them, and the other sits unused. Here each worker binds
its own socket with SO_REUSEPORT, so the kernel spreads connections evenly across them.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

RESTART_PAUSE_SECONDS = 0.5


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other workers may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


def run(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Run `workers` uvicorn servers until SIGINT or SIGTERM; restart any that dies."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port, options), daemon=False)
        process.start()
        return process

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(RESTART_PAUSE_SECONDS)
            for index, process in enumerate(processes):
                if not stopping and not process.is_alive():
                    processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()
        for process in processes:
            process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
