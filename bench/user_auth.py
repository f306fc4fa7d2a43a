"""Choice-based sign-ins (InitiateAuth USER_AUTH) per second: PREFERRED_CHALLENGE PASSWORD
(one round trip) and WEB_AUTHN (a passkey: two round trips), at several concurrencies.

    python bench/user_auth.py [--endpoint URL] [--workers 2] [--seconds 10] [--warmup 2]
        [--concurrency 1,32] [--users 100] [--ops PASSWORD,WEB_AUTHN]
        [--backend sqlite|postgres] [--db URL]
        [--profile /tmp/user_auth.txt --profile-cell WEB_AUTHN:1]   # py-spy on the server

Setup (not timed): one pool whose SignInPolicy allows PASSWORD and WEB_AUTHN as first
factors, an app client with ALLOW_USER_AUTH, and `--users` users, each with a password and
one passkey registered through StartWebAuthnRegistration / CompleteWebAuthnRegistration
(ES256, attestation `none`). The server names its own host as the RP id, which is
`localhost` on a loopback address, where http://localhost:3000 is an allowed origin.

A measured PASSWORD sign-in is one InitiateAuth with USERNAME, PREFERRED_CHALLENGE PASSWORD
and PASSWORD, ending in tokens. A measured WEB_AUTHN sign-in is InitiateAuth with
PREFERRED_CHALLENGE WEB_AUTHN (answered by a WEB_AUTHN challenge carrying
CREDENTIAL_REQUEST_OPTIONS), then RespondToAuthChallenge with the assertion in CREDENTIAL,
ending in tokens; both the whole sign-in and each round trip are reported. Connection k of
a cell signs in users k, k+conc, ... in turn, so no user is ever in two sign-ins at once.

The load generator is the browser and the authenticator: per WEB_AUTHN sign-in it writes
clientDataJSON, authenticatorData with the user's counter one higher (the server refuses a
counter that does not go up: a cloned authenticator), and one ECDSA P-256 signature through
OpenSSL (~70 us per assertion in all); the `gen` column says what that and the HTTP took, % of
one core: on the 2-core machine this was written on, 5% and 10% for PASSWORD at concurrency 1
and 32, 10% and 17% for WEB_AUTHN. `server` is the server's CPU per measured sign-in (all its
processes, from /proc); `other` is what the rest of the machine used besides the two, % of one
core (more than a few % means the machine was not quiet).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http
from _cells import ms
from _passkey import Passkey, register

PASSWORD = "Bench-Passw0rd!"
OPERATIONS = ("PASSWORD", "WEB_AUTHN")
FIRST_FACTORS = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def user_auth(client_id: str, user: str, **params: str) -> dict[str, Any]:
    auth = {"USERNAME": user, **params}
    return {"ClientId": client_id, "AuthFlow": "USER_AUTH", "AuthParameters": auth}


def tokens_in(result: dict[str, Any]) -> None:
    assert "AccessToken" in result.get("AuthenticationResult", {}), result


async def password_sign_in(
    client: _http.Client, client_id: str, passkey: Passkey
) -> tuple[float, ...]:
    """One PASSWORD sign-in: its one round trip."""
    request = user_auth(client_id, passkey.user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    start = time.perf_counter()
    result = await client.call("InitiateAuth", request)
    took = time.perf_counter() - start
    tokens_in(result)
    return (took,)


async def passkey_sign_in(
    client: _http.Client, client_id: str, passkey: Passkey
) -> tuple[float, ...]:
    """One WEB_AUTHN sign-in: how long each of its two round trips took."""
    request = user_auth(client_id, passkey.user, PREFERRED_CHALLENGE="WEB_AUTHN")
    start = time.perf_counter()
    challenge = await client.call("InitiateAuth", request)
    initiate = time.perf_counter() - start
    assert challenge.get("ChallengeName") == "WEB_AUTHN", challenge
    answer = passkey.assertion(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    respond = {
        "ClientId": client_id,
        "ChallengeName": "WEB_AUTHN",
        "Session": challenge["Session"],
        "ChallengeResponses": {"USERNAME": passkey.user, "CREDENTIAL": answer},
    }
    start = time.perf_counter()
    result = await client.call("RespondToAuthChallenge", respond)
    responded = time.perf_counter() - start
    tokens_in(result)
    return initiate, responded


SIGN_INS = {"PASSWORD": password_sign_in, "WEB_AUTHN": passkey_sign_in}


@dataclass
class Share:
    """One load process's part of a cell: arrays of seconds, as bytes to cross the queue."""

    sign_ins: bytes
    first_trips: bytes  # InitiateAuth of every measured sign-in
    second_trips: bytes  # RespondToAuthChallenge (WEB_AUTHN only)
    errors: int
    server_errors: int  # of them, HTTP 5xx
    sample: str
    cpu: float  # this load process's CPU seconds in the window
    # Each user's counter when the cell ended: the parent's copies did not move (this process
    # is a fork), and the next cell must start above what the server last saw.
    counters: dict[str, int]


