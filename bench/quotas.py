"""What the request rate quotas (serve --quotas) cost: AdminGetUser requests/s with no quotas,
with the counters in the database, and with them in Redis; one cell each.

    python bench/quotas.py                              # SQLite, concurrency 32, 10 s a cell
    python bench/quotas.py --postgres                   # each server on a throwaway database
    python bench/quotas.py --seconds 2 --concurrency 4  # a smoke run

Each mode starts its own `userpool serve` with every quota (categories, per user, per domain)
far above what the load can reach, so nothing is refused and every request pays for its
counts (its category and its user, in one round trip). AdminGetUser is a cheap operation:
the counting is a large share of it, the worst case for the quotas.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http
import admin

from userpool.protocol.quota_categories import COGNITO_QUOTAS

MODES = {"off": (), "database": ("--quotas-store", "database"), "redis": ("--quotas-store",)}


def run_mode(args: argparse.Namespace, mode: str, quotas_file: str) -> admin.Row:
    extra = [] if mode == "off" else ["--quotas", quotas_file, *MODES[mode]]
    if mode == "redis":
        extra.append(args.redis)
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(_http.throwaway_postgres()) if args.postgres else None
        url, pid = stack.enter_context(_http.own_server(args.workers, db, extra))
        host, port = _http.host_port(url)
        target = _http.run(
            lambda: admin.create_pool(_http.Target(url, f"{host}:{port}", "us-east-1"))
        )
        admin.load_users(target, 0, 100, 1, 4)
        get = target.admin_request("AdminGetUser", {"Username": _http.username(7)})
        timing = _cells.Timing(args.processes, args.warmup, args.seconds, pid)
        row = admin.run_cell(
            timing, url, lambda _n, _s: get, f"quotas {mode}", 100, args.concurrency
        )
    print(admin.format_row(row), flush=True)
    return row


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="userpool-quotas-") as directory:
        quotas_file = Path(directory) / "quotas.json"
        quotas_file.write_text(json.dumps({name: 10**9 for name in COGNITO_QUOTAS}))
        print(admin.HEADER, flush=True)
        rows = [run_mode(args, mode, str(quotas_file)) for mode in MODES]
    print("\n== results ==")
    print(admin.HEADER)
    for row in rows:
        print(admin.format_row(row))


if __name__ == "__main__":
    main()
