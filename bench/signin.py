"""Sign-in throughput and latency: InitiateAuth USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH,
and GetUser with an access token, at several concurrencies and pool sizes.

    python bench/signin.py --users 10,100000 --seconds 10     # starts `userpool serve`
    python bench/signin.py --endpoint http://127.0.0.1:9230  # against a running server
    python bench/signin.py --users 10 --ops USER_PASSWORD_AUTH --concurrency 32 \\
        --profile /tmp/signin.txt                            # py-spy on the server, one cell

Users are bulk-loaded into one new pool (AdminCreateUser + AdminSetUserPassword Permanent)
and topped up from one `--users` count to the next. Each cell (operation, users,
concurrency) has a warm-up, then a window of `--seconds` in which only requests that both
start and end inside it count. Load comes from `--processes` client processes; each drives
its share of the connections as coroutines on one uvloop loop over raw keep-alive sockets
with prebuilt request bytes (bench/_http.py). Why not threads + http.client: with two cores
shared by server and client, what matters is client CPU per request; against GET /health
this loop spent ~35 us of client CPU per request, threads + http.client 155-185 us (its
email-based header parser, a GIL handoff per response). `gen%` shows what it took.

Columns: `srv ms/req` is the server's CPU time (all its processes, from /proc) per
measured request; `gen%` and `other%` are the load generator's and everything else's CPU
in % of one core over the window (other% > 0 means the machine was not quiet); `workers%`
is each server worker's CPU, % of one core: how evenly the connections spread.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http

OPERATIONS = ("USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "GetUser")
PASSWORD = "Bench-Passw0rd!"
EXPECTED = {
    "USER_PASSWORD_AUTH": b'"AuthenticationResult"',
    "REFRESH_TOKEN_AUTH": b'"AuthenticationResult"',
    "GetUser": b'"Username"',
}
FORK = _cells.FORK


def initiate(client_id: str, flow: str, **params: str) -> dict[str, Any]:
    return {"AuthFlow": flow, "ClientId": client_id, "AuthParameters": params}


async def create_pool(target: _http.Target) -> _http.Target:
    admin = await target.client(admin=True)
    pool = await admin.call("CreateUserPool", {"PoolName": f"bench-{uuid.uuid4().hex[:8]}"})
    pool_id = pool["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    request = {"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": flows}
    client = await admin.call("CreateUserPoolClient", request)
    admin.connection.close()
    return _http.Target(
        target.url, target.host, target.region, pool_id, client["UserPoolClient"]["ClientId"]
    )


async def _call_retrying(admin: _http.Client, operation: str, payload: dict[str, Any]) -> int:
    """One loading call, retried (up to 3 times, 1 s apart) on a 5xx; returns the retries."""
    for attempt in range(4):
        try:
            await admin.call(operation, payload)
            return attempt
        except _http.CallError as error:
            if attempt and b"UsernameExistsException" in error.body:
                return attempt  # the failed try had created the user after all
            if error.status < 500 or attempt == 3:
                raise
            print(f"  retrying after {error}", flush=True)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


def _load_part(target: _http.Target, indices: range, connections: int, counts: Any) -> None:
    async def load(part: range) -> None:
        admin = await target.client(admin=True)
        for index in part:
            user = {"UserPoolId": target.pool_id, "Username": _http.username(index)}
            email = [{"Name": "email", "Value": f"{_http.username(index)}@example.com"}]
            create = {"TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"}
            retries = await _call_retrying(
                admin, "AdminCreateUser", {**user, **create, "UserAttributes": email}
            )
            password = {"Password": PASSWORD, "Permanent": True}
            retries += await _call_retrying(admin, "AdminSetUserPassword", {**user, **password})
            with counts.get_lock():
                counts[0] += 1
                counts[1] += retries

    async def main() -> None:
        await asyncio.gather(*(load(indices[k::connections]) for k in range(connections)))

    _http.run(main)


def load_users(
    target: _http.Target, first: int, count: int, processes: int, connections: int
) -> None:
    """Users `first`..`count`-1, over processes x connections keep-alive connections."""
    started = last = time.monotonic()
    counts = FORK.Array("q", 2)  # users loaded, calls retried after a 5xx
    parts = [range(first + k, count, processes) for k in range(processes)]
    work = [(target, part, connections, counts) for part in parts]
    workers = [FORK.Process(target=_load_part, args=args) for args in work]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        time.sleep(0.2)
        if time.monotonic() - last >= 30:
            last = time.monotonic()
            rate = counts[0] / (last - started)
            print(f"  loading: {first + counts[0]}/{count} users ({rate:.0f}/s)", flush=True)
    if any(worker.exitcode for worker in workers):
        raise SystemExit("loading users failed (see the traceback above)")
    took = time.monotonic() - started
    print(
        f"loaded users {first}..{count - 1} in {took:.1f} s: {(count - first) / took:.0f} users/s "
        f"(AdminCreateUser + AdminSetUserPassword, {processes} processes x {connections} "
        f"connections; {counts[1]} calls retried after a 5xx)",
        flush=True,
    )


def password_auth(client_id: str, name: str) -> dict[str, Any]:
    return initiate(client_id, "USER_PASSWORD_AUTH", USERNAME=name, PASSWORD=PASSWORD)


async def sign_in(target: _http.Target, names: list[str]) -> list[tuple[str, str]]:
    """(refresh token, access token) for each name, signed in over 8 connections."""
    tokens: list[tuple[str, str]] = []

    async def some(part: list[str]) -> None:
        client = await target.client()
        for name in part:
            result = await client.call("InitiateAuth", password_auth(target.client_id, name))
            auth = result["AuthenticationResult"]
            tokens.append((auth["RefreshToken"], auth["AccessToken"]))
        client.connection.close()

    await asyncio.gather(*(some(names[k::8]) for k in range(8)))
    return tokens


def requests_for(
    target: _http.Target, operation: str, users: int, rng: random.Random
) -> list[bytes]:
    """Prebuilt request bytes for one operation (random users), cycled by every connection."""
    count = 4096 if operation == "USER_PASSWORD_AUTH" else 128
    names = [_http.username(rng.randrange(users)) for _ in range(count)]
    if operation == "USER_PASSWORD_AUTH":
        payloads = [password_auth(target.client_id, name) for name in names]
    elif operation == "GetUser":
        payloads = [{"AccessToken": a} for _, a in _http.run(lambda: sign_in(target, names))]
    else:
        tokens = _http.run(lambda: sign_in(target, names))
        payloads = [initiate(target.client_id, operation, REFRESH_TOKEN=r) for r, _ in tokens]
    name = "GetUser" if operation == "GetUser" else "InitiateAuth"
    return [_http.aws_json_request(target.host, name, payload) for payload in payloads]


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
    gen_pct: float
    other_pct: float | None
    workers_pct: str  # each server worker's CPU, % of one core: shows how connections spread


HEADER = (
    f"{'operation':<20} {'users':>7} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    f"{'errors':>6} {'requests':>8} {'srv ms/req':>10} {'gen%':>5} {'other%':>6} workers%"
)


def format_row(row: Row) -> str:
    server = f"{row.server_ms:10.2f}" if row.server_ms is not None else f"{'-':>10}"
    other = f"{row.other_pct:6.0f}" if row.other_pct is not None else f"{'-':>6}"
    return (
        f"{row.operation:<20} {row.users:>7} {row.concurrency:>4} {row.rps:8.1f} "
        f"{row.p50:8.2f} {row.p99:8.2f} {row.errors:>6} {row.requests:>8} {server} "
        f"{row.gen_pct:5.0f} {other} {row.workers_pct}"
    )


def run_cell(
    timing: _cells.Timing,
    url: str,
    operation: str,
    users: int,
    requests: list[bytes],
    concurrency: int,
) -> Row:
    """Each connection cycles through `requests` from its own offset."""
    step = max(1, len(requests) // concurrency)

    def make(number: int, sent: int) -> bytes:
        return requests[(number * step + sent) % len(requests)]

    cell = _cells.Cell(operation, make, EXPECTED[operation], concurrency)
    measured = _cells.measure(url, cell, timing)
    count, seconds = measured.count, timing.seconds
    server = measured.server_cpu
    per_process = [cpu / seconds * 100 for cpu in server or []]
    split = "+".join(f"{p:.0f}" for p in (per_process[1:] if len(per_process) > 1 else per_process))
    other = None
    if server is not None:
        other = (measured.machine_busy - sum(server) - measured.client_cpu) / seconds * 100
    return Row(
        *(operation, users, concurrency, count / seconds),
        *(measured.percentile_ms(0.5), measured.percentile_ms(0.99), measured.errors, count),
        *(measured.server_ms_per_request(), measured.client_cpu / seconds * 100, other),
        split or "-",
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    def ints(text: str) -> list[int]:
        return [int(part) for part in text.split(",") if part]

    def ops(text: str) -> list[str]:
        chosen = [part for part in text.split(",") if part]
        if not set(chosen) <= set(OPERATIONS):
            raise argparse.ArgumentTypeError(f"operations are {', '.join(OPERATIONS)}")
        return chosen

    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--db", help="database URL for the started server (PostgreSQL)")
    parser.add_argument(
        "--sqlite-synchronous", choices=("normal", "full"), help="the started server's (SQLite)"
    )
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--users", type=ints, default=[10, 100_000], help="e.g. 10,100000")
    parser.add_argument("--concurrency", type=ints, default=[1, 8, 32])
    parser.add_argument("--ops", type=ops, default=list(OPERATIONS))
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--load-connections", type=int, default=16, help="connections per loading process"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="output: .txt raw, .svg, .json")
    parser.add_argument("--profile-cell", default="USER_PASSWORD_AUTH:32", help="OP:CONCURRENCY")
    parser.add_argument("--profiler", default=_http.PY_SPY, help="see _http.start_profiler")
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, url: str, server_pid: int | None) -> list[Row]:
    host, port = _http.host_port(url)
    target = _http.run(lambda: create_pool(_http.Target(url, f"{host}:{port}", args.region)))
    print(f"pool {target.pool_id}, client {target.client_id}", flush=True)
    rng = random.Random(args.seed)
    profile_op, _, profile_conc = args.profile_cell.partition(":")
    rows: list[Row] = []
    loaded = 0
    timing = (args.processes, args.warmup, args.seconds)  # then the server, the profile
    print(HEADER, flush=True)
    for users in sorted(args.users):
        if users > loaded:
            load_users(target, loaded, users, args.processes, args.load_connections)
            loaded = users
        for operation in args.ops:
            requests = requests_for(target, operation, users, rng)
            for concurrency in args.concurrency:
                cell = (operation, str(concurrency)) == (profile_op, profile_conc)
                profile, args.profile = (args.profile, None) if cell else (None, args.profile)
                plan = _cells.Timing(*timing, server_pid, profile, args.profiler)
                rows.append(run_cell(plan, url, operation, users, requests, concurrency))
                print(format_row(rows[-1]), flush=True)
    if args.profile:
        print(f"no cell matched --profile-cell {args.profile_cell}: nothing profiled")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.profile and args.endpoint:
        raise SystemExit("--profile needs the server this script starts (no --endpoint)")
    synchronous = ["--sqlite-synchronous", args.sqlite_synchronous]
    server_args = synchronous if args.sqlite_synchronous else []
    _http.run_main("signin", args, benchmark, HEADER, format_row, server_args)


if __name__ == "__main__":
    main()
