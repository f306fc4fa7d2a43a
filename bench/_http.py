"""Benchmark helpers: a lean HTTP/1.1 keep-alive client sending hand-built AWS JSON 1.1
requests; a `userpool serve` process to aim it at (on SQLite, or on a throwaway PostgreSQL
database), its CPU time and its py-spy profile.

One `Connection` is an asyncio protocol on one socket with at most one request in flight.
Requests are bytes built once (`aws_json_request`); a response is parsed only as far as the
status line and `content-length` (uvicorn always sends it for these responses), so the
client spends a few microseconds per call where `http.client` spends tens in its
`email`-based header parser.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import orjson

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
FAKE_SIGNATURE = "0" * 64
TICK = os.sysconf("SC_CLK_TCK")
# Where a bench script may create a database of its own (trust auth, like tests/pg.py).
PG_ADMIN_URL = os.environ.get("USERPOOL_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def sigv4_shaped_headers(region: str, now: float | None = None) -> str:
    """`Authorization` and `X-Amz-Date` lines shaped like SigV4, with a dummy signature:
    enough for a server without `--credentials`, which checks the shape only."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    return (
        f"Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/{stamp[:8]}/{region}/"
        "cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        f"Signature={FAKE_SIGNATURE}\r\nX-Amz-Date: {stamp}\r\n"
    )


def aws_json_request(
    host: str, operation: str, payload: dict[str, Any], *, signed_region: str | None = None
) -> bytes:
    """The whole HTTP request for one operation, ready to write to a keep-alive socket."""
    body = orjson.dumps(payload)
    auth = sigv4_shaped_headers(signed_region) if signed_region else ""
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: {CONTENT_TYPE}\r\n"
        f"X-Amz-Target: {TARGET_PREFIX}{operation}\r\n{auth}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; `call` sends a request and returns (status, body)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._status = 0
        self._body_start = -1
        self._end = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is not None:
            self._try_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError(f"connection closed: {exc}"))
        self._transport = None

    def _try_complete(self) -> None:
        buffer = self._buffer
        if self._body_start < 0:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(buffer[:head_end]).lower()
            self._status = int(head[9:12])
            at = head.find(b"\r\ncontent-length:")
            if at < 0:
                raise ConnectionError("response without content-length")
            line_end = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
            self._body_start = head_end + 4
            self._end = self._body_start + length
        if len(buffer) < self._end:
            return
        body = bytes(buffer[self._body_start : self._end])
        del buffer[: self._end]
        self._body_start = self._end = -1
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self._status, body))

    async def call(self, request: bytes) -> tuple[int, bytes]:
        if self._transport is None:
            raise ConnectionError("connection closed")
        waiter: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        self._transport.write(request)
        return await waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def connect(url: str) -> Connection:
    host, port = host_port(url)
    _, protocol = await asyncio.get_running_loop().create_connection(Connection, host, port)
    return protocol


def run(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run `main()` on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main())


