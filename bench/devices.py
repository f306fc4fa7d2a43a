"""Device SRP sign-ins per second: USER_PASSWORD_AUTH naming a remembered device, then its
DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER round trips, at several concurrencies.

    python bench/devices.py [--endpoint URL] [--workers 2] [--seconds 10] [--warmup 2]
        [--concurrency 1,32] [--users 100] [--backend sqlite|postgres] [--db URL]

Setup (not timed): one pool that tracks devices (ChallengeRequiredOnNewDevice, remembered
on ConfirmDevice), `--users` users, and for each a password sign-in whose NewDeviceMetadata
is confirmed with a verifier made as amazon-cognito-identity-js makes it. A measured
"device sign-in" is the password step with DEVICE_KEY plus both device round trips, ending
in tokens. Connection k of a cell signs in users k, k+conc, ... in turn, so no user is ever
in two sign-ins at once.

The load generator does the client's SRP maths as bench/srp.py does: A = g^a from the
fixed-base table with a 256-bit `a`, then one gmpy2.powmod (3072-bit modulus, ~512-bit
exponent a + u*x, ~1.4 ms; no client can skip it) per sign-in, ~2 ms of client CPU in all
against the server's ~5 ms. On the 2-core machine this was written on it took 32% of one
core at concurrency 1 and 53% at 32, i.e. 16% and 27% of the machine (the `gen` column:
the load processes' CPU in the window, % of one core). `server` is the server's CPU per
measured sign-in (all its processes, from /proc); `other` is what the rest of the machine
used besides the two, % of one core (more than a few % means the machine was not quiet).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import sys
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gmpy2

from userpool.crypto import srp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http
from _cells import ms

PASSWORD = "Bench-Passw0rd!"
TRACKING = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}


@dataclass(frozen=True)
class Device:
    """A user and the device confirmed for it: what a client keeps after ConfirmDevice."""

    user: str
    key: str
    group_key: str
    password: str


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def verifier_config(group_key: str, key: str, password: str) -> dict[str, str]:
    """DeviceSecretVerifierConfig as amazon-cognito-identity-js's generateHashDevice makes it:
    padHex of a random salt and of v = g^x, as bytes in base64."""
    salt_hex = srp.pad_hex(secrets.token_hex(16))
    verifier = srp.verifier(salt_hex, group_key, key, password)
    return {
        "PasswordVerifier": b64(bytes.fromhex(srp.pad_hex(verifier))),
        "Salt": b64(bytes.fromhex(salt_hex)),
    }


def device_claim(device: Device, a: int, big_a: int, params: dict[str, str]) -> dict[str, str]:
    """DEVICE_PASSWORD_VERIFIER answer: bench/srp.py's client_claim with the device group key
    in place of the pool name and the device key in place of the user id (the maths
    identity-js does; tests/test_device_srp_vectors.py checks the server against it)."""
    big_b, salt = int(params["SRP_B"], 16), params["SALT"]
    u = srp.scrambler(big_a, big_b)
    x = srp.private_key_x(salt, device.group_key, device.key, device.password)
    base = (big_b - srp.K * srp.power_of_g(x)) % srp.N
    shared = int(gmpy2.powmod(base, a + u * x, srp.N))  # the client's one costly step
    prk = hmac.new(
        bytes.fromhex(srp.pad_hex(u)), bytes.fromhex(srp.pad_hex(shared)), hashlib.sha256
    )
    key = hmac.new(prk.digest(), srp.HKDF_INFO, hashlib.sha256).digest()[:16]
    stamp = srp.format_timestamp(datetime.now(UTC))
    block = base64.b64decode(params["SECRET_BLOCK"])
    signature = srp.claim_signature(key, device.group_key, device.key, block, stamp)
    return {
        "USERNAME": params["USERNAME"],
        "DEVICE_KEY": device.key,
        "TIMESTAMP": stamp,
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": b64(signature),
    }


async def one_sign_in(client: _http.Client, client_id: str, device: Device) -> tuple[float, ...]:
    """One device sign-in; how long each of its three round trips took."""
    auth = {"USERNAME": device.user, "PASSWORD": PASSWORD, "DEVICE_KEY": device.key}
    request = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth}
    start = time.perf_counter()
    challenge = await client.call("InitiateAuth", request)
    password_step = time.perf_counter() - start
    assert challenge.get("ChallengeName") == "DEVICE_SRP_AUTH", challenge
    a = secrets.randbits(srp.EXPONENT_BITS)
    big_a = srp.power_of_g(a)
    responses = {"USERNAME": device.user, "DEVICE_KEY": device.key, "SRP_A": format(big_a, "x")}
    start = time.perf_counter()
    challenge = await client.call(
        "RespondToAuthChallenge",
        {
            "ClientId": client_id,
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": challenge["Session"],
            "ChallengeResponses": responses,
        },
    )
    srp_trip = time.perf_counter() - start
    assert challenge.get("ChallengeName") == "DEVICE_PASSWORD_VERIFIER", challenge
    answer = device_claim(device, a, big_a, challenge["ChallengeParameters"])
    start = time.perf_counter()
    result = await client.call(
        "RespondToAuthChallenge",
        {
            "ClientId": client_id,
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": challenge["Session"],
            "ChallengeResponses": answer,
        },
    )
    verifier_trip = time.perf_counter() - start
    assert "AccessToken" in result.get("AuthenticationResult", {}), result
    return password_step, srp_trip, verifier_trip


@dataclass
class Share:
    """One load process's part of a cell: arrays of seconds, as bytes to cross the queue."""

    sign_ins: bytes
    password_steps: bytes
    device_trips: bytes  # both device round trips of every measured sign-in
    errors: int
    sample: str
    cpu: float  # this load process's CPU seconds in the window


