"""`userpool serve` as a user runs it: its one line, Ctrl-C, bad flags, environment, restarts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, make_client
from tests.pg import fresh_database


class Serving:
    """A `userpool serve` process whose output the test reads."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "userpool", "serve", *args]
        if port is None:
            command += ["--port", str(self.port)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(env),
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited: {self.process.communicate()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        pytest.fail("server did not answer /health")

    def interrupt(self) -> tuple[int, str, str]:
        """Ctrl-C; the exit code and everything the process printed."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    return {**env, **(extra or {})}


@pytest.fixture
def serving() -> Iterator[list[Serving]]:
    """Servers a test starts; any still running at its end are killed."""
    started: list[Serving] = []
    yield started
    for each in started:
        each.kill()


def start(
    started: list[Serving], *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> Serving:
    server = Serving(*args, env=env, port=port)
    started.append(server)
    server.wait_healthy()
    return server


def refused(*args: str, env: dict[str, str] | None = None) -> str:
    """Run `userpool serve` expecting a refusal: its only line of output."""
    result = subprocess.run(
        [sys.executable, "-m", "userpool", "serve", *args],
        capture_output=True,
        text=True,
        env=environment(env),
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("userpool: ")
    return lines[0]


def test_one_line_health_and_ctrl_c(serving: list[Serving], tmp_path: Path) -> None:
    server = start(serving, "--data-dir", str(tmp_path / "data"))
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}
    code, out, err = server.interrupt()
    assert code == 0, err
    database = f"sqlite:///{tmp_path / 'data' / 'userpool.db'}"
    assert out.splitlines() == [
        f"userpool listening on {server.url} (database: {database}, workers: 1)"
    ]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "Invalid value for '--port': 'abc' is not a valid integer range."),
        (["--workers", "0"], "Invalid value for '--workers': 0 is not in the range 1<=x<=64."),
        (["--log-level", "loud"], "Invalid value for '--log-level'"),
        (["--bogus"], "No such option '--bogus'"),
    ],
)
def test_a_bad_flag_is_one_line(args: list[str], message: str) -> None:
    assert message in refused(*args)


def test_a_bad_variable_is_one_line() -> None:
    assert "'--port': 'x' is not a valid integer" in refused(env={"USERPOOL_PORT": "x"})


def test_a_port_in_use(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        line = refused("--port", str(port), "--data-dir", str(tmp_path))
    assert line == f"userpool: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_an_unparsable_database_url(tmp_path: Path) -> None:
    line = refused("--db", "nonsense", "--data-dir", str(tmp_path))
    assert line.startswith("userpool: cannot use database nonsense: ")


def test_an_unreachable_database(tmp_path: Path) -> None:
    line = refused("--db", "postgresql://nobody:hunter2@127.0.0.1:1/x", "--data-dir", str(tmp_path))
    assert line.startswith("userpool: cannot use database postgresql://nobody:***@127.0.0.1:1/x")
    assert "hunter2" not in line


def test_any_address_needs_credentials(serving: list[Serving], tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    line = refused("--host", "0.0.0.0", "--port", str(free_port()), *data)
    assert "refusing to listen on 0.0.0.0 without --credentials" in line
    credentials = tmp_path / "credentials"
    credentials.write_text("AKIDCLI secret\n")
    start(serving, "--host", "0.0.0.0", "--credentials", str(credentials), *data)
    start(serving, "--host", "0.0.0.0", "--allow-any-credentials", *data)
    start(serving, "--host", "localhost", *data)


def test_bad_credentials_file(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("just-one-word\n")
    line = refused("--credentials", str(credentials), "--data-dir", str(tmp_path))
    assert "bad credentials file" in line
    assert "expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY'" in line


def test_environment_variables(serving: list[Serving], tmp_path: Path) -> None:
    port = free_port()
    env = {"USERPOOL_PORT": str(port), "USERPOOL_DATA_DIR": str(tmp_path / "from-env")}
    server = start(serving, "--log-level", "warning", env=env, port=port)
    make_client(server.url).create_user_pool(PoolName="env")
    assert (tmp_path / "from-env" / "userpool.db").is_file()


def test_two_workers(serving: list[Serving], tmp_path: Path) -> None:
    server = start(serving, "--workers", "2", "--data-dir", str(tmp_path), "--log-level", "warning")
    cognito = make_client(server.url)
    ids = {cognito.create_user_pool(PoolName=f"w{n}")["UserPool"]["Id"] for n in range(6)}
    listed = {p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}
    assert ids <= listed
    code, out, err = server.interrupt()
    assert code == 0, err
    assert "workers: 2" in out
    assert "Traceback" not in err, err


def _worker_pids(parent: int) -> set[str]:
    found = subprocess.run(
        ["pgrep", "-P", str(parent), "-f", "spawn_main"], capture_output=True, text=True
    )
    return set(found.stdout.split())


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(
    serving: list[Serving], tmp_path: Path
) -> None:
    server = start(serving, "--workers", "2", "--data-dir", str(tmp_path), "--log-level", "warning")
    first = _worker_pids(server.process.pid)
    assert len(first) == 2
    victim = sorted(first)[0]
    os.kill(int(victim), signal.SIGKILL)
    deadline = time.monotonic() + 20
    while (now := _worker_pids(server.process.pid)) and (len(now) < 2 or victim in now):
        assert time.monotonic() < deadline, now
        time.sleep(0.1)
    assert make_client(server.url).list_user_pools(MaxResults=10)["UserPools"] == []
    server.process.send_signal(signal.SIGTERM)
    _, err = server.process.communicate(timeout=30)
    assert server.process.returncode == 0, err
    assert not any(Path(f"/proc/{pid}").exists() for pid in first | now)


def test_data_survives_a_restart(serving: list[Serving], tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "--log-level", "warning"]
    first = start(serving, *args)
    pool_id = make_client(first.url).create_user_pool(PoolName="kept")["UserPool"]["Id"]
    assert first.interrupt()[0] == 0
    second = start(serving, *args)
    described = make_client(second.url).describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Name"] == "kept"


@pytest.mark.postgres
def test_serve_on_postgresql(serving: list[Serving], tmp_path: Path) -> None:
    with fresh_database() as url:
        args = ["--db", url, "--data-dir", str(tmp_path), "--log-level", "warning"]
        server = start(serving, *args)
        cognito = make_client(server.url)
        pool = cognito.create_user_pool(PoolName="on-postgres")["UserPool"]
        assert (
            cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "on-postgres"
        )
        listed = cognito.list_user_pools(MaxResults=60)["UserPools"]
        assert [p["Id"] for p in listed] == [pool["Id"]]
        cognito.delete_user_pool(UserPoolId=pool["Id"])
        assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
        code, out, _ = server.interrupt()
        assert code == 0
        assert "database: postgresql://" in out
