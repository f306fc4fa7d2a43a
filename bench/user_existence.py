"""Does the server's timing tell which users exist? With PreventUserExistenceErrors ENABLED
an existing and a missing user get answers alike, so only time (or length) could tell.

    python bench/user_existence.py                    # SQLite, then PostgreSQL (throwaway db)
    python bench/user_existence.py --backend sqlite --attempts 2000 --seed 7
    python bench/user_existence.py --endpoint http://127.0.0.1:9230   # a running server

For each backend: a server of its own, a pool that auto-verifies email, an app client with
PreventUserExistenceErrors ENABLED, and users. Four rows, each `--attempts` measured requests
(half for existing users, half for missing ones) after `--warmup` pairs that are not counted:

  USER_PASSWORD_AUTH      InitiateAuth with a wrong password
  USER_SRP_AUTH           InitiateAuth's first step (SRP_A -> PASSWORD_VERIFIER challenge)
  ForgotPassword          existing: CONFIRMED users with a verified email
  ResendConfirmationCode  existing: UNCONFIRMED users (SignUp) with an email

Requests go one at a time over one keep-alive connection, in pairs of one existing and one
missing attempt in an order drawn from `--seed`, so whatever drifts during a row (other load,
caches, the database growing) falls on both sides alike. Each is timed with perf_counter
around bench/_http.py's raw-socket call (request bytes prebuilt, GC off while timing):
httpx.Client, measured against the same server, added ~0.55 ms and more spread per request,
more than a whole missing-user answer takes on SQLite.

Names: existing and missing names are drawn alike (same shape and length), then half are
created. Every row has its own names, and a name takes at most `--per-name` (<= 4) attempts
in a row: a 5th wrong password would lock the user out, a different answer.

Delivery: the pool is tagged `userpool:delivery=console` whatever the server's default, so a
code "sent" is a log line: the cheapest backend that still runs the whole send path (the
router's pool read, the message, a write). The outbox adds a database write, SMTP or SES a
network round trip: costs of the deployment, not of how the server treats the two cases.
`--delivery outbox` measures with the outbox.

Columns: medians of each side (ms); diff% = (existing - missing) / missing; P(e>m) = the
chance that a random existing-user attempt took longer than a random missing-user one
(Mann-Whitney U / (n_e * n_m), ties count half; 0.5 = no tell); goal: diff within 5% and
P within 0.45-0.55 (printed, never enforced); errors: answers not of the expected kind (left
out of the figures); bytes: median response length of each side (another possible tell).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import random
import statistics
import sys
import time
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _http

from userpool.crypto import srp

PASSWORD = "Bench-Passw0rd!"
WRONG_PASSWORD = "Not-The-Passw0rd!"
MAX_PER_NAME = 4  # wrong passwords a user takes before the next one starts the lockout
GOAL_DIFF_PCT = 5.0
GOAL_P = (0.45, 0.55)
# Operation -> (HTTP status, bytes in the body) of the answer both sides should get.
EXPECTED: dict[str, tuple[int, bytes]] = {
    "USER_PASSWORD_AUTH": (400, b"Incorrect username or password."),
    "USER_SRP_AUTH": (200, b'"ChallengeName":"PASSWORD_VERIFIER"'),
    "ForgotPassword": (200, b'"CodeDeliveryDetails"'),
    "ResendConfirmationCode": (200, b'"CodeDeliveryDetails"'),
}
OPERATIONS = tuple(EXPECTED)


@dataclass(frozen=True)
class Attempt:
    existing: bool
    request: bytes


@dataclass(frozen=True)
class Sample:
    existing: bool
    seconds: float
    status: int
    body: bytes


async def create_pool(target: _http.Target, delivery: str) -> _http.Target:
    admin = await target.client(admin=True)
    pool = await admin.call(
        "CreateUserPool",
        {
            "PoolName": f"existence-{uuid.uuid4().hex[:8]}",
            "AutoVerifiedAttributes": ["email"],
            "UserPoolTags": {"userpool:delivery": delivery},
        },
    )
    pool_id = pool["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    hide = {"PreventUserExistenceErrors": "ENABLED", "ExplicitAuthFlows": flows}
    client = await admin.call(
        "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "existence", **hide}
    )
    admin.connection.close()
    client_id = client["UserPoolClient"]["ClientId"]
    return _http.Target(target.url, target.host, target.region, pool_id, client_id)


def email_of(name: str) -> str:
    return f"{name}@example.com"


async def create_confirmed(admin: _http.Client, target: _http.Target, name: str) -> None:
    """CONFIRMED, permanent password, verified email: ForgotPassword sends it a code."""
    user = {"UserPoolId": target.pool_id, "Username": name}
    attributes = [
        {"Name": "email", "Value": email_of(name)},
        {"Name": "email_verified", "Value": "true"},
    ]
    create = {"TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"}
    await admin.call("AdminCreateUser", {**user, **create, "UserAttributes": attributes})
    await admin.call("AdminSetUserPassword", {**user, "Password": PASSWORD, "Permanent": True})


async def create_unconfirmed(admin: _http.Client, target: _http.Target, name: str) -> None:
    """UNCONFIRMED by SignUp, email auto-verified: ResendConfirmationCode sends it a code."""
    attributes = [{"Name": "email", "Value": email_of(name)}]
    payload = {"Username": name, "Password": PASSWORD, "UserAttributes": attributes}
    await admin.call("SignUp", {"ClientId": target.client_id, **payload})


Creator = Callable[[_http.Client, _http.Target, str], Any]


async def create_users(target: _http.Target, creator: Creator, names: Sequence[str]) -> None:
    async def some(part: Sequence[str]) -> None:
        admin = await target.client(admin=True)
        for name in part:
            await creator(admin, target, name)
        admin.connection.close()

    await asyncio.gather(*(some(names[k::4]) for k in range(4)))


def draw_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"u{rng.getrandbits(48):012x}")
    return sorted(names)


def request_for(target: _http.Target, operation: str, name: str, rng: random.Random) -> bytes:
    if operation == "USER_PASSWORD_AUTH":
        params = {"USERNAME": name, "PASSWORD": WRONG_PASSWORD}
        return target.public_request(
            "InitiateAuth", {"AuthFlow": operation, "AuthParameters": params}
        )
    if operation == "USER_SRP_AUTH":
        big_a = srp.power_of_g(rng.getrandbits(srp.EXPONENT_BITS) | 1)  # a fresh A each time
        params = {"USERNAME": name, "SRP_A": format(big_a, "x")}
        return target.public_request(
            "InitiateAuth", {"AuthFlow": operation, "AuthParameters": params}
        )
    return target.public_request(operation, {"Username": name})


def plan_row(
    target: _http.Target,
    operation: str,
    existing: list[str],
    missing: list[str],
    pairs: int,
    rng: random.Random,
) -> list[Attempt]:
    """`pairs` pairs, one existing and one missing attempt each, in a random order within
    the pair; each side uses its names equally often (at most `per_name` times), shuffled."""
    sides = []
    for names in (existing, missing):
        uses = [names[k % len(names)] for k in range(pairs)]
        rng.shuffle(uses)
        sides.append(uses)
    attempts = []
    for one, other in zip(*sides, strict=True):
        pair = [
            Attempt(True, request_for(target, operation, one, rng)),
            Attempt(False, request_for(target, operation, other, rng)),
        ]
        rng.shuffle(pair)
        attempts += pair
    return attempts


async def time_attempts(target: _http.Target, attempts: Sequence[Attempt]) -> list[Sample]:
    connection = await _http.connect(target.url)
    samples = []
    gc.collect()
    gc.disable()  # a collection in the client would land in some request's time
    try:
        for attempt in attempts:
            start = time.perf_counter()
            status, body = await connection.call(attempt.request)
            samples.append(Sample(attempt.existing, time.perf_counter() - start, status, body))
    finally:
        gc.enable()
        connection.close()
    return samples


def p_existing_slower(existing: Sequence[float], missing: Sequence[float]) -> float:
    """Mann-Whitney U / (n_e * n_m): the share of (existing, missing) pairs in which the
    existing attempt took longer, ties counting half. Exact, by sorting and bisecting."""
    ordered = sorted(missing)
    wins = 0.0
    for value in existing:
        below = bisect_left(ordered, value)
        wins += below + (bisect_right(ordered, value) - below) / 2
    return wins / (len(existing) * len(ordered))


@dataclass(frozen=True)
class Row:
    backend: str
    operation: str
    n_existing: int
    n_missing: int
    median_existing_ms: float
    median_missing_ms: float
    diff_pct: float
    p_existing_slower: float
    errors: int
    bytes_existing: int
    bytes_missing: int

    @property
    def meets_goal(self) -> bool:
        low, high = GOAL_P
        return abs(self.diff_pct) <= GOAL_DIFF_PCT and low <= self.p_existing_slower <= high


def summarise(backend: str, operation: str, samples: Sequence[Sample]) -> Row:
    status, marker = EXPECTED[operation]
    good = [s for s in samples if s.status == status and marker in s.body]
    errors = [s for s in samples if not (s.status == status and marker in s.body)]
    for sample in errors[:1]:
        side = "existing" if sample.existing else "missing"
        print(f"  {operation} error sample ({side}): HTTP {sample.status} {sample.body[:200]!r}")
    times = {side: [s.seconds * 1000 for s in good if s.existing is side] for side in (True, False)}
    sizes = {side: [len(s.body) for s in good if s.existing is side] for side in (True, False)}
    if not times[True] or not times[False]:
        raise SystemExit(f"{operation}: no good answers on one side; see the error sample")
    median_e, median_m = statistics.median(times[True]), statistics.median(times[False])
    return Row(
        *(backend, operation, len(times[True]), len(times[False]), median_e, median_m),
        (median_e - median_m) / median_m * 100,
        p_existing_slower(times[True], times[False]),
        len(errors),
        *(int(statistics.median(sizes[True])), int(statistics.median(sizes[False]))),
    )


HEADER = (
    f"{'backend':<8} {'operation':<22} {'n_exist':>7} {'n_missing':>9} {'exist_ms':>8} "
    f"{'missing_ms':>10} {'diff%':>7} {'P(e>m)':>6} {'goal':>4} {'errors':>6} {'bytes_e/m':>11}"
)


def format_row(row: Row) -> str:
    return (
        f"{row.backend:<8} {row.operation:<22} {row.n_existing:>7} {row.n_missing:>9} "
        f"{row.median_existing_ms:8.3f} {row.median_missing_ms:10.3f} {row.diff_pct:+7.1f} "
        f"{row.p_existing_slower:6.3f} {'yes' if row.meets_goal else 'no':>4} {row.errors:>6} "
        f"{f'{row.bytes_existing}/{row.bytes_missing}':>11}"
    )


async def measure_backend(
    args: argparse.Namespace, url: str, backend: str, db: str | None
) -> list[Row]:
    host, port = _http.host_port(url)
    target = await create_pool(_http.Target(url, f"{host}:{port}", args.region), args.delivery)
    print(f"{backend}: pool {target.pool_id}, client {target.client_id}", flush=True)
    rng = random.Random(args.seed)
    pairs = args.attempts // 2 + args.warmup
    per_side = math.ceil(pairs / args.per_name)
    drawn = draw_names(rng, 2 * per_side * len(args.ops))  # distinct across rows too
    rng.shuffle(drawn)
    existing: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    started = time.monotonic()
    for operation in args.ops:
        row_names, drawn = drawn[: 2 * per_side], drawn[2 * per_side :]
        existing[operation], missing[operation] = row_names[:per_side], row_names[per_side:]
        unconfirmed = operation == "ResendConfirmationCode"
        creator = create_unconfirmed if unconfirmed else create_confirmed
        await create_users(target, creator, existing[operation])
    if db is not None:  # PostgreSQL this script started the server on
        _http.analyze_postgres(db)
    print(
        f"{backend}: created {per_side} users per row in {time.monotonic() - started:.1f} s; "
        f"{per_side} missing names per row; each name at most {args.per_name} attempts"
        f"{'; database analyzed' if db else ''}",
        flush=True,
    )
    rows = []
    for operation in args.ops:
        attempts = plan_row(target, operation, existing[operation], missing[operation], pairs, rng)
        samples = await time_attempts(target, attempts)
        rows.append(summarise(backend, operation, samples[2 * args.warmup :]))
        print(format_row(rows[-1]), flush=True)
    return rows


def run_backend(args: argparse.Namespace, backend: str) -> list[Row]:
    db = None
    with contextlib.ExitStack() as stack:
        if args.endpoint:
            url = args.endpoint.rstrip("/")
        else:
            if backend == "postgres":
                db = args.db or stack.enter_context(_http.throwaway_postgres())
            url, _ = stack.enter_context(_http.own_server(args.workers, db))
        rows: list[Row] = _http.run(lambda: measure_backend(args, url, backend, db))
        return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    def ops(text: str) -> list[str]:
        chosen = [part for part in text.split(",") if part]
        if not set(chosen) <= set(OPERATIONS):
            raise argparse.ArgumentTypeError(f"operations are {', '.join(OPERATIONS)}")
        return chosen

    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--endpoint", help="a running server (then --backend only names it)")
    parser.add_argument("--db", help="PostgreSQL for the postgres run (ANALYZEd after loading)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--attempts", type=int, default=1000, help="measured, per row")
    parser.add_argument("--warmup", type=int, default=50, help="uncounted pairs first, per row")
    parser.add_argument("--per-name", type=int, default=MAX_PER_NAME, choices=range(1, 5))
    parser.add_argument("--delivery", choices=("console", "outbox"), default="console")
    parser.add_argument("--ops", type=ops, default=list(OPERATIONS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    if args.attempts < 2:
        parser.error("--attempts must be at least 2 (one per side)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if args.endpoint:
        backends = ["endpoint" if args.backend == "both" else args.backend]
    print(
        f"user-existence bench: {args.endpoint or f'own server, {args.workers} workers'}; "
        f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; {args.attempts} attempts "
        f"per row after {args.warmup} warm-up pairs; seed {args.seed}; {args.delivery} delivery",
        flush=True,
    )
    print(HEADER, flush=True)
    rows = [row for backend in backends for row in run_backend(args, backend)]
    half = args.attempts // 2
    spread = math.sqrt((2 * half + 1) / (12 * half * half))
    print(f"\n== results (load average now {os.getloadavg()[0]:.2f}) ==")
    print(HEADER)
    for row in rows:
        print(format_row(row))
    print(
        f"goal: |diff%| <= {GOAL_DIFF_PCT:g} and {GOAL_P[0]} <= P(e>m) <= {GOAL_P[1]}. With "
        f"{half} attempts a side and no difference at all, P(e>m) has a standard deviation "
        f"of {spread:.3f}."
    )


if __name__ == "__main__":
    main()
