"""The README's CUSTOM_AUTH example, run as written: its AWS CLI commands (the real `aws`
command of the awscli package) against a server started with the example's triggers file,
whose Node handlers in examples/custom-auth/ ask the question and check the answer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server, start_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "custom-auth"
README_URL = "http://127.0.0.1:9230"


def readme_block(containing: str) -> str:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    (block,) = [block for block in blocks if containing in block]
    return str(block)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serve = readme_block("userpool serve --triggers examples/custom-auth/")
    assert serve.split() == [
        "userpool",
        "serve",
        "--triggers",
        "examples/custom-auth/triggers.json",
    ]
    running = start_server(
        tmp_path_factory.mktemp("readme"), "--triggers", str(EXAMPLE / "triggers.json")
    )
    yield running
    running.stop()


def test_the_readme_custom_auth_example_signs_in(server: Server, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # `aws` is the awscli installed beside this Python
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m awscli "$@"\n')
    (bin_dir / "aws").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "USERPOOL_"))}
    env.update(PATH=f"{bin_dir}:{env['PATH']}", AWS_CONFIG_FILE="/dev/null")
    script = "set -eu\n" + readme_block("respond-to-auth-challenge").replace(README_URL, server.url)
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert '"question": "What is the capital of France?"' in done.stdout
    assert '"AccessToken": "ey' in done.stdout and '"IdToken": "ey' in done.stdout
    assert "paris" not in done.stdout  # the private answer never reaches the client