async def drive(url: str, client_id: str, queues: list[list[Device]], w: _cells.Window) -> Share:
    """Sign in over and over until the window ends; keep the timings of the sign-ins that
    began and ended inside it. One keep-alive connection per list of devices."""
    host = "{}:{}".format(*_http.host_port(url))
    clients = [_http.Client(await _http.connect(url), host) for _ in queues]
    await asyncio.sleep(max(0.0, w.start - time.time()))
    sign_ins, password_steps, device_trips = array("d"), array("d"), array("d")
    failures: list[str] = []

    async def worker(client: _http.Client, devices: list[Device]) -> None:
        turn = 0
        while (began := time.time()) < w.end:
            device = devices[turn % len(devices)]
            turn += 1
            start = time.perf_counter()
            try:
                trips = await one_sign_in(client, client_id, device)
            except ConnectionError as error:
                failures.append(str(error))
                return
            except (_http.CallError, AssertionError, KeyError) as error:
                failures.append(f"{device.user}: {error}"[:300])
                continue
            took = time.perf_counter() - start
            if began >= w.measure and time.time() <= w.end:
                sign_ins.append(took)
                password_steps.append(trips[0])
                device_trips.extend(trips[1:])

    cpu = asyncio.ensure_future(_cells.cpu_in_window(w))
    await asyncio.gather(*(worker(c, d) for c, d in zip(clients, queues, strict=True)))
    for client in clients:
        client.connection.close()
    return Share(
        sign_ins.tobytes(),
        password_steps.tobytes(),
        device_trips.tobytes(),
        len(failures),
        failures[0] if failures else "",
        await cpu,
    )


def process_main(
    url: str, client_id: str, queues: list[list[Device]], w: _cells.Window, out: Any
) -> None:
    out.put(_http.run(lambda: drive(url, client_id, queues, w)))


