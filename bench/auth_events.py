"""What recording auth events costs a sign-in: USER_PASSWORD_AUTH (and a wrong password) run
in this process through the operation table (services -> engine -> storage, no HTTP), on a
pool without threat protection and on one with it (AUDIT), in alternating rounds so that
both see the same machine. Prints this process's CPU and the wall time per sign-in.

    python bench/auth_events.py                                  # SQLite in a temp dir
    python bench/auth_events.py --db postgresql://postgres@127.0.0.1:5432/bench_events
    python bench/auth_events.py --sign-ins 50 --rounds 2         # a smoke run
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from userpool.app import build_runtime
from userpool.config import ServerConfig
from userpool.domain.errors import NotAuthorizedException
from userpool.services.catalog import OPERATIONS
from userpool.services.context import Context, Settings
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

PASSWORD = "Bench-Passw0rd!"
WRONG = "Wrong-Passw0rd!"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
POOLS = {
    "off": {},
    "AUDIT": {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL (its database is used as it is)")
    parser.add_argument("--sign-ins", type=int, default=500, help="per pool and round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-events-"))
    engine = database.create(args.db or database.sqlite_url(data_dir))
    database.migrate(engine)
    runtime = build_runtime(ServerConfig(data_dir=data_dir, db=args.db), SqlStore(engine))

    def call(operation: str, **request: Any) -> Any:
        return OPERATIONS[operation](Context(Settings(), runtime, source_ip="127.0.0.1"), request)

    def sign_in(request: dict[str, Any], *, refused: bool) -> None:
        try:
            call("InitiateAuth", **request)
        except NotAuthorizedException:
            assert refused
            return
        assert not refused

    clients = {}
    for name, settings in POOLS.items():
        pool_id = call("CreateUserPool", PoolName=f"bench-{name}", **settings)["UserPool"]["Id"]
        client = call(
            "CreateUserPoolClient", UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=FLOWS
        )
        call("AdminCreateUser", UserPoolId=pool_id, Username="u", MessageAction="SUPPRESS")
        call(
            "AdminSetUserPassword",
            UserPoolId=pool_id,
            Username="u",
            Password=PASSWORD,
            Permanent=True,
        )
        clients[name] = client["UserPoolClient"]["ClientId"]
    spent = {(name, kind): [0.0, 0.0] for name in POOLS for kind in ("pass", "fail")}
    for _ in range(args.rounds):
        for name, client_id in clients.items():
            for kind, password, count in (("pass", PASSWORD, args.sign_ins), ("fail", WRONG, 4)):
                request = {
                    "ClientId": client_id,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "u", "PASSWORD": password},
                }
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(count):  # 4 wrong ones: a fifth would lock the user out
                    sign_in(request, refused=kind == "fail")
                spent[name, kind][0] += time.process_time() - cpu
                spent[name, kind][1] += time.perf_counter() - wall
    print(f"{'pool':>6} {'sign-in':>8} {'cpu ms':>8} {'wall ms':>8}")
    for (name, kind), (cpu, wall) in spent.items():
        count = args.rounds * (args.sign_ins if kind == "pass" else 4)
        print(f"{name:>6} {kind:>8} {1000 * cpu / count:8.3f} {1000 * wall / count:8.3f}")
    engine.dispose()


if __name__ == "__main__":
    main()
