"""One benchmark cell, as admin.py and signin.py measure it: `concurrency` keep-alive
connections spread over several load processes (forked, so requests may be closures), a
warm-up, then a measured window; the latencies of the requests that began and ended in it,
the errors, and the CPU that the load processes, the server's processes and the whole
machine spent in it."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import signal
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _http

FORK = mp.get_context("fork")
MakeRequest = Callable[[int, int], bytes]  # (connection number, requests it sent) -> request


@dataclass(frozen=True)
class Window:
    start: float  # wall clock, shared by all processes: warm-up begins
    measure: float  # the window begins
    end: float


@dataclass
class Share:
    latencies: bytes  # array('d') of seconds
    errors: int
    sample: str
    cpu: float  # this load process's CPU seconds in the window


async def cpu_in_window(w: Window) -> float:
    """This process's CPU seconds within the measured window (waits until it ends)."""
    await asyncio.sleep(max(0.0, w.measure - time.time()))
    before = time.process_time()
    await asyncio.sleep(max(0.0, w.end - time.time()))
    return time.process_time() - before


def ms(ordered: Sequence[float], quantile: float) -> float:
    """The `quantile` of sorted seconds, in milliseconds (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * quantile))] * 1000


async def _drive(
    url: str, make: MakeRequest, numbers: list[int], expect: bytes, w: Window
) -> Share:
    connections = [await _http.connect(url) for _ in numbers]
    await asyncio.sleep(max(0.0, w.start - time.time()))
    latencies = array("d")
    failures: list[str] = []

    async def drive(connection: _http.Connection, number: int) -> None:
        sent = 0
        while (began := time.time()) < w.end:
            try:
                status, body = await connection.call(make(number, sent))
            except ConnectionError as error:
                failures.append(str(error))
                return
            ended = time.time()
            sent += 1
            if status != 200 or expect not in body:
                failures.append(f"HTTP {status}: {body[:200]!r}")
            elif began >= w.measure and ended <= w.end:
                latencies.append(ended - began)

    cpu = asyncio.ensure_future(cpu_in_window(w))
    await asyncio.gather(*(drive(c, n) for c, n in zip(connections, numbers, strict=True)))
    for connection in connections:
        connection.close()
    return Share(latencies.tobytes(), len(failures), failures[0] if failures else "", await cpu)


def _cell_process(
    url: str, make: MakeRequest, numbers: list[int], expect: bytes, w: Window, out: Any
) -> None:
    out.put(_http.run(lambda: _drive(url, make, numbers, expect, w)))


@dataclass(frozen=True)
class Measured:
    latencies: list[float]  # sorted, seconds
    errors: int
    client_cpu: float  # the load processes' CPU seconds in the window
    server_cpu: list[float] | None  # each server process's (None: no server pid known)
    machine_busy: float  # the whole machine's busy CPU seconds in the window

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile_ms(self, quantile: float) -> float:
        if not self.latencies:
            return 0.0
        return self.latencies[min(self.count - 1, int(quantile * self.count))] * 1000

    def server_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.count:
            return None
        return sum(self.server_cpu) / self.count * 1000


@dataclass(frozen=True)
class Cell:
    label: str  # names the cell in error samples
    make: MakeRequest
    expect: bytes  # in every good response
    concurrency: int


@dataclass(frozen=True)
class Timing:
    processes: int  # load processes at most
    warmup: float
    seconds: float
    server_pid: int | None
    profile: Path | None = None  # profile the server over the window into this file
    profiler: str = _http.PY_SPY


def measure(url: str, cell: Cell, timing: Timing) -> Measured:
    processes = min(timing.processes, cell.concurrency)
    numbers = [list(range(k, cell.concurrency, processes)) for k in range(processes)]
    start = time.time() + 0.2 + 0.1 * processes
    w = Window(start, start + timing.warmup, start + timing.warmup + timing.seconds)
    out = FORK.SimpleQueue()
    workers = [
        FORK.Process(target=_cell_process, args=(url, cell.make, part, cell.expect, w, out))
        for part in numbers
    ]
    for worker in workers:
        worker.start()
    pids = _http.process_tree(timing.server_pid) if timing.server_pid else []
    time.sleep(max(0.0, w.measure - time.time()))
    profiler = None
    if timing.profile is not None and timing.server_pid is not None:
        profiler = _http.start_profiler(timing.profiler, timing.profile, timing.server_pid)
    server_before, busy_before = _http.cpu_by_process(pids), _http.machine_busy_seconds()
    time.sleep(max(0.0, w.end - time.time()))
    server_after, busy_after = _http.cpu_by_process(pids), _http.machine_busy_seconds()
    shares: list[Share] = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    if profiler is not None and timing.profile is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
        _http.summarise_profile(timing.profile)
    for share in shares:
        if share.sample:
            print(f"  {cell.label} error sample: {share.sample}", flush=True)
    pairs = zip(server_before, server_after, strict=True)
    return Measured(
        latencies=sorted(x for share in shares for x in array("d", share.latencies)),
        errors=sum(share.errors for share in shares),
        client_cpu=sum(share.cpu for share in shares),
        server_cpu=[after - before for before, after in pairs] if pids else None,
        machine_busy=busy_after - busy_before,
    )


@dataclass(frozen=True)
class Ran:
    """What `run_window` brings back: each load process's share, and the CPU seconds the
    server and the whole machine spent in the window (`server` is None without a server pid)."""

    shares: list[Any]
    server: float | None
    machine: float

    def merged(self, field: str) -> list[float]:
        """The shares' `field` (array('d') bytes) as one sorted list."""
        return sorted(x for share in self.shares for x in array("d", getattr(share, field)))

    def cpu_figures(self, count: int, seconds: float) -> tuple[float | None, float, float | None]:
        """(the server's CPU ms per one of `count` operations, the load processes' share of
        the machine and everything else's, in %): None where the server is not measured.
        Each share has `cpu`, its process's CPU seconds in the window."""
        client = sum(share.cpu for share in self.shares)
        server = self.server
        per_op = server / count * 1000 if server is not None and count else None
        other = (self.machine - server - client) / seconds * 100 if server is not None else None
        return per_op, client / seconds * 100, other


