"""bench/signin.py runs end to end with tiny numbers: every operation at every concurrency
is measured, with requests and without errors. Never a timing assertion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "GetUser")
CONCURRENCY = (1, 2)


def test_signin_bench_measures_every_cell_without_errors() -> None:
    command = [sys.executable, str(ROOT / "bench" / "signin.py"), "--users", "10"]
    command += ["--concurrency", ",".join(map(str, CONCURRENCY)), "--seconds", "1"]
    command += ["--warmup", "0.2", "--workers", "1", "--load-connections", "2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "== results" in result.stdout, output
    header, *lines = result.stdout.split("== results", 1)[1].splitlines()[1:]
    columns = header.replace("p50 ms", "p50").replace("p99 ms", "p99").split()
    expected = ["operation", "users", "conc", "req/s", "p50", "p99", "errors", "requests"]
    assert columns[:8] == expected
    split = [line.split() for line in lines if line.strip()]
    rows = {(row[0], int(row[2])): row for row in split}
    assert set(rows) == {(op, c) for op in OPERATIONS for c in CONCURRENCY}, output
    for cell, row in rows.items():
        assert int(row[1]) == 10, cell
        assert int(row[7]) > 0, (cell, output)  # requests measured
        assert int(row[6]) == 0, (cell, output)  # errors
