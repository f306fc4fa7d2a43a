"""AdminCreateUser and AdminGetUser throughput and latency at several concurrencies and pool sizes.

    python bench/admin.py                                    # starts `userpool serve` (SQLite)
    python bench/admin.py --db postgresql://postgres@127.0.0.1:5432/bench   # ... on PostgreSQL
    python bench/admin.py --endpoint http://127.0.0.1:9230   # against a running server
    python bench/admin.py --users 50 --seconds 1 --concurrency 1,2         # a smoke run

One new pool is bulk-loaded with AdminCreateUser over `--processes` x `--load-connections`
keep-alive connections up to each `--users` count in turn. At each size, every operation is
measured at every concurrency: a warm-up, then a window of `--seconds` in which only requests
that both start and end inside it count. AdminGetUser asks for random loaded users;
AdminCreateUser creates new ones, so the pool grows by what it created: the `users` column
is the pool's EstimatedNumberOfUsers when the cell began. Load comes from `--processes`
client processes, each driving its share of the connections as coroutines on one uvloop
loop, with raw HTTP/1.1 keep-alive, hand-built AWS JSON requests and a SigV4-shaped
Authorization header (bench/_http.py; a server without `--credentials` checks its shape).
`srv ms/req` is the server's CPU (all its processes, from /proc) per measured request,
shown when this script started the server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http

OPERATIONS = ("AdminGetUser", "AdminCreateUser")
PASSWORD = "Bench-Passw0rd!"
EXPECTED = b'"Username"'  # in both responses
FORK = _cells.FORK
MakeRequest = _cells.MakeRequest


def new_user(target: _http.Target, name: str) -> bytes:
    return target.admin_request(
        "AdminCreateUser",
        {
            "Username": name,
            "TemporaryPassword": PASSWORD,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}],
        },
    )


async def create_pool(target: _http.Target) -> _http.Target:
    admin = await target.client(admin=True)
    pool = await admin.call("CreateUserPool", {"PoolName": f"bench-{uuid.uuid4().hex[:8]}"})
    admin.connection.close()
    return _http.Target(target.url, target.host, target.region, pool["UserPool"]["Id"])


async def pool_size(target: _http.Target) -> int:
    admin = await target.client(admin=True)
    pool = await admin.call("DescribeUserPool", {"UserPoolId": target.pool_id})
    admin.connection.close()
    return int(pool["UserPool"]["EstimatedNumberOfUsers"])


# ---------------------------------------------------------------- bulk loading


def _load_part(target: _http.Target, indices: range, connections: int) -> None:
    async def load(part: range) -> None:
        connection = await _http.connect(target.url)
        for index in part:
            status, body = await connection.call(new_user(target, _http.username(index)))
            if status != 200:
                raise _http.CallError("AdminCreateUser", status, body)
        connection.close()

    async def main() -> None:
        await asyncio.gather(*(load(indices[k::connections]) for k in range(connections)))

    _http.run(main)


def load_users(
    target: _http.Target, first: int, count: int, processes: int, connections: int
) -> None:
    """Users `first`..`count`-1 (`_http.username`), over processes x connections connections."""
    started = time.monotonic()
    parts = [range(first + k, count, processes) for k in range(processes)]
    workers = [FORK.Process(target=_load_part, args=(target, p, connections)) for p in parts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise SystemExit("loading users failed (see the traceback above)")
    took = time.monotonic() - started
    print(
        f"loaded users {first}..{count - 1} in {took:.1f} s: {(count - first) / took:.0f} "
        f"users/s (AdminCreateUser, {processes} processes x {connections} connections)",
        flush=True,
    )


# ---------------------------------------------------------------- one cell


@dataclass(frozen=True)
class Row:
    operation: str
    users: int
    concurrency: int
    rps: float
    p50: float
    p99: float
    errors: int
    requests: int
    server_ms: float | None


HEADER = (
    f"{'operation':<16} {'users':>7} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    f"{'errors':>6} {'requests':>8} {'srv ms/req':>10}"
)


def format_row(row: Row) -> str:
    server = f"{row.server_ms:10.2f}" if row.server_ms is not None else f"{'-':>10}"
    return (
        f"{row.operation:<16} {row.users:>7} {row.concurrency:>4} {row.rps:8.1f} "
        f"{row.p50:8.2f} {row.p99:8.2f} {row.errors:>6} {row.requests:>8} {server}"
    )


def run_cell(
    timing: _cells.Timing, url: str, make: MakeRequest, operation: str, users: int, conc: int
) -> Row:
    """`conc` connections over the load processes; what their measured requests took."""
    measured = _cells.measure(url, _cells.Cell(operation, make, EXPECTED, conc), timing)
    return Row(
        operation=operation,
        users=users,
        concurrency=conc,
        rps=measured.count / timing.seconds,
        p50=measured.percentile_ms(0.50),
        p99=measured.percentile_ms(0.99),
        errors=measured.errors,
        requests=measured.count,
        server_ms=measured.server_ms_per_request(),
    )


# ---------------------------------------------------------------- main


def requests_for(
    target: _http.Target, operation: str, loaded: int, rng: random.Random
) -> MakeRequest:
    if operation == "AdminGetUser":
        names = [_http.username(rng.randrange(loaded)) for _ in range(4096)]
        gets = [target.admin_request(operation, {"Username": name}) for name in names]
        return lambda number, sent: gets[(number * 131 + sent) % len(gets)]
    tag = uuid.uuid4().hex[:6]
    return lambda number, sent: new_user(target, f"new-{tag}-{number}-{sent}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])

    def ints(text: str) -> list[int]:
        return [int(part) for part in text.split(",") if part]

    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--db", help="database URL for the started server (PostgreSQL)")
    parser.add_argument(
        "--sqlite-synchronous", choices=("normal", "full"), help="the started server's (SQLite)"
    )
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--users", type=ints, default=[1_000, 100_000], help="e.g. 1000,100000")
    parser.add_argument("--concurrency", type=ints, default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--load-connections", type=int, default=16, help="connections per loading process"
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, url: str, server_pid: int | None) -> list[Row]:
    host, port = _http.host_port(url)
    target = _http.run(lambda: create_pool(_http.Target(url, f"{host}:{port}", args.region)))
    print(f"pool {target.pool_id}", flush=True)
    timing = _cells.Timing(args.processes, args.warmup, args.seconds, server_pid)
    rng = random.Random(args.seed)
    rows: list[Row] = []
    loaded = 0
    print(HEADER, flush=True)
    for users in sorted(args.users):
        present = _http.run(lambda: pool_size(target))
        if users > present:  # bulk names go on from `loaded`; cells' new users count too
            more = users - present
            load_users(target, loaded, loaded + more, args.processes, args.load_connections)
            loaded += more
        for operation in OPERATIONS:
            for concurrency in args.concurrency:
                size = _http.run(lambda: pool_size(target))
                make = requests_for(target, operation, loaded, rng)
                rows.append(run_cell(timing, url, make, operation, size, concurrency))
                print(format_row(rows[-1]), flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    synchronous = ["--sqlite-synchronous", args.sqlite_synchronous]
    server_args = synchronous if args.sqlite_synchronous else []
    _http.run_main("admin", args, benchmark, HEADER, format_row, server_args)


if __name__ == "__main__":
    main()
