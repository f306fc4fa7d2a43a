"""A real `userpool serve` in a child process on a free port, for tests: started with the
development endpoints and the outbox, health-waited, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from userpool.testing._http import answers

# What the fixtures read: codes stored in the outbox, served with the clock at /_userpool/.
DEV_FLAGS = ("--delivery", "outbox", "--dev-endpoints")
START_TIMEOUT = 60.0  # seconds; a first start migrates a fresh database
_PORT_ATTEMPTS = 3  # a free port may be taken between our probe and the server's bind


class ServerFailed(RuntimeError):
    """The server exited, or did not answer /health in time; the message holds its log."""


@dataclass
class RunningServer:
    """A `userpool serve` child process: `url` is its endpoint, `log` its output."""

    url: str
    port: int
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(port: int, data_dir: Path, args: Sequence[str]) -> list[str]:
    """`userpool serve` on 127.0.0.1:`port` with the development flags, then `args` (which
    may override them: a repeated flag's last value wins)."""
    return [
        sys.executable,
        "-m",
        "userpool",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--log-level",
        "warning",
        *DEV_FLAGS,
        *args,
    ]


def start(
    data_dir: Path, args: Sequence[str] = (), timeout: float = START_TIMEOUT
) -> RunningServer:
    """Start `userpool serve` on a free port with its data in `data_dir`, and return once
    its /health answers. USERPOOL_* variables of this process are not passed on, so that the
    server is configured by `args` alone."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(_PORT_ATTEMPTS - 1):
        port = free_port()
        try:
            return _start_on(port, data_dir, args, timeout)
        except ServerFailed:
            if not _port_was_taken(data_dir / f"server-{port}.log"):
                raise
    return _start_on(free_port(), data_dir, args, timeout)


def _port_was_taken(log: Path) -> bool:
    return "address already in use" in log.read_text(errors="replace").lower()


def _start_on(port: int, data_dir: Path, args: Sequence[str], timeout: float) -> RunningServer:
    log = data_dir / f"server-{port}.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("USERPOOL_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            serve_command(port, data_dir, args), stdout=out, stderr=subprocess.STDOUT, env=env
        )
    running = RunningServer(f"http://127.0.0.1:{port}", port, data_dir, log, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"userpool serve exited ({process.returncode}):\n{_tail(log)}")
        if answers(f"{running.url}/health"):
            return running
        time.sleep(0.05)
    running.stop()
    raise ServerFailed(f"userpool serve did not answer /health in {timeout:g} s:\n{_tail(log)}")


def _tail(log: Path, limit: int = 4000) -> str:
    return log.read_text(errors="replace")[-limit:]


@contextmanager
def running_server(data_dir: Path, args: Sequence[str] = ()) -> Iterator[RunningServer]:
    """`start`, then `stop` on leaving: `with running_server(tmp) as server: ...`."""
    server = start(data_dir, args)
    try:
        yield server
    finally:
        server.stop()
