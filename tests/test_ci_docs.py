"""docs/ci.md, run as written: its GitHub Actions job's steps that start the seeded server in
the background and wait for /health (on a free port, data in a temporary dir: only the
environment differs), then docs/examples/signup.test.mjs under `node --test` against that
server, with the AWS SDK v3 pinned in tests/node."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import free_port
from tests.test_node_clients import NODE_DIR, node_runner

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"
EXAMPLE = ROOT / "docs" / "examples" / "signup.test.mjs"
DOC_ENDPOINT = "http://127.0.0.1:9230"  # the server's default port, as the job leaves it


def ci_job() -> dict[str, Any]:
    (workflow,) = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)
    job: dict[str, Any] = yaml.safe_load(workflow)["jobs"]["test"]
    return job


def step(job: dict[str, Any], name: str) -> str:
    (run,) = [entry["run"] for entry in job["steps"] if entry.get("name") == name]
    return str(run)


def job_environment(job: dict[str, Any], tmp_path: Path, port: int) -> dict[str, str]:
    """This process's environment without USERPOOL_* and AWS_* variables, with the job's
    variables (its endpoint on `port`), and `userpool` the one beside this Python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USERPOOL_", "AWS_"))}
    assert job["env"] == {"USERPOOL_ENDPOINT": DOC_ENDPOINT}
    env.update(
        USERPOOL_ENDPOINT=f"http://127.0.0.1:{port}",
        USERPOOL_PORT=str(port),  # what `--port` would say; the step leaves it at its default
        RUNNER_TEMP=str(tmp_path),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
    )
    return env


def javascript_project(tmp_path: Path) -> Path:
    """A project holding the example, its dependencies those of tests/node."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLE, project / EXAMPLE.name)
    (project / "node_modules").symlink_to(NODE_DIR / "node_modules")
    return project


def test_the_ci_job_serves_the_seed_and_the_javascript_example_passes(tmp_path: Path) -> None:
    node_runner()  # skips (fails under CI) when the pinned Node clients are not installed
    job = ci_job()
    env = job_environment(job, tmp_path, free_port())
    # `wait` keeps the step's shell, and with it the server's process group, until stopped
    start = subprocess.Popen(
        ["bash", "-c", f"set -e\n{step(job, 'Start userpool')}\nwait"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        waited = subprocess.run(
            ["bash", "-c", step(job, "Wait until it answers")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        log = tmp_path / "userpool.log"
        assert waited.returncode == 0, f"{waited.stderr}\n{log.read_text()}"
        tested = subprocess.run(
            ["bash", "-c", step(job, "JavaScript tests")],
            cwd=javascript_project(tmp_path),
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert tested.returncode == 0, f"{tested.stdout}\n{tested.stderr}\n{log.read_text()}"
        assert "# pass 1" in tested.stdout and "# fail 0" in tested.stdout
    finally:
        os.killpg(start.pid, signal.SIGTERM)
        start.wait(timeout=30)
