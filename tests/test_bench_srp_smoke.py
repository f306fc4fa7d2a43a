"""bench/srp.py runs end to end with tiny numbers: both microbenchmark lines and a sign-in
rate per concurrency, every SRP sign-in completed; no timing asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_srp_bench_signs_in_and_prints_its_lines() -> None:
    command = [sys.executable, "-m", "bench.srp", "--seconds", "1", "--concurrency", "1,2"]
    command += ["--workers", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lines = result.stdout.splitlines()
    assert any("with gmpy2" in line for line in lines), output
    assert any("with pow" in line for line in lines), output
    rates = [line.split() for line in lines if line.startswith("USER_SRP_AUTH")]
    assert [int(parts[2]) for parts in rates] == [1, 2], output
    assert all(float(parts[3]) > 0 for parts in rates), output
