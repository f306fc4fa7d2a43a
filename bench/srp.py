"""SRP sign-ins: the server-side step microbenchmark (pow vs gmpy2), and full USER_SRP_AUTH
sign-ins (InitiateAuth + RespondToAuthChallenge) per second at several concurrencies.

    python bench/srp.py [--endpoint URL] [--workers 2] [--seconds 10] [--concurrency 1,8,32]

The load generator does the client's SRP maths with gmpy2 and a 256-bit secret `a`, so its
own cost stays small; the `gen%` column says how much of the machine it took anyway."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import multiprocessing
import secrets
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gmpy2

from userpool.crypto import srp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _http
from _cells import ms

PASSWORD = "Bench-Passw0rd!"
WARMUP_SECONDS = 1.0  # connections made, caches warm: not counted


def _per_call_ms(call: Any, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - start) / rounds * 1000


def microbenchmark(rounds: int = 100) -> None:
    """The primitives, then one server step each: B for a challenge, and the key behind a
    claim (g^b, v^u and (A*v^u)^b), with gmpy2 (+ the fixed-base table) and with pow()."""
    verifier = srp.verifier("abcdef0123456789", "pool", "user", PASSWORD)
    exponent = secrets.randbits(srp.EXPONENT_BITS)
    for label, call in (
        ("g^e, fixed-base table", lambda: srp.power_of_g(exponent)),
        ("v^e, gmpy2.powmod", lambda: gmpy2.powmod(verifier, exponent, srp.N)),
        ("v^e, pow()", lambda: pow(verifier, exponent, srp.N)),
    ):
        print(
            f"3072-bit modexp, 256-bit exponent, {label:22}: {_per_call_ms(call, rounds):6.3f} ms"
        )
    big_a = srp.power_of_g(12345678901234567890)

    def step() -> None:
        b, big_b = srp.server_keys(verifier)
        srp.session_key(big_a, big_b, b, verifier)

    fast = _per_call_ms(step, rounds)
    print(f"server SRP step (challenge + proof) with gmpy2 + table: {fast:6.2f} ms")
    originals = srp.modexp, srp.power_of_g
    srp.modexp = pow  # type: ignore[assignment]
    srp.power_of_g = lambda e: pow(srp.G, e, srp.N)  # type: ignore[assignment]
    try:
        slow = _per_call_ms(step, rounds)
        print(f"server SRP step (challenge + proof) with pow only     : {slow:6.2f} ms")
    finally:
        srp.modexp, srp.power_of_g = originals


def client_claim(
    pool_id: str, user_id: str, a: int, big_a: int, params: dict[str, str]
) -> dict[str, str]:
    """PASSWORD_VERIFIER answer, as a client computes it (the maths pycognito and
    amazon-cognito-identity-js do; checked against their vectors in tests)."""
    name = pool_id.split("_", 1)[1]
    big_b, salt = int(params["SRP_B"], 16), params["SALT"]
    u = srp.scrambler(big_a, big_b)
    x = srp.private_key_x(salt, name, user_id, PASSWORD)
    base = (big_b - srp.K * srp.power_of_g(x)) % srp.N
    shared = int(gmpy2.powmod(base, a + u * x, srp.N))
    prk = hmac.new(
        bytes.fromhex(srp.pad_hex(u)), bytes.fromhex(srp.pad_hex(shared)), hashlib.sha256
    )
    key = hmac.new(prk.digest(), srp.HKDF_INFO, hashlib.sha256).digest()[:16]
    stamp = srp.format_timestamp(datetime.now(UTC))
    block = base64.b64decode(params["SECRET_BLOCK"])
    signature = srp.claim_signature(key, name, user_id, block, stamp)
    return {
        "USERNAME": user_id,
        "TIMESTAMP": stamp,
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(signature).decode(),
    }


async def one_sign_in(
    client: _http.Client, pool_id: str, client_id: str, user: str
) -> tuple[float, float]:
    """One SRP sign-in; how long each of its two round trips took."""
    a = int.from_bytes(hashlib.sha256(str(time.perf_counter_ns()).encode()).digest(), "big")
    big_a = srp.power_of_g(a)
    auth = {"USERNAME": user, "SRP_A": format(big_a, "x")}
    start = time.perf_counter()
    challenge = await client.call(
        "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": auth}
    )
    first = time.perf_counter() - start
    params = challenge["ChallengeParameters"]
    answer = client_claim(pool_id, params["USER_ID_FOR_SRP"], a, big_a, params)
    start = time.perf_counter()
    result = await client.call(
        "RespondToAuthChallenge",
        {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer},
    )
    second = time.perf_counter() - start
    assert "AuthenticationResult" in result
    return first, second


Timings = tuple[list[float], list[float]]  # per sign-in, per round trip


async def drive(
    url: str, pool_id: str, client_id: str, users: list[str], window: tuple[float, float]
) -> Timings:
    """Sign in over and over until window[1]; keep the timings of those begun after window[0]."""
    host = "{}:{}".format(*_http.host_port(url))
    measure_from, until = window

    async def worker(index: int) -> Timings:
        client = _http.Client(await _http.connect(url), host)
        sign_ins: list[float] = []
        trips: list[float] = []
        while (began := time.time()) < until:
            start = time.perf_counter()
            rounds = await one_sign_in(client, pool_id, client_id, users[index % len(users)])
            if began >= measure_from:
                sign_ins.append(time.perf_counter() - start)
                trips.extend(rounds)
        return sign_ins, trips

    results = await asyncio.gather(*(worker(i) for i in range(len(users))))
    return [t for part, _ in results for t in part], [t for _, part in results for t in part]


def process_main(args: tuple[str, str, str, list[str], tuple[float, float]], out: Any) -> None:
    out.put(_http.run(lambda: drive(*args)))


async def setup(url: str, users: int) -> tuple[str, str, list[str]]:
    host = "{}:{}".format(*_http.host_port(url))
    admin = _http.Client(await _http.connect(url), host, region="us-east-1")
    pool_id = (await admin.call("CreateUserPool", {"PoolName": "srp-bench"}))["UserPool"]["Id"]
    client = await admin.call("CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "b"})
    names = [f"srp-user-{i}" for i in range(users)]
    for name in names:
        await admin.call(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": name,
                "TemporaryPassword": PASSWORD,
                "MessageAction": "SUPPRESS",
            },
        )
        await admin.call(
            "AdminSetUserPassword",
            {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD, "Permanent": True},
        )
    return pool_id, client["UserPoolClient"]["ClientId"], names


def cell(
    url: str,
    pool_id: str,
    client_id: str,
    names: list[str],
    conc: int,
    seconds: float,
    server_pid: int | None,
) -> str:
    processes = min(4, conc)
    measure_from = time.time() + WARMUP_SECONDS
    queue: Any = multiprocessing.get_context("spawn").Queue()
    parts = [names[i::processes][: max(1, conc // processes)] for i in range(processes)]
    pids = _http.process_tree(server_pid) if server_pid else []
    workers = [
        multiprocessing.get_context("spawn").Process(
            target=process_main,
            args=((url, pool_id, client_id, part, (measure_from, measure_from + seconds)), queue),
        )
        for part in parts
    ]
    for worker in workers:
        worker.start()
    time.sleep(WARMUP_SECONDS)
    before, busy = _http.cpu_seconds(pids), _http.machine_busy_seconds()
    results = [queue.get() for _ in workers]
    server = _http.cpu_seconds(pids) - before
    machine = _http.machine_busy_seconds() - busy
    for worker in workers:
        worker.join()
    times = sorted(t for sign_ins, _ in results for t in sign_ins)
    trips = sorted(t for _, part in results for t in part)
    rate = len(times) / seconds
    gen = max(0.0, machine - server) / seconds * 100
    srv = server / max(len(times), 1) * 1000
    return (
        f"USER_SRP_AUTH  conc {conc:3}  {rate:7.1f} sign-ins/s  p50 "
        f"{ms(times, 0.5):7.2f} ms  p99 {ms(times, 0.99):7.2f} ms  "
        f"server {srv:5.2f} ms/sign-in  gen+other {gen:4.0f}%  "
        f"per round trip p50 {ms(trips, 0.5):6.2f} ms  p99 {ms(trips, 0.99):6.2f} ms"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args(argv)
    microbenchmark()
    levels = [int(c) for c in args.concurrency.split(",")]
    if args.endpoint:
        run(args.endpoint, None, levels, args.seconds)
        return
    with _http.own_server(args.workers, None) as (url, pid):
        run(url, pid, levels, args.seconds)


def run(url: str, pid: int | None, levels: list[int], seconds: float) -> None:
    pool_id, client_id, names = _http.run(lambda: setup(url, max(levels)))
    for conc in levels:
        print(cell(url, pool_id, client_id, names, conc, seconds, pid), flush=True)


if __name__ == "__main__":
    main()
