"""bench/triggers.py runs end to end with tiny numbers: a sign-in without a trigger and with a
Node and a Python PreTokenGeneration handler, at each concurrency, with requests and without
errors. Never a timing assertion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIGGERS = ("none", "node", "python")
CONCURRENCY = (1, 2)


def test_triggers_bench_measures_every_cell_without_errors() -> None:
    command = [sys.executable, str(ROOT / "bench" / "triggers.py"), "--users", "5"]
    command += ["--concurrency", ",".join(map(str, CONCURRENCY)), "--seconds", "1"]
    command += ["--warmup", "0.2", "--workers", "1", "--load-connections", "2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    header, *lines = result.stdout.split("== results", 1)[1].splitlines()[1:]
    assert header.split()[:2] == ["trigger", "operation"], output
    assert header.split()[-2:] == ["+p50", "ms"], output
    rows = {(row[0], int(row[3])): row for row in (line.split() for line in lines if line)}
    assert set(rows) == {(t, c) for t in TRIGGERS for c in CONCURRENCY}, output
    for (trigger, _), row in rows.items():
        assert int(row[8]) > 0 and int(row[7]) == 0, (trigger, output)  # requests, errors
        assert (row[-1] == "-") == (trigger == "none"), output  # +p50 against no trigger