async def setup(
    url: str, region: str, users: int, connections: int = 8
) -> tuple[str, str, list[Device]]:
    """A device-tracking pool, its users, and one confirmed device each."""
    host = "{}:{}".format(*_http.host_port(url))
    admin = _http.Client(await _http.connect(url), host, region=region)
    pool = {"PoolName": "devices-bench", "DeviceConfiguration": TRACKING}
    pool_id = (await admin.call("CreateUserPool", pool))["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    app = {"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": flows}
    client_id = (await admin.call("CreateUserPoolClient", app))["UserPoolClient"]["ClientId"]
    admin.connection.close()
    names = [_http.username(i) for i in range(users)]
    devices: list[Device] = []

    async def confirm(part: list[str]) -> None:
        signed = _http.Client(await _http.connect(url), host, region=region)
        public = _http.Client(signed.connection, host)
        for name in part:
            user = {"UserPoolId": pool_id, "Username": name}
            create = {"TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"}
            await signed.call("AdminCreateUser", {**user, **create})
            permanent = {"Password": PASSWORD, "Permanent": True}
            await signed.call("AdminSetUserPassword", {**user, **permanent})
            auth = {"USERNAME": name, "PASSWORD": PASSWORD}
            flow = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH"}
            tokens = (await public.call("InitiateAuth", {**flow, "AuthParameters": auth}))[
                "AuthenticationResult"
            ]
            metadata = tokens["NewDeviceMetadata"]
            key, group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
            # What identity-js makes up for a device: 40 random bytes in base64.
            device = Device(name, key, group_key, b64(secrets.token_bytes(40)))
            confirmed = await public.call(
                "ConfirmDevice",
                {
                    "AccessToken": tokens["AccessToken"],
                    "DeviceKey": key,
                    "DeviceSecretVerifierConfig": verifier_config(group_key, key, device.password),
                    "DeviceName": "bench",
                },
            )
            # Remembered at once, or the sign-ins would measure a device the pool may
            # still ask MFA for.
            assert confirmed == {"UserConfirmationNecessary": False}, confirmed
            devices.append(device)
        signed.connection.close()

    await asyncio.gather(*(confirm(names[k::connections]) for k in range(connections)))
    devices.sort(key=lambda device: device.user)
    return pool_id, client_id, devices


@dataclass(frozen=True)
class Row:
    concurrency: int
    rate: float
    sign_ins: list[float]  # sorted, seconds
    password_steps: list[float]
    device_trips: list[float]
    errors: int
    server_ms: float | None  # server CPU per measured sign-in
    gen_pct: float
    other_pct: float | None


def format_row(row: Row) -> str:
    server = f"{row.server_ms:5.2f}" if row.server_ms is not None else "    -"
    other = f"{row.other_pct:4.0f}" if row.other_pct is not None else "   -"
    return (
        f"device-sign-in  conc {row.concurrency:3}  {row.rate:7.1f} sign-ins/s  p50 "
        f"{ms(row.sign_ins, 0.5):7.2f} ms  p99 {ms(row.sign_ins, 0.99):7.2f} ms  "
        f"errors {row.errors}  server {server} ms/sign-in  gen {row.gen_pct:3.0f}%  "
        f"other {other}%  per device round trip p50 {ms(row.device_trips, 0.5):6.2f} ms  "
        f"p99 {ms(row.device_trips, 0.99):6.2f} ms  password step p50 "
        f"{ms(row.password_steps, 0.5):6.2f} ms  p99 {ms(row.password_steps, 0.99):6.2f} ms"
    )


def cell(
    url: str,
    client_id: str,
    devices: list[Device],
    conc: int,
    args: argparse.Namespace,
    pid: int | None,
) -> Row:
    processes = min(args.processes, conc)
    # Connection k signs in devices k, k+conc, ...; load process p drives connections
    # p, p+processes, ... (as _cells.measure splits them).
    queues = [devices[k::conc] or [devices[k % len(devices)]] for k in range(conc)]
    w = _cells.new_window(processes, args.warmup, args.seconds)
    per_process = [(url, client_id, queues[p::processes]) for p in range(processes)]
    ran = _cells.run_window(process_main, per_process, w, pid)
    shares: list[Share] = ran.shares
    for share in shares:
        if share.sample:
            print(f"  conc {conc} error sample: {share.sample}", flush=True)
    sign_ins = ran.merged("sign_ins")
    server_ms, gen_pct, other_pct = ran.cpu_figures(len(sign_ins), args.seconds)
    return Row(
        concurrency=conc,
        rate=len(sign_ins) / args.seconds,
        sign_ins=sign_ins,
        password_steps=ran.merged("password_steps"),
        device_trips=ran.merged("device_trips"),
        errors=sum(share.errors for share in shares),
        server_ms=server_ms,
        gen_pct=gen_pct,
        other_pct=other_pct,
    )


def run(args: argparse.Namespace, url: str, pid: int | None, db: str | None) -> list[Row]:
    started = time.monotonic()
    pool_id, client_id, devices = _http.run(lambda: setup(url, args.region, args.users))
    if db is not None:  # PostgreSQL this script started the server on
        _http.analyze_postgres(db)
    print(
        f"pool {pool_id}: {len(devices)} users with a confirmed device in "
        f"{time.monotonic() - started:.1f} s{'; database analyzed' if db else ''}",
        flush=True,
    )
    rows = []
    for conc in args.concurrency:
        rows.append(cell(url, client_id, devices, conc, args, pid))
        print(format_row(rows[-1]), flush=True)
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])

    def ints(text: str) -> list[int]:
        return [int(part) for part in text.split(",") if part]

    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--db", help="PostgreSQL for --backend postgres; default: a new one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--users", type=int, default=100, help="users, one device each")
    parser.add_argument("--concurrency", type=ints, default=[1, 32])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    where = args.endpoint or f"own server, {args.workers} workers, {args.backend}"
    print(
        f"devices bench: {where}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}; "
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
