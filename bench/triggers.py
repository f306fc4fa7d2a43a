"""What a Lambda trigger adds to a sign-in: InitiateAuth USER_PASSWORD_AUTH in a pool without
triggers, and in pools whose PreTokenGeneration (V2_0) function is a handler file run by
`--triggers` in Node and in Python (bench/triggers/), at each concurrency.

    python bench/triggers.py                            # starts `userpool serve --triggers`
    python bench/triggers.py --concurrency 1,32 --seconds 10 --users 100
    python bench/triggers.py --db postgresql://postgres@127.0.0.1:5432/test

Each pool gets the same `--users`; cells run one trigger after another at each concurrency,
then the table adds `+p50 ms`: the cell's median latency minus that of the same concurrency
without a trigger. Columns otherwise as in bench/signin.py.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http
import signin

TRIGGERS_FILE = Path(__file__).resolve().parent / "triggers" / "triggers.json"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:pretoken-{}"
TRIGGERS = ("none", "node", "python")


@dataclass(frozen=True)
class Row:
    trigger: str
    signin: signin.Row
    added_p50: float | None  # ms over the same concurrency without a trigger


HEADER = f"{'trigger':<7} {signin.HEADER} {'+p50 ms':>8}"


def format_row(row: Row) -> str:
    added = f"{row.added_p50:8.2f}" if row.added_p50 is not None else f"{'-':>8}"
    return f"{row.trigger:<7} {signin.format_row(row.signin)} {added}"


async def create_pool(target: _http.Target, trigger: str) -> _http.Target:
    admin = await target.client(admin=True)
    request: dict[str, Any] = {"PoolName": f"bench-{trigger}-{uuid.uuid4().hex[:8]}"}
    if trigger != "none":
        config = {"LambdaVersion": "V2_0", "LambdaArn": FUNCTION.format(trigger)}
        request["LambdaConfig"] = {"PreTokenGenerationConfig": config}
    pool_id = (await admin.call("CreateUserPool", request))["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = {"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": flows}
    client_id = (await admin.call("CreateUserPoolClient", client))["UserPoolClient"]["ClientId"]
    admin.connection.close()
    return _http.Target(target.url, target.host, target.region, pool_id, client_id)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    def ints(text: str) -> list[int]:
        return [int(part) for part in text.split(",") if part]

    parser.add_argument(
        "--endpoint", help="a running server started with --triggers " + str(TRIGGERS_FILE)
    )
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--db", help="database URL for the started server (PostgreSQL)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--users", type=int, default=100, help="users in each pool")
    parser.add_argument("--concurrency", type=ints, default=[1, 32])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--load-connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, url: str, server_pid: int | None) -> list[Row]:
    host, port = _http.host_port(url)
    base = _http.Target(url, f"{host}:{port}", args.region)
    rng = random.Random(args.seed)
    requests: dict[str, list[bytes]] = {}
    for trigger in TRIGGERS:
        target = _http.run(lambda trigger=trigger: create_pool(base, trigger))
        signin.load_users(target, 0, args.users, args.processes, args.load_connections)
        requests[trigger] = signin.requests_for(target, "USER_PASSWORD_AUTH", args.users, rng)
    rows: list[Row] = []
    print(HEADER, flush=True)
    for concurrency in args.concurrency:
        baseline = None
        for trigger in TRIGGERS:
            timing = _cells.Timing(args.processes, args.warmup, args.seconds, server_pid)
            cell = signin.run_cell(
                timing, url, "USER_PASSWORD_AUTH", args.users, requests[trigger], concurrency
            )
            baseline = cell.p50 if trigger == "none" else baseline
            added = None if trigger == "none" or baseline is None else cell.p50 - baseline
            rows.append(Row(trigger, cell, added))
            print(format_row(rows[-1]), flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    server_args = ["--triggers", str(TRIGGERS_FILE)]
    _http.run_main("triggers", args, benchmark, HEADER, format_row, server_args)


if __name__ == "__main__":
    main()