async def drive(
    url: str, client_id: str, operation: str, queues: list[list[Passkey]], w: _cells.Window
) -> Share:
    """Sign in over and over until the window ends; keep the timings of the sign-ins that
    began and ended inside it. One keep-alive connection per list of users."""
    sign_in = SIGN_INS[operation]
    host = "{}:{}".format(*_http.host_port(url))
    clients = [_http.Client(await _http.connect(url), host) for _ in queues]
    await asyncio.sleep(max(0.0, w.start - time.time()))
    sign_ins, first_trips, second_trips = array("d"), array("d"), array("d")
    failures: list[str] = []
    server_errors = 0

    async def worker(client: _http.Client, passkeys: list[Passkey]) -> None:
        nonlocal server_errors
        turn = 0
        while (began := time.time()) < w.end:
            passkey = passkeys[turn % len(passkeys)]
            turn += 1
            start = time.perf_counter()
            try:
                trips = await sign_in(client, client_id, passkey)
            except ConnectionError as error:
                failures.append(str(error))
                return
            except (_http.CallError, AssertionError, KeyError) as error:
                if isinstance(error, _http.CallError) and error.status >= 500:
                    server_errors += 1
                failures.append(f"{passkey.user}: {error}"[:300])
                continue
            took = time.perf_counter() - start
            if began >= w.measure and time.time() <= w.end:
                sign_ins.append(took)
                first_trips.append(trips[0])
                second_trips.extend(trips[1:])

    cpu = asyncio.ensure_future(_cells.cpu_in_window(w))
    await asyncio.gather(*(worker(c, q) for c, q in zip(clients, queues, strict=True)))
    for client in clients:
        client.connection.close()
    return Share(
        sign_ins.tobytes(),
        first_trips.tobytes(),
        second_trips.tobytes(),
        len(failures),
        server_errors,
        failures[0] if failures else "",
        await cpu,
        {passkey.user: passkey.sign_count for queue in queues for passkey in queue},
    )


def process_main(
    url: str,
    client_id: str,
    operation: str,
    queues: list[list[Passkey]],
    w: _cells.Window,
    out: Any,
) -> None:
    out.put(_http.run(lambda: drive(url, client_id, operation, queues, w)))