def new_window(processes: int, warmup: float, seconds: float) -> Window:
    """A window starting soon enough for `processes` load processes to connect first."""
    start = time.time() + 0.2 + 0.1 * processes
    return Window(start, start + warmup, start + warmup + seconds)


def run_window(
    target: Callable[..., None],
    per_process: Sequence[tuple[Any, ...]],
    w: Window,
    server_pid: int | None,
    profile: Path | None = None,
    profiler: str = _http.PY_SPY,
) -> Ran:
    """Run `target(*args, w, out)` in one forked load process per `per_process` entry, each
    putting its share on `out`, measuring the server's and the machine's CPU over the window
    (and profiling the server over it into `profile`, when given)."""
    out = FORK.SimpleQueue()
    workers = [FORK.Process(target=target, args=(*args, w, out)) for args in per_process]
    for worker in workers:
        worker.start()
    pids = _http.process_tree(server_pid) if server_pid else []
    time.sleep(max(0.0, w.measure - time.time()))
    running = None
    if profile is not None and server_pid is not None:
        running = _http.start_profiler(profiler, profile, server_pid)
    server_before, busy_before = _http.cpu_seconds(pids), _http.machine_busy_seconds()
    time.sleep(max(0.0, w.end - time.time()))
    server = _http.cpu_seconds(pids) - server_before
    machine = _http.machine_busy_seconds() - busy_before
    shares = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    if running is not None and profile is not None:
        running.send_signal(signal.SIGINT)
        running.wait(timeout=60)
        _http.summarise_profile(profile)
    return Ran(shares, server if pids else None, machine)
