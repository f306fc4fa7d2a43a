"""Sign-ins through Debian's nginx in front of N `userpool serve` nodes on one PostgreSQL
database, as docs/deploy.md deploys them: bench/signin.py's cells against the balancer.

    python bench/nodes.py --nodes 2 --users 100 --ops USER_PASSWORD_AUTH,REFRESH_TOKEN_AUTH \\
        --concurrency 32 --seconds 8 --warmup 6

A new database for the run (dropped after it), the migrations once, then the nodes (each
`--workers` processes, one server key through USERPOOL_SECRET_KEY), then nginx round-robin
over them with tests/nginx_support.py's configuration. The nodes are started under one shell,
so `srv ms/req` is the CPU of every node's processes per request; nginx's and PostgreSQL's
CPU fall under `other%`. On a machine of two cores more nodes add no CPU: what the figures
show is what each node costs per request, and what spreading the load over them adds.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _http
import signin
from tests.nginx_support import NGINX, nginx_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `url`/health answers 200; exits with `log` if `process` ends first."""
    host, port = _http.host_port(url)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection(host, port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not answer /health:\n{log.read_text()}")


@contextlib.contextmanager
def in_group(
    command: list[str], log: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` in a new process group, ended with it (SIGTERM, then SIGKILL)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def deployment(nodes: int, workers: int, db_url: str) -> Iterator[tuple[str, int]]:
    """(nginx's URL, the pid of the shell whose descendants are the nodes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    env["USERPOOL_SECRET_KEY"] = secrets.token_urlsafe(32)
    python = [sys.executable, "-m", "userpool"]
    subprocess.run([*python, "migrate", "--db", db_url], check=True, env=env)
    with (
        tempfile.TemporaryDirectory(prefix="userpool-nodes-") as base,
        contextlib.ExitStack() as stack,
    ):
        ports = [free_port() for _ in range(nodes)]
        serve = [
            [
                *python,
                "serve",
                "--port",
                str(port),
                "--data-dir",
                f"{base}/node-{k}",
                *("--workers", str(workers), "--log-level", "warning", "--db", db_url),
            ]
            for k, port in enumerate(ports)
        ]
        script = " & ".join(shlex.join(command) for command in serve) + " & wait"
        log = Path(base) / "nodes.log"
        shell = stack.enter_context(in_group(["sh", "-c", script], log, env))
        for port in ports:
            wait_healthy(f"http://127.0.0.1:{port}", "a node", shell, log)
        directory = Path(base) / "nginx"
        directory.mkdir()
        balancer = free_port()
        addresses = [f"127.0.0.1:{port}" for port in ports]
        config = directory / "nginx.conf"
        config.write_text(nginx_config(balancer, addresses, directory))
        error_log = directory / "error.log"
        command = [str(NGINX), "-p", str(directory), "-c", str(config), "-e", str(error_log)]
        daemon = [*command, "-g", "daemon off;"]
        proxy = stack.enter_context(in_group(daemon, directory / "out", env))
        url = f"http://127.0.0.1:{balancer}"
        wait_healthy(url, "nginx", proxy, error_log)
        yield url, shell.pid


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    nodes = 3
    if "--nodes" in argv:
        at = argv.index("--nodes")
        nodes = int(argv[at + 1])
        del argv[at : at + 2]
    args = signin.parse_args(argv)
    if args.endpoint or args.db:
        raise SystemExit("nodes.py starts its own nodes on a new database: no --endpoint/--db")
    if not NGINX.is_file():
        raise SystemExit(f"{NGINX} is not installed (apt-get install nginx)")
    print(
        f"nodes bench: {nodes} nodes x {args.workers} workers behind nginx, PostgreSQL; "
        f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; {args.processes} client "
        f"processes; warm-up {args.warmup} s, window {args.seconds} s",
        flush=True,
    )
    with (
        _http.throwaway_postgres() as db_url,
        deployment(nodes, args.workers, db_url) as (
            url,
            shell,
        ),
    ):
        rows = signin.benchmark(args, url, shell)
    print(f"\n== results (load average now {os.getloadavg()[0]:.2f}) ==")
    print(signin.HEADER)
    for row in rows:
        print(signin.format_row(row))


if __name__ == "__main__":
    main()
