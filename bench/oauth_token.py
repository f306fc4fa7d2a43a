"""The token endpoint's client_credentials grant: machine-to-machine tokens per second.

    python bench/oauth_token.py                                   # starts `userpool serve`
    python bench/oauth_token.py --endpoint http://127.0.0.1:9230  # against a running server
    python bench/oauth_token.py --seconds 1 --warmup 0.2 --concurrency 1,2   # a smoke run

One pool with a domain, a resource server `api` (scopes read, write) and an app client with a
secret allowed the client_credentials flow; every request is `POST /domains/{domain}/oauth2/
token` with HTTP Basic and `grant_type=client_credentials&scope=api/read`, over raw keep-alive
HTTP/1.1 from `--processes` load processes (bench/_cells.py). Only requests that start and end
inside the window count; `srv ms` is the server's CPU per grant, `gen` and `other` the load
generator's and everything else's share of the machine in the window. (The authorization-code
exchange joins this script once the login page exists.)
"""

from __future__ import annotations

import argparse
import base64
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http

EXPECTED = b'"access_token"'
HEADER = "grant               conc  grants/s   p50 ms   p99 ms  errors  srv ms   gen%  other%"


@dataclass(frozen=True)
class Row:
    concurrency: int
    rate: float
    p50: float
    p99: float
    errors: int
    server_ms: float | None
    gen_pct: float
    other_pct: float | None


async def machine_client(target: _http.Target) -> tuple[str, str, str]:
    """A pool with a domain and a resource server, and an M2M app client: (domain, id, secret)."""
    admin = await target.client(admin=True)
    pool = await admin.call("CreateUserPool", {"PoolName": f"bench-{uuid.uuid4().hex[:8]}"})
    pool_id = pool["UserPool"]["Id"]
    domain = f"bench-{uuid.uuid4().hex[:8]}"
    await admin.call("CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": domain})
    scopes = [{"ScopeName": name, "ScopeDescription": name} for name in ("read", "write")]
    server = {"UserPoolId": pool_id, "Identifier": "api", "Name": "API", "Scopes": scopes}
    await admin.call("CreateResourceServer", server)
    settings = {
        "UserPoolId": pool_id,
        "ClientName": "machine",
        "GenerateSecret": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["api/read", "api/write"],
        "AllowedOAuthFlowsUserPoolClient": True,
    }
    client = (await admin.call("CreateUserPoolClient", settings))["UserPoolClient"]
    admin.connection.close()
    return domain, client["ClientId"], client["ClientSecret"]


def grant_request(host: str, domain: str, client_id: str, secret: str) -> bytes:
    body = b"grant_type=client_credentials&scope=api%2Fread"
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    head = (
        f"POST /domains/{domain}/oauth2/token HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Basic {basic}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def benchmark(args: argparse.Namespace, url: str, server_pid: int | None) -> list[Row]:
    host, port = _http.host_port(url)
    target = _http.Target(url, f"{host}:{port}", args.region)
    domain, client_id, secret = _http.run(lambda: machine_client(target))
    request = grant_request(f"{host}:{port}", domain, client_id, secret)
    print(f"domain {domain}, client {client_id}", flush=True)
    rows = []
    for concurrency in args.concurrency:
        cell = _cells.Cell("client_credentials", lambda _n, _s: request, EXPECTED, concurrency)
        timing = _cells.Timing(args.processes, args.warmup, args.seconds, server_pid)
        measured = _cells.measure(url, cell, timing)
        other = None
        if measured.server_cpu is not None:
            busy = measured.machine_busy - sum(measured.server_cpu) - measured.client_cpu
            other = busy / args.seconds * 100
        rows.append(
            Row(
                concurrency,
                measured.count / args.seconds,
                measured.percentile_ms(0.5),
                measured.percentile_ms(0.99),
                measured.errors,
                measured.server_ms_per_request(),
                measured.client_cpu / args.seconds * 100,
                other,
            )
        )
        print(format_row(rows[-1]), flush=True)
    return rows


def format_row(row: Row) -> str:
    server = f"{row.server_ms:6.2f}" if row.server_ms is not None else "     -"
    other = f"{row.other_pct:6.0f}" if row.other_pct is not None else "     -"
    return (
        f"client_credentials  {row.concurrency:4}  {row.rate:8.1f}  {row.p50:7.2f}  "
        f"{row.p99:7.2f}  {row.errors:6}  {server}  {row.gen_pct:5.0f}  {other}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--db", help="database URL for the started server (PostgreSQL)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--concurrency", type=lambda text: [int(p) for p in text.split(",") if p], default=[1, 32]
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    _http.run_main("oauth-token", parse_args(argv), benchmark, HEADER, format_row)


if __name__ == "__main__":
    main()
