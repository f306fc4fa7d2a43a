"""bench/user_existence.py runs end to end with tiny numbers and prints its table: every row,
both sides measured, every answer of the expected kind. Never a timing assertion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg import fresh_database

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("USER_PASSWORD_AUTH", "USER_SRP_AUTH", "ForgotPassword", "ResendConfirmationCode")
COLUMNS = [
    *("backend", "operation", "n_exist", "n_missing", "exist_ms", "missing_ms"),
    *("diff%", "P(e>m)", "goal", "errors", "bytes_e/m"),
]
ATTEMPTS = 40


def run_bench(*extra: str) -> list[dict[str, str]]:
    """The final table's rows, as column -> text."""
    command = [sys.executable, str(ROOT / "bench" / "user_existence.py")]
    command += ["--attempts", str(ATTEMPTS), "--warmup", "4", *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "== results" in result.stdout, output
    header, *lines = result.stdout.split("== results", 1)[1].splitlines()[1:]
    assert header.split() == COLUMNS, output
    table = [line.split() for line in lines if line.split() and line.split()[0] != "goal:"]
    assert all(len(row) == len(COLUMNS) for row in table), output
    return [dict(zip(COLUMNS, row, strict=True)) for row in table]


def check_rows(rows: list[dict[str, str]], backend: str) -> None:
    assert [(row["backend"], row["operation"]) for row in rows] == [
        (backend, operation) for operation in OPERATIONS
    ]
    for row in rows:
        assert row["errors"] == "0", row
        assert int(row["n_exist"]) == int(row["n_missing"]) == ATTEMPTS // 2, row
        assert 0.0 <= float(row["P(e>m)"]) <= 1.0, row
        assert row["goal"] in ("yes", "no"), row  # reported, never enforced
        sizes = row["bytes_e/m"].split("/")
        assert len(sizes) == 2 and all(int(size) > 0 for size in sizes), row


def test_user_existence_bench_on_sqlite_prints_every_row() -> None:
    check_rows(run_bench("--backend", "sqlite"), "sqlite")


@pytest.mark.postgres
def test_user_existence_bench_on_postgres_prints_every_row() -> None:
    with fresh_database() as url:
        check_rows(run_bench("--backend", "postgres", "--db", url), "postgres")
