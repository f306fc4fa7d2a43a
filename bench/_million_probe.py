"""bench/million.py's measurements that are not a timed window of one repeated request: a
fixed list of requests sent once each (first sign-ins, which turn a hash into a verifier and
so cannot be repeated), ListUsers pages and walks, the server's memory and the database's
size."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _cells
import _http
import orjson


@dataclass(frozen=True)
class Once:
    """Requests sent once each over `concurrency` connections."""

    label: str
    concurrency: int
    count: int
    errors: int
    seconds: float
    latencies: list[float]  # sorted
    server_cpu: float | None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        server = "-" if self.server_cpu is None else f"{self.server_cpu / self.count * 1000:.2f}"
        return (
            f"{self.label:<34} {self.concurrency:>4} {self.count:>6} {self.rate:8.1f} "
            f"{_cells.ms(self.latencies, 0.5):8.2f} {_cells.ms(self.latencies, 0.99):8.2f} "
            f"{self.errors:>6} {server:>10}"
        )


ONCE_HEADER = (
    f"{'requests sent once each':<34} {'conc':>4} {'count':>6} {'req/s':>8} {'p50 ms':>8} "
    f"{'p99 ms':>8} {'errors':>6} {'srv ms/req':>10}"
)


def send_once(
    url: str,
    label: str,
    requests: Sequence[bytes],
    expect: bytes,
    concurrency: int,
    server_pid: int | None,
) -> Once:
    """Each request once, `concurrency` at a time from this process (the server does the
    work here: a hash check costs it milliseconds, the client microseconds)."""
    pids = _http.process_tree(server_pid) if server_pid else []
    latencies: list[float] = []
    failures: list[str] = []

    async def main() -> float:
        connections = [await _http.connect(url) for _ in range(concurrency)]
        queue = iter(requests)

        async def drive(connection: _http.Connection) -> None:
            for request in queue:  # one shared iterator: each request goes once
                began = time.perf_counter()
                status, body = await connection.call(request)
                latencies.append(time.perf_counter() - began)
                if status != 200 or expect not in body:
                    failures.append(f"HTTP {status}: {body[:200]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(drive(connection) for connection in connections))
        took = time.perf_counter() - started
        for connection in connections:
            connection.close()
        return took

    before = _http.cpu_seconds(pids)
    seconds = _http.run(main)
    server = _http.cpu_seconds(pids) - before if pids else None
    if failures:
        print(f"  {label}: {len(failures)} errors, e.g. {failures[0]}", flush=True)
    return Once(
        label, concurrency, len(latencies), len(failures), seconds, sorted(latencies), server
    )


@dataclass(frozen=True)
class FilterTiming:
    """ListUsers' first page (Limit 60) for one filter, asked `calls` times."""

    filter_text: str  # one of the filters asked, as an example
    calls: int
    found: int  # users on the last page asked
    latencies: list[float]  # sorted
    error: str

    def line(self) -> str:
        if self.error:
            return f"{self.filter_text:<46} {'':>5} {'':>5} {'':>8} {'':>8} {self.error}"
        return (
            f"{self.filter_text:<46} {self.calls:>5} {self.found:>5} "
            f"{_cells.ms(self.latencies, 0.5):8.2f} {self.latencies[-1] * 1000:8.2f}"
        )


FILTER_HEADER = (
    f"{'ListUsers filter (first page, Limit 60)':<46} {'calls':>5} {'users':>5} "
    f"{'p50 ms':>8} {'max ms':>8}"
)


async def _list(
    client: _http.Client, pool_id: str, filter_text: str, token: str | None
) -> dict[str, Any]:
    request: dict[str, object] = {"UserPoolId": pool_id, "Limit": 60}
    if filter_text:
        request["Filter"] = filter_text
    if token:
        request["PaginationToken"] = token
    page: dict[str, Any] = await client.call("ListUsers", request)
    return page


def first_pages(target: _http.Target, filters: Sequence[Sequence[str]]) -> list[FilterTiming]:
    """Each group of filters (one attribute and operator, several values) asked one after
    another on one connection."""

    async def main() -> list[FilterTiming]:
        client = await target.client(admin=True)
        timings = []
        for group in filters:
            latencies: list[float] = []
            found, error = 0, ""
            for text in group:
                began = time.perf_counter()
                try:
                    page = await _list(client, target.pool_id, text, None)
                except _http.CallError as failure:
                    error = orjson.loads(failure.body).get("__type", str(failure.status))
                    break
                latencies.append(time.perf_counter() - began)
                found = len(page["Users"])
            timings.append(FilterTiming(group[0], len(latencies), found, sorted(latencies), error))
        client.connection.close()
        return timings

    result: list[FilterTiming] = _http.run(main)
    return result


