"""A million users imported through CreateUserImportJob, and what a pool that size costs:
import users/s, sign-in latency at 1k and at 1M users, AdminGetUser, ListUsers with each
filter Cognito supports and pages to the end, the server's memory and the database's size.

    python bench/million.py                       # SQLite, in the started server's temp dir
    python bench/million.py --db postgres         # a new PostgreSQL database, dropped after
    python bench/million.py --db postgresql://...  # a database of your own
    python bench/million.py --users 20000         # a quick run

The users come in through the real import path, as a client would bring them: a CSV file
streamed to disk (bench/_million_data.py), boto3's CreateUserImportJob, an HTTP PUT of the file
to the job's PreSignedUrl, StartUserImportJob, DescribeUserImportJob until Succeeded. Import
users/s counts from StartUserImportJob to Succeeded.

1. A pool of 1,000 users, each with a bcrypt (cost 5) hash of one password, is imported; each
   user signs in once (the first sign-in checks the hash and stores an SRP verifier in its
   place: its cost is measured), then USER_PASSWORD_AUTH of those users, AdminGetUser and
   ListUsers are measured.
2. The rest of `--users` are imported in jobs of at most 500,000 rows (Cognito's most per
   file), alternately BCRYPT and ARGON2ID; most rows have no password (RESET_REQUIRED, as
   Cognito imports them), a few thousand per job a cheap hash and a few hundred one at a cost
   systems really use (bcrypt 10, Argon2id m=19456 KiB t=2). 100 users are disabled.
3. The same measurements on the full pool, with the same 1,000 users signing in; then the
   imported hashes' first sign-ins (each user once: at concurrency 1, then the rest at 32).

Timed windows (bench/_cells.py: load processes on raw keep-alive sockets, a warm-up, then
`--seconds` in which only requests that start and end inside count) for the repeated
requests; on PostgreSQL, ANALYZE after each import, as autovacuum would do to a pool in use.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http
import _million_data as data
import _million_probe as probe
import boto3
import requests

SIGNED_IN = b'"AuthenticationResult"'
ROLE = "arn:aws:iam::123456789012:role/CognitoImport"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="PostgreSQL URL, or `postgres` for a new database")
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--cheap", type=int, default=2000, help="cheap hashes per big job")
    parser.add_argument("--costly", type=int, default=300, help="costly hashes per big job")
    parser.add_argument("--walk-seconds", type=float, default=300.0, help="full walk limit")
    parser.add_argument("--filter-calls", type=int, default=20, help="per filter and operator")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="py-spy the server during the big import")
    parser.add_argument("--import-only", action="store_true", help="measure the import alone")
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(text, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, url: str, pid: int, db: str | None) -> None:
        self.args, self.url, self.pid, self.db = args, url, pid, db
        self.rng = random.Random(args.seed)
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=url,
            region_name=args.region,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        host, port = _http.host_port(url)
        pool = self.idp.create_user_pool(PoolName="million", AutoVerifiedAttributes=["email"])
        client = self.idp.create_user_pool_client(
            UserPoolId=pool["UserPool"]["Id"],
            ClientName="bench",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        self.target = _http.Target(
            url, f"{host}:{port}", args.region, client["UserPoolId"], client["ClientId"]
        )
        self.hashes = data.make_hashes()
        self.jobs = data.plan_jobs(args.users, args.cheap, args.costly)
        self.loaded = 0  # users imported so far
        self.summary: dict[Any, Any] = {}

    # -- import ---------------------------------------------------------------------------

    def import_job(self, job: data.Job, folder: Path) -> tuple[float, float]:
        """One job end to end; returns (seconds from Start to Succeeded, server CPU seconds)."""
        path = folder / f"users-{job.first}.csv"
        generated = data.write_csv(job, self.hashes, path)
        size = path.stat().st_size
        pool_id = self.target.pool_id
        created = self.idp.create_user_import_job(
            UserPoolId=pool_id,
            JobName=f"users-{job.first}",
            CloudWatchLogsRoleArn=ROLE,
            PasswordHashingAlgorithm=job.algorithm,
        )["UserImportJob"]
        began = time.perf_counter()
        with path.open("rb") as body:
            headers = {"x-amz-server-side-encryption": "aws:kms"}
            requests.put(created["PreSignedUrl"], data=body, headers=headers).raise_for_status()
        uploaded = time.perf_counter() - began
        path.unlink()
        pids = _http.process_tree(self.pid)
        cpu_before = _http.cpu_seconds(pids)
        signing_in = probe.Paced(self.url, self.pacing_requests, per_second=10)
        started = time.perf_counter()
        self.idp.start_user_import_job(UserPoolId=pool_id, JobId=created["JobId"])
        with signing_in if job.first else contextlib.nullcontext():
            state = self.wait_for(pool_id, created["JobId"], job, started)
        took = time.perf_counter() - started
        cpu = _http.cpu_seconds(pids) - cpu_before
        if state["Status"] != "Succeeded" or state["ImportedUsers"] != job.rows:
            raise SystemExit(f"import job ended {state}")
        say(
            f"job {created['JobId']} ({job.algorithm}, users {job.first}..{job.end - 1}, "
            f"{len(job.hashed)} with a hash): CSV {size / 2**20:.1f} MiB made in "
            f"{generated:.1f} s, "
            f"PUT in {uploaded:.1f} s; Start -> Succeeded {took:.1f} s: "
            f"{job.rows / took:.0f} users/s, server CPU {cpu / job.rows * 1000:.3f} ms/user"
        )
        if job.first:
            say(signing_in.line("USER_PASSWORD_AUTH of the first 1,000 users meanwhile, 10/s"))
        self.loaded = job.end
        return took, cpu

    @property
    def pacing_requests(self) -> list[bytes]:
        return [self.sign_in_request(index) for index in range(data.FIRST_JOB_ROWS)]

    def wait_for(self, pool_id: str, job_id: str, job: data.Job, started: float) -> Any:
        shown = started
        while True:
            described = self.idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)
            state = described["UserImportJob"]
            if state["Status"] not in ("Pending", "InProgress"):
                return state
            if time.perf_counter() - shown > 30:
                shown = time.perf_counter()
                rate = state["ImportedUsers"] / (shown - started)
                say(f"  {state['ImportedUsers']}/{job.rows} imported ({rate:.0f} users/s)")
            time.sleep(0.25)

    def import_rest(self, folder: Path) -> None:
        profiler = None
        if self.args.profile:
            profiler = _http.start_profiler(_http.PY_SPY, self.args.profile, self.pid)
        seconds = cpu = 0.0
        for job in self.jobs[1:]:
            took, used = self.import_job(job, folder)
            seconds, cpu = seconds + took, cpu + used
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=120)
            _http.summarise_profile(self.args.profile)
        rows = sum(job.rows for job in self.jobs[1:])
        rate = rows / seconds
        self.summary["import"] = rate
        say(
            f"imported {rows} users in {len(self.jobs) - 1} jobs: {seconds:.1f} s from each Start "
            f"to Succeeded, {rate:.0f} users/s "
            f"(goal >= 5,000: {'met' if rate >= 5000 else 'NOT met'}); "
            f"server CPU {cpu / rows * 1000:.3f} ms/user"
        )
        self.analyze()
        self.disable_some()

    def analyze(self) -> None:
        if self.db is not None:
            began = time.perf_counter()
            _http.analyze_postgres(self.db)
            say(f"ANALYZE took {time.perf_counter() - began:.1f} s")

    def disable_some(self) -> None:
        """100 users without a password disabled: `status = "Disabled"` finds them."""
        hashed = {index for job in self.jobs for index in job.hashed}
        plain = [i for i in range(self.jobs[1].first, self.loaded) if i not in hashed]
        for index in plain[:: max(1, len(plain) // 100)][:100]:
            self.idp.admin_disable_user(
                UserPoolId=self.target.pool_id, Username=data.username(index)
            )

    # -- measurements ---------------------------------------------------------------------

    def window(
        self, label: str, requests_: list[bytes], expect: bytes, concurrency: int
    ) -> dict[str, float]:
        step = max(1, len(requests_) // concurrency)

        def make(number: int, sent: int) -> bytes:
            return requests_[(number * step + sent) % len(requests_)]

        timing = _cells.Timing(self.args.processes, self.args.warmup, self.args.seconds, self.pid)
        measured = _cells.measure(self.url, _cells.Cell(label, make, expect, concurrency), timing)
        row = {
            "rps": measured.count / self.args.seconds,
            "p50": measured.percentile_ms(0.5),
            "p99": measured.percentile_ms(0.99),
        }
        server = measured.server_ms_per_request()
        say(
            f"{label:<22} {self.loaded:>8} {concurrency:>4} {row['rps']:8.1f} {row['p50']:8.2f} "
            f"{row['p99']:8.2f} {measured.errors:>6} {server or 0:10.2f}"
        )
        return row

    def sign_in_request(self, index: int) -> bytes:
        auth = {"USERNAME": data.username(index), "PASSWORD": data.PASSWORD}
        request: bytes = self.target.public_request(
            "InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth}
        )
        return request

    def first_sign_ins(self, label: str, indices: list[int], at_one: int) -> None:
        """Each user's first sign-in: `at_one` of them at concurrency 1, the rest at 32."""
        requests_ = [self.sign_in_request(index) for index in indices]
        for concurrency, part in ((1, requests_[:at_one]), (32, requests_[at_one:])):
            if part:
                once = probe.send_once(self.url, label, part, SIGNED_IN, concurrency, self.pid)
                say(once.line())

    def measure(self, size: str) -> None:
        say(f"\n== {size}: {self.loaded} users ==")
        say(
            f"{'operation':<22} {'users':>8} {'conc':>4} {'req/s':>8} {'p50 ms':>8} "
            f"{'p99 ms':>8} {'errors':>6} {'srv ms/req':>10}"
        )
        first = list(range(data.FIRST_JOB_ROWS))
        self.rng.shuffle(first)
        signins = [self.sign_in_request(index) for index in first]
        lookups = [
            self.target.admin_request(
                "AdminGetUser", {"Username": data.username(self.rng.randrange(self.loaded))}
            )
            for _ in range(4096)
        ]
        for concurrency in (1, 32):
            self.summary[(size, concurrency)] = self.window(
                "USER_PASSWORD_AUTH", signins, SIGNED_IN, concurrency
            )
        for concurrency in (1, 32):
            self.window("AdminGetUser", lookups, b'"Username"', concurrency)
        say("")
        say(probe.FILTER_HEADER)
        for timing in probe.first_pages(self.target, self.filter_groups()):
            say(timing.line())
        say("")
        walks = [
            ("family_name = one name", f'family_name = "{data.family(7)}"', 600.0),
            ('cognito:user_status = "CONFIRMED"', 'cognito:user_status = "CONFIRMED"', 600.0),
            ("no filter: the whole pool", "", self.args.walk_seconds),
        ]
        for label, text, limit in walks:
            say(probe.walk(self.target, label, text, limit).line())
        self.report_memory(size)

    def report_memory(self, when: str) -> None:
        sizes = probe.rss_mib(self.pid)
        listed = " + ".join(f"{size:.0f}" for size in sizes)
        say(f"server RSS ({when}): {sum(sizes):.0f} MiB ({listed}: supervisor, workers)")
        say(f"database size ({when}): {probe.database_size(self.pid, self.db)}")

    def filter_groups(self) -> list[list[str]]:
        """Each filterable attribute with `=` and `^=`, `--filter-calls` values each."""
        picks = [self.rng.randrange(self.loaded) for _ in range(self.args.filter_calls)]
        subs = self.subs(picks)
        values: dict[str, Callable[[int], tuple[str, str]]] = {
            "username": lambda i: (data.username(i), data.username(i)[:-1]),
            "email": lambda i: (data.email(i), data.given(i).lower() + "."),
            "phone_number": lambda i: (data.phone(i), data.phone(i)[:-2]),
            "name": lambda i: (f"{data.given(i)} {data.family(i)}", data.given(i) + " "),
            "given_name": lambda i: (data.given(i), data.given(i)[:2]),
            "family_name": lambda i: (data.family(i), data.family(i)[:3]),
            "preferred_username": lambda i: (data.preferred(i), data.preferred(i)[:-1]),
            "sub": lambda i: (subs[i], subs[i][:8]),
        }
        groups = []
        for name, make in values.items():
            for op, at in (("=", 0), ("^=", 1)):
                groups.append([f'{name} {op} "{make(i)[at]}"' for i in picks])
        for name, texts in (
            ("cognito:user_status", ('= "CONFIRMED"', '= "RESET_REQUIRED"', '^= "RESET"')),
            ("status", ('= "Enabled"', '= "Disabled"', '^= "Dis"')),
        ):
            for text in texts:
                groups.append([f"{name} {text}"] * self.args.filter_calls)
        return groups

    def subs(self, indices: list[int]) -> dict[int, str]:
        subs = {}
        for index in indices:
            user = self.idp.admin_get_user(
                UserPoolId=self.target.pool_id, Username=data.username(index)
            )
            subs[index] = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
        return subs

    # -- the run --------------------------------------------------------------------------

    def run(self) -> None:
        self.report_memory("empty pool")
        with tempfile.TemporaryDirectory(prefix="million-csv-") as folder:
            self.import_job(self.jobs[0], Path(folder))
            if self.args.import_only:
                self.import_rest(Path(folder))
                self.report_memory("imported")
                return
            self.analyze()
            say(probe.ONCE_HEADER)
            self.first_sign_ins(
                "first sign-in bcrypt-5 (1k pool)", list(range(data.FIRST_JOB_ROWS)), 200
            )
            self.measure("1k")
            say(f"\n== import to {self.args.users} users ==")
            self.import_rest(Path(folder))
        self.measure("1M" if self.args.users == 1_000_000 else f"{self.args.users}")
        say("")
        say(probe.ONCE_HEADER)
        for kind in self.hashes:
            users = [i for job in self.jobs[1:] for i in job.users_of(kind)]
            self.first_sign_ins(f"first sign-in {kind}", users, min(len(users) // 4, 200))
        self.conclude()

    def conclude(self) -> None:
        say("\n== sign-in at 1k vs the full pool (USER_PASSWORD_AUTH, the same 1,000 users) ==")
        big = "1M" if self.args.users == 1_000_000 else f"{self.args.users}"
        for concurrency in (1, 32):
            small, large = self.summary[("1k", concurrency)], self.summary[(big, concurrency)]
            changes = {k: (large[k] - small[k]) / small[k] * 100 for k in ("p50", "p99", "rps")}
            within = all(abs(changes[k]) <= 20 or large[k] < small[k] for k in ("p50", "p99"))
            say(
                f"c{concurrency}: p50 {small['p50']:.2f} -> {large['p50']:.2f} ms "
                f"({changes['p50']:+.0f}%), "
                f"p99 {small['p99']:.2f} -> {large['p99']:.2f} ms ({changes['p99']:+.0f}%), "
                f"{small['rps']:.0f} -> {large['rps']:.0f} req/s ({changes['rps']:+.0f}%): "
                f"{'within 20%' if within else 'NOT within 20%'}"
            )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    # `kill` (SIGTERM) ends the run through its `with` blocks: the server stops, the
    # throwaway database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    say(
        f"million bench: {args.users} users, own server, {args.workers} workers, "
        f"{'SQLite' if args.db is None else 'PostgreSQL'}; {os.cpu_count()} cores; "
        f"load {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    with contextlib.ExitStack() as stack:
        db = args.db
        if db == "postgres":
            db = stack.enter_context(_http.throwaway_postgres())
        url, pid = stack.enter_context(_http.own_server(args.workers, db))
        began = time.perf_counter()
        Bench(args, url, pid, db).run()
        say(
            f"\ntotal {time.perf_counter() - began:.0f} s; "
            f"load average now {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
