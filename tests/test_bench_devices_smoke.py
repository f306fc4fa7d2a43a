"""bench/devices.py runs end to end with tiny numbers: a few users get a confirmed device,
and at each concurrency device sign-ins (password step, DEVICE_SRP_AUTH,
DEVICE_PASSWORD_VERIFIER) complete without errors at a positive rate; no timing asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_devices_bench_signs_in_with_devices_and_prints_its_lines() -> None:
    command = [sys.executable, str(ROOT / "bench" / "devices.py"), "--users", "4"]
    command += ["--seconds", "1", "--warmup", "0.2", "--concurrency", "1,2", "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 users with a confirmed device" in result.stdout, output
    assert "== results" in result.stdout, output
    table = result.stdout.split("== results", 1)[1].splitlines()
    rates = [line.split() for line in table if line.startswith("device-sign-in")]
    assert [int(parts[2]) for parts in rates] == [1, 2], output
    assert all(float(parts[3]) > 0 for parts in rates), output
    assert all(parts[parts.index("errors") + 1] == "0" for parts in rates), output