async def setup(
    url: str, region: str, users: int, connections: int = 8
) -> tuple[str, str, list[Passkey]]:
    """The pool, its app client, and the users, each with a password and a passkey."""
    host = "{}:{}".format(*_http.host_port(url))
    admin = _http.Client(await _http.connect(url), host, region=region)
    pool = {"PoolName": "user-auth-bench", "Policies": FIRST_FACTORS}
    pool_id = (await admin.call("CreateUserPool", pool))["UserPool"]["Id"]
    app = {"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": FLOWS}
    client_id = (await admin.call("CreateUserPoolClient", app))["UserPoolClient"]["ClientId"]
    admin.connection.close()
    names = [_http.username(i) for i in range(users)]
    passkeys: list[Passkey] = []

    async def enrol(part: list[str]) -> None:
        signed = _http.Client(await _http.connect(url), host, region=region)
        public = _http.Client(signed.connection, host)
        for name in part:
            user = {"UserPoolId": pool_id, "Username": name}
            create = {"TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"}
            await signed.call("AdminCreateUser", {**user, **create})
            permanent = {"Password": PASSWORD, "Permanent": True}
            await signed.call("AdminSetUserPassword", {**user, **permanent})
            request = user_auth(client_id, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
            signed_in = await public.call("InitiateAuth", request)
            token = {"AccessToken": signed_in["AuthenticationResult"]["AccessToken"]}
            options = await public.call("StartWebAuthnRegistration", token)
            passkey, credential = register(name, options["CredentialCreationOptions"])
            await public.call("CompleteWebAuthnRegistration", {**token, "Credential": credential})
            passkeys.append(passkey)
        signed.connection.close()

    await asyncio.gather(*(enrol(names[k::connections]) for k in range(connections)))
    passkeys.sort(key=lambda passkey: passkey.user)
    return pool_id, client_id, passkeys


@dataclass(frozen=True)
class Row:
    operation: str
    concurrency: int
    rate: float
    sign_ins: list[float]  # sorted, seconds
    first_trips: list[float]  # InitiateAuth
    second_trips: list[float]  # RespondToAuthChallenge (WEB_AUTHN only)
    errors: int
    server_errors: int
    server_ms: float | None  # server CPU per measured sign-in
    gen_pct: float
    other_pct: float | None


def format_row(row: Row) -> str:
    server = f"{row.server_ms:5.2f}" if row.server_ms is not None else "    -"
    other = f"{row.other_pct:4.0f}" if row.other_pct is not None else "   -"
    line = (
        f"{row.operation:<9}  conc {row.concurrency:3}  {row.rate:7.1f} sign-ins/s  p50 "
        f"{ms(row.sign_ins, 0.5):7.2f} ms  p99 {ms(row.sign_ins, 0.99):7.2f} ms  "
        f"errors {row.errors} (5xx {row.server_errors})  server {server} ms/sign-in  "
        f"gen {row.gen_pct:3.0f}%  other {other}%"
    )
    if row.second_trips:
        line += (
            f"  InitiateAuth p50 {ms(row.first_trips, 0.5):6.2f} ms  p99 "
            f"{ms(row.first_trips, 0.99):6.2f} ms  RespondToAuthChallenge p50 "
            f"{ms(row.second_trips, 0.5):6.2f} ms  p99 {ms(row.second_trips, 0.99):6.2f} ms"
        )
    return line


@dataclass(frozen=True)
class Plan:
    """What every cell shares: the server, the app client, the users and the timing."""

    url: str
    client_id: str
    passkeys: list[Passkey]
    args: argparse.Namespace
    pid: int | None  # the server's first process, when this script started it


def cell(plan: Plan, operation: str, conc: int, profile: Path | None) -> Row:
    args = plan.args
    processes = min(args.processes, conc)
    # Connection k signs in users k, k+conc, ... (never one user on two connections: parse_args
    # makes sure there are enough); load process p drives connections p, p+processes, ...
    queues = [plan.passkeys[k::conc] for k in range(conc)]
    w = _cells.new_window(processes, args.warmup, args.seconds)
    per_process = [
        (plan.url, plan.client_id, operation, queues[p::processes]) for p in range(processes)
    ]
    ran = _cells.run_window(process_main, per_process, w, plan.pid, profile, args.profiler)
    shares: list[Share] = ran.shares
    by_user = {passkey.user: passkey for passkey in plan.passkeys}
    for share in shares:
        for user, count in share.counters.items():
            by_user[user].sign_count = count
        if share.sample:
            print(f"  {operation} conc {conc} error sample: {share.sample}", flush=True)
    sign_ins = ran.merged("sign_ins")
    server_ms, gen_pct, other_pct = ran.cpu_figures(len(sign_ins), args.seconds)
    return Row(
        operation=operation,
        concurrency=conc,
        rate=len(sign_ins) / args.seconds,
        sign_ins=sign_ins,
        first_trips=ran.merged("first_trips"),
        second_trips=ran.merged("second_trips"),
        errors=sum(share.errors for share in shares),
        server_errors=sum(share.server_errors for share in shares),
        server_ms=server_ms,
        gen_pct=gen_pct,
        other_pct=other_pct,
    )


def run(args: argparse.Namespace, url: str, pid: int | None, db: str | None) -> list[Row]:
    started = time.monotonic()
    pool_id, client_id, passkeys = _http.run(lambda: setup(url, args.region, args.users))
    if db is not None:  # PostgreSQL this script started the server on
        _http.analyze_postgres(db)
    print(
        f"pool {pool_id}: {len(passkeys)} users with a password and a passkey in "
        f"{time.monotonic() - started:.1f} s{'; database analyzed' if db else ''}",
        flush=True,
    )
    plan = Plan(url, client_id, passkeys, args, pid)
    profile_op, _, profile_conc = args.profile_cell.partition(":")
    rows = []
    for operation in args.ops:
        for conc in args.concurrency:
            chosen = (operation, str(conc)) == (profile_op, profile_conc)
            profile, args.profile = (args.profile, None) if chosen else (None, args.profile)
            rows.append(cell(plan, operation, conc, profile))
            print(format_row(rows[-1]), flush=True)
    if args.profile:
        print(f"no cell matched --profile-cell {args.profile_cell}: nothing profiled")
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])

    def ints(text: str) -> list[int]:
        return [int(part) for part in text.split(",") if part]

    def ops(text: str) -> list[str]:
        chosen = [part for part in text.split(",") if part]
        if not set(chosen) <= set(OPERATIONS):
            raise argparse.ArgumentTypeError(f"operations are {', '.join(OPERATIONS)}")
        return chosen

    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--db", help="PostgreSQL for --backend postgres; default: a new one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--users", type=int, default=100, help="users, one passkey each")
    parser.add_argument("--concurrency", type=ints, default=[1, 32])
    parser.add_argument("--ops", type=ops, default=list(OPERATIONS))
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--profile", type=Path, help="output: .txt raw, .svg, .json")
    parser.add_argument("--profile-cell", default="WEB_AUTHN:1", help="OP:CONCURRENCY")
    parser.add_argument("--profiler", default=_http.PY_SPY, help="see _http.start_profiler")
    args = parser.parse_args(argv)
    # One user's counter must not be raced by two sign-ins at once (the server would refuse
    # the loser as a cloned authenticator), so every connection needs users of its own.
    if max(args.concurrency, default=0) > args.users:
        parser.error("--users must be at least the highest --concurrency")
    if args.profile and args.endpoint:
        parser.error("--profile needs the server this script starts (no --endpoint)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    where = args.endpoint or f"own server, {args.workers} workers, {args.backend}"
    print(
        f"user_auth bench: {where}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; "
        f"{args.users} users; {args.processes} client processes; warm-up {args.warmup} s, "
        f"window {args.seconds} s",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        db = None
        if args.endpoint:
            url, pid = args.endpoint.rstrip("/"), None
        else:
            if args.backend == "postgres":
                db = args.db or stack.enter_context(_http.throwaway_postgres())
            url, pid = stack.enter_context(_http.own_server(args.workers, db))
        rows = run(args, url, pid, db)
    print(f"\n== results (load average now {os.getloadavg()[0]:.2f}) ==")
    for row in rows:
        print(format_row(row))


if __name__ == "__main__":
    main()