@dataclass(frozen=True)
class Walk:
    label: str
    pages: int
    users: int
    seconds: float
    finished: bool
    slowest: float

    def line(self) -> str:
        end = "to the end" if self.finished else "STOPPED at the time limit"
        return (
            f"{self.label:<46} {self.pages:>6} pages {self.users:>8} users {self.seconds:8.1f} s "
            f"{self.pages / self.seconds:7.1f} pages/s, slowest page {self.slowest * 1000:.1f} ms, "
            f"{end}"
        )


def walk(target: _http.Target, label: str, filter_text: str, limit_seconds: float) -> Walk:
    """ListUsers pages of 60, token after token, to the end or for `limit_seconds`."""

    async def main() -> Walk:
        client = await target.client(admin=True)
        pages = users = 0
        slowest = 0.0
        token: str | None = None
        started = time.perf_counter()
        while True:
            began = time.perf_counter()
            page = await _list(client, target.pool_id, filter_text, token)
            slowest = max(slowest, time.perf_counter() - began)
            pages, users = pages + 1, users + len(page["Users"])
            token = page.get("PaginationToken")
            took = time.perf_counter() - started
            if token is None or took > limit_seconds:
                client.connection.close()
                return Walk(label, pages, users, took, token is None, slowest)

    result: Walk = _http.run(main)
    return result


def rss_mib(server_pid: int) -> list[float]:
    """Resident memory of each server process (the supervisor first), MiB."""
    sizes = []
    for pid in _http.process_tree(server_pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kib = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        sizes.append(kib / 1024)
    return sizes


def data_dir_of(server_pid: int) -> Path | None:
    """The --data-dir the server was started with (bench/_http.own_server's temp dir)."""
    words = Path(f"/proc/{server_pid}/cmdline").read_bytes().split(b"\0")
    for flag, value in itertools.pairwise(words):
        if flag == b"--data-dir":
            return Path(value.decode())
    return None


def database_size(server_pid: int, db_url: str | None) -> str:
    """SQLite: the database file, its WAL and shared-memory file; PostgreSQL:
    pg_database_size and the largest tables (with their indexes)."""
    if db_url is None:
        data_dir = data_dir_of(server_pid)
        if data_dir is None:
            return "unknown (no --data-dir)"
        parts = []
        for suffix in ("", "-wal", "-shm"):
            path = data_dir / f"userpool.db{suffix}"
            size = path.stat().st_size if path.exists() else 0
            parts.append(f"userpool.db{suffix} {size / 2**20:.1f} MiB")
        return ", ".join(parts)
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        total = row[0] if row else 0
        tables = connection.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "ORDER BY 2 DESC LIMIT 4"
        ).fetchall()
    listed = ", ".join(f"{name} {size / 2**20:.1f}" for name, size in tables)
    return f"pg_database_size {total / 2**20:.1f} MiB (largest, with indexes, MiB: {listed})"


class Paced:
    """Requests sent one at a time, `per_second` of them, from a thread of their own until
    stopped: how long a sign-in (which writes) waits while an import job holds the writer."""

    def __init__(self, url: str, requests: Sequence[bytes], per_second: float) -> None:
        self.latencies: list[float] = []
        self.failures = 0
        self._url, self._requests, self._gap = url, requests, 1 / per_second
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: _http.run(self._main), daemon=True)

    def __enter__(self) -> Paced:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    async def _main(self) -> None:
        connection = await _http.connect(self._url)
        for request in itertools.cycle(self._requests):
            if self._stop.is_set():
                break
            began = time.perf_counter()
            status, _ = await connection.call(request)
            took = time.perf_counter() - began
            self.latencies.append(took)
            self.failures += status != 200
            await asyncio.sleep(max(0.0, self._gap - took))
        connection.close()

    def line(self, label: str) -> str:
        ms = sorted(latency * 1000 for latency in self.latencies)
        if not ms:
            return f"  {label}: none sent"
        return (
            f"  {label}: {len(ms)} sent, p50 {ms[len(ms) // 2]:.1f} ms, "
            f"p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.1f} ms, max {ms[-1]:.1f} ms, "
            f"{self.failures} failed"
        )
