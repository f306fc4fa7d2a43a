"""bench/user_auth.py runs end to end with tiny numbers: a few users get a password and a
passkey, and at each concurrency USER_AUTH sign-ins by PASSWORD and by WEB_AUTHN complete
without errors at a positive rate; no timing asserted. The WEB_AUTHN cell at concurrency 2
signs in the users the one at 1 did, so it passes only if each passkey's counter carried
over from one cell to the next."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_user_auth_bench_signs_in_both_ways_and_prints_its_lines() -> None:
    command = [sys.executable, str(ROOT / "bench" / "user_auth.py"), "--users", "4"]
    command += ["--seconds", "0.5", "--warmup", "0.1", "--concurrency", "1,2", "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 users with a password and a passkey" in result.stdout, output
    assert "== results" in result.stdout, output
    table = result.stdout.split("== results", 1)[1].splitlines()
    rows = [line.split() for line in table if line.startswith(("PASSWORD", "WEB_AUTHN"))]
    cells = [(parts[0], int(parts[2])) for parts in rows]
    assert cells == [("PASSWORD", 1), ("PASSWORD", 2), ("WEB_AUTHN", 1), ("WEB_AUTHN", 2)], output
    assert all(float(parts[3]) > 0 for parts in rows), output
    assert all(parts[parts.index("errors") + 1] == "0" for parts in rows), output
    assert all("RespondToAuthChallenge" in parts for parts in rows[2:]), output
