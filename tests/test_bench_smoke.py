"""bench/admin.py runs end to end with tiny numbers and prints its table; no timing asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = (1, 2)


def test_admin_bench_prints_a_table() -> None:
    command = [sys.executable, str(ROOT / "bench" / "admin.py"), "--users", "50"]
    command += ["--concurrency", ",".join(map(str, CONCURRENCY)), "--seconds", "1"]
    command += ["--warmup", "0.2", "--workers", "1", "--load-connections", "2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "loaded users 0..49" in result.stdout, output
    header, *lines = result.stdout.split("== results", 1)[1].splitlines()[1:]
    assert header.split() == [
        *("operation", "users", "conc", "req/s", "p50", "ms", "p99", "ms"),
        *("errors", "requests", "srv", "ms/req"),
    ]
    rows = {(row[0], int(row[2])): row for row in (line.split() for line in lines if line)}
    assert set(rows) == {(op, c) for op in ("AdminGetUser", "AdminCreateUser") for c in CONCURRENCY}
    assert int(rows["AdminGetUser", 1][1]) == 50  # the pool size when the cell began
    for cell, row in rows.items():
        assert int(row[7]) > 0, (cell, output)  # requests measured
        assert int(row[6]) == 0, (cell, output)  # errors
