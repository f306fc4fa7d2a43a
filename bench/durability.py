"""Kill -9 durability, many rounds: concurrent writers (sign-ups, AdminUpdateUserAttributes,
sign-ins with refresh token rotation) against `userpool serve`, the server's process group
SIGKILLed at a random moment, a restart on the same data dir or database, and the checks:
every write acknowledged with HTTP 200 is there, nothing is half-written (bench/_durability.py;
tests/test_durability.py runs two rounds per backend).

    python bench/durability.py --rounds 40 --backend both
    python bench/durability.py --rounds 5 --backend sqlite --workers 2 --sqlite-synchronous full

Each backend gets one pool in a new data dir (and, for PostgreSQL, a new database), kept
across its rounds: a round's restart is the next round's server. Round r runs with
`--workers` W[r mod len(W)]. Exits 1 if any round lost a write, left one half-written, or
saw an error before the kill.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _durability, _http
from bench._durability_checks import Round
from userpool.storage.database import SQLITE_SYNCHRONOUS


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="kill -9 rounds per backend")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--workers", default="1,2", help="server processes, by turns over the rounds: e.g. 1,2"
    )
    parser.add_argument("--sqlite-synchronous", choices=SQLITE_SYNCHRONOUS, default="normal")
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=0.1,
        help="writing before a kill, once each kind of write was acknowledged",
    )
    parser.add_argument("--max-seconds", type=float, default=3.0)
    parser.add_argument("--sign-up-writers", type=int, default=2)
    parser.add_argument("--attribute-writers", type=int, default=2)
    parser.add_argument("--rotating-writers", type=int, default=2)
    parser.add_argument("--seed", type=int, help="default: a random one, printed")
    parser.add_argument("--pg-admin-url", default=_http.PG_ADMIN_URL)
    return parser.parse_args(argv)


def describe(backend: str, number: int, workers: str, done: Round) -> str:
    counts = " ".join(f"{kind} {done.acknowledged[kind]}" for kind in _durability.KINDS)
    return (
        f"{backend:<8} round {number + 1:>3}  workers {workers}  killed after "
        f"{done.killed_after:5.2f} s  acknowledged {sum(done.acknowledged.values()):>5} "
        f"({counts})  unanswered {done.unanswered}  lost {len(done.lost)}  "
        f"half-written {len(done.half_written)}  errors before the kill {len(done.surprises)}"
    )


def run_backend(backend: str, args: argparse.Namespace, rng: random.Random) -> list[Round]:
    workers = [part for part in args.workers.split(",") if part]
    rounds: list[Round] = []
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="durability-")))
        extra = ["--sqlite-synchronous", args.sqlite_synchronous]
        if backend == "postgres":
            extra = ["--db", stack.enter_context(_http.throwaway_postgres(args.pg_admin_url))]
        port = _durability.free_port()
        starts = 0

        def start() -> _durability.Node:
            nonlocal starts
            chosen = ["--workers", workers[starts % len(workers)]]
            starts += 1
            return _durability.start_node(data_dir, port, [*extra, *chosen], starts)

        node = start()
        stack.callback(lambda: _durability.end_node(node, signal.SIGTERM))
        workload = _durability.set_up(node.url, args.attribute_writers, args.rotating_writers)
        for number in range(args.rounds):
            used = workers[number % len(workers)]
            seconds = rng.uniform(args.min_seconds, args.max_seconds)
            node, done = _durability.run_round(
                node, workload, number, seconds, start, _durability.own_store, args.sign_up_writers
            )
            rounds.append(done)
            print(describe(backend, number, used, done), flush=True)
            for problem in done.surprises + done.lost + done.half_written:
                print(f"    {problem}", flush=True)
    return rounds


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    # The servers run in sessions of their own: SIGTERM must unwind, so that they end too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    print(
        f"durability bench: {args.rounds} rounds each on {', '.join(backends)}; workers "
        f"{args.workers} by turns; SQLite synchronous {args.sqlite_synchronous}; kill after "
        f"{args.min_seconds}-{args.max_seconds} s; seed {seed}",
        flush=True,
    )
    rng = random.Random(seed)
    failed = False
    summaries = []
    for backend in backends:
        started = time.monotonic()
        rounds = run_backend(backend, args, rng)
        total: Counter[str] = Counter()
        for done in rounds:
            total.update(done.acknowledged)
        lost = sum(len(done.lost) for done in rounds)
        half = sum(len(done.half_written) for done in rounds)
        surprises = sum(len(done.surprises) for done in rounds)
        failed |= bool(lost or half or surprises)
        counts = ", ".join(f"{kind} {total[kind]}" for kind in _durability.KINDS)
        summaries.append(
            f"{backend}: {len(rounds)} rounds in {time.monotonic() - started:.0f} s, "
            f"{sum(total.values())} acknowledged writes ({counts}), "
            f"{sum(d.unanswered for d in rounds)} unanswered at the kill; lost {lost}, "
            f"half-written {half}, errors before the kill {surprises}"
        )
    print("\n== results ==")
    print("\n".join(summaries))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
