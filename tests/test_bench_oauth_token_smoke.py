"""bench/oauth_token.py runs end to end with tiny numbers: client_credentials grants, then
authorization_code exchanges of codes minted through managed login, complete without errors
at a positive rate at each concurrency; no timing asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRANTS = ("client_credentials", "authorization_code")


def test_oauth_token_bench_grants_tokens_and_prints_its_lines() -> None:
    command = [sys.executable, str(ROOT / "bench" / "oauth_token.py")]
    command += ["--seconds", "0.5", "--warmup", "0.1", "--concurrency", "1,2", "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    table = result.stdout.split("== results", 1)[1].splitlines()
    rows = [line.split() for line in table if line.startswith(GRANTS)]
    assert [(parts[0], int(parts[1])) for parts in rows] == [
        (grant, concurrency) for grant in GRANTS for concurrency in (1, 2)
    ], output
    assert all(float(parts[2]) > 0 and parts[5] == "0" for parts in rows), output