class CallError(Exception):
    def __init__(self, operation: str, status: int, body: bytes) -> None:
        super().__init__(f"{operation}: HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


@dataclass
class Client:
    """A connection plus what setup code needs to call operations by name."""

    connection: Connection
    host: str  # the Host header, host:port
    region: str | None = None  # sign admin calls (SigV4-shaped) for this region

    async def call(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One call: the decoded response, or `CallError`."""
        request = aws_json_request(self.host, operation, payload, signed_region=self.region)
        status, body = await self.connection.call(request)
        if status != 200:
            raise CallError(operation, status, body)
        result: dict[str, Any] = orjson.loads(body)
        return result


def username(index: int) -> str:
    """The name of the `index`-th user a bench script loads."""
    return f"user{index:07d}"


@dataclass(frozen=True)
class Target:
    """A server under measurement, and the pool and app client a script made there."""

    url: str
    host: str  # the Host header: host:port
    region: str
    pool_id: str = ""
    client_id: str = ""

    async def client(self, *, admin: bool = False) -> Client:
        """A connection; `admin`: its requests are signed (shape only), as IAM ones are."""
        connection = await connect(self.url)
        return Client(connection, self.host, self.region if admin else None)

    def admin_request(self, operation: str, payload: dict[str, Any]) -> bytes:
        """An IAM-authenticated request about the pool, built once to send many times."""
        payload = {"UserPoolId": self.pool_id, **payload}
        return aws_json_request(self.host, operation, payload, signed_region=self.region)

    def public_request(self, operation: str, payload: dict[str, Any]) -> bytes:
        """A request through the app client (ClientId), unsigned, as a browser's would be."""
        return aws_json_request(self.host, operation, {"ClientId": self.client_id, **payload})


@contextlib.contextmanager
def own_server(
    workers: int, db: str | None, extra: Sequence[str] = ()
) -> Iterator[tuple[str, int]]:
    """`userpool serve` (with `extra` arguments) on a free port with a temporary data dir;
    yields (url, pid)."""
    with tempfile.TemporaryDirectory(prefix="userpool-bench-") as data_dir:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        command = [sys.executable, "-m", "userpool", "serve", "--port", str(port)]
        command += ["--data-dir", data_dir, "--workers", str(workers), "--log-level", "warning"]
        command += ["--db", db] if db else []
        command += extra
        env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
        log = Path(data_dir) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_healthy(port, process, log)
            yield f"http://127.0.0.1:{port}", process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def throwaway_postgres(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards; yields its URL. Created
    with an ICU `en-US` collation like tests/pg.py, as production servers mostly sort by a
    language collation rather than by bytes."""
    import psycopg  # only the PostgreSQL runs need it
    from sqlalchemy.engine import make_url

    name = f"userpool_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        )
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def analyze_postgres(url: str) -> None:
    """ANALYZE the whole database, as autovacuum would have done to one in use. A freshly
    loaded one has no statistics, and PostgreSQL then plans lookups badly (seen: a user by
    `sub` through the (pool_id, username_key) index, reading every user of the pool) and
    re-plans whenever autovacuum gets round to it, in the middle of a measurement."""
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as connection:
        connection.execute("ANALYZE")


def _wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"server did not become healthy:\n{log.read_text()}")


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (uvicorn's worker processes; with bench/nodes.py, every
    node's), not multiprocessing's tracker."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                tracker = b"resource_tracker" in (entry / "cmdline").read_bytes()
                if not tracker:
                    parent = int(stat.rsplit(")", 1)[1].split()[1])
                    children.setdefault(parent, []).append(int(entry.name))
    pids = [root]
    for pid in pids:  # grows as it goes: breadth first
        pids.extend(children.get(pid, []))
    return pids


def cpu_by_process(pids: Sequence[int]) -> list[float]:
    """User + system CPU seconds of each process (0 for one that is gone)."""
    seconds = []
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds.append((int(fields[11]) + int(fields[12])) / TICK)  # utime, stime
        except OSError:
            seconds.append(0.0)
    return seconds


def cpu_seconds(pids: Sequence[int]) -> float:
    return sum(cpu_by_process(pids))


def machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK  # all but idle and iowait


PY_SPY = "py-spy record --pid {pid} --subprocesses --rate 250 --format {format} --output {output}"


def start_profiler(command: str, output: Path, pid: int) -> subprocess.Popen[bytes]:
    """A profiler on the server until SIGINT. `command` may use {pid} (the server's first
    process), {pids} (all, comma-separated: `perf record -g -p {pids} -o {output}`),
    {output} and {format} (py-spy's, from the file's suffix: .svg, .json, else raw)."""
    if command.startswith("py-spy") and shutil.which("py-spy") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(output.suffix, "raw")
    pids = ",".join(map(str, process_tree(pid)))
    words = shlex.split(command.format(pid=pid, pids=pids, output=output, format=fmt))
    return subprocess.Popen(words, stdout=subprocess.DEVNULL)


def summarise_profile(output: Path, top: int = 30) -> None:
    """For py-spy's raw (collapsed-stack) output: the functions with the most samples."""
    if output.suffix in (".svg", ".json", ".data") or not output.exists():
        return
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in output.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack:
            continue
        count = int(samples)
        frames = [
            f.split(":")[0] + ")" if " (" in f else f
            for f in stack.split(";")
            if not f.startswith("process ")
        ]
        total += count
        own[frames[-1] if frames else "?"] += count
        for frame in set(frames):
            inclusive[frame] += count
    print(f"profile: {output} ({total} samples of busy server threads)")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"  top {top} by {title} samples:")
        for frame, count in counter.most_common(top):
            print(f"    {count / total * 100:5.1f}%  {frame}")


def run_main(
    name: str,
    args: Any,
    benchmark: Callable[[Any, str, int | None], Sequence[Any]],
    header: str,
    format_row: Callable[[Any], str],
    server_args: Sequence[str] = (),
) -> None:
    """What every bench script's `main` does: say where it runs, run against `--endpoint` or
    a server of its own (started with `server_args`), and print the table of results."""
    where = args.endpoint or f"own server, {args.workers} workers, {args.db or 'SQLite'}"
    if not args.endpoint and server_args:
        where += f" ({' '.join(server_args)})"
    print(
        f"{name} bench: {where}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; "
        f"{args.processes} client processes; warm-up {args.warmup} s, window {args.seconds} s",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        if args.endpoint:
            url, pid = args.endpoint.rstrip("/"), None
        else:
            url, pid = stack.enter_context(own_server(args.workers, args.db, server_args))
        rows = benchmark(args, url, pid)
    print(f"\n== results (load average now {os.getloadavg()[0]:.2f}) ==")
    print(header)
    for row in rows:
        print(format_row(row))
