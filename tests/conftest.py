"""Shared fixtures: a real `userpool serve` process on a free port, and boto3 clients for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.fuzz_report import print_summary
from tests.pg import fresh_database
from userpool.crypto.sealing import load_server_key
from userpool.storage import database
from userpool.storage.client_secrets import ClientSecrets
from userpool.storage.database import sqlite_url
from userpool.storage.sql_store import SqlStore

REGION = "us-east-1"
STARTED = pytest.StashKey[float]()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path
    db_url: str  # the database it runs on: its data dir's SQLite file, or --db
    secret_key: str | None = None  # its USERPOOL_SECRET_KEY; None: its data dir's secret.key

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> Server:
    """Start `userpool serve` (on `port`, or a free one) and wait until /health answers (over
    HTTPS with --tls)."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        "userpool",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--log-level",
        "warning",
        *args,
    ]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    full_env.update(env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=full_env)
    tls_env = {"USERPOOL_TLS", "USERPOOL_TLS_CERT"} & {k for k, v in (env or {}).items() if v}
    tls = "--tls" in args or "--tls-cert" in args or bool(tls_env)
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:  # unverified: this only waits until it serves; the TLS tests check the certificate
            if httpx.get(f"{url}/health", timeout=1, verify=not tls).status_code == 200:
                db_url = args[args.index("--db") + 1] if "--db" in args else sqlite_url(data_dir)
                secret_key = (env or {}).get("USERPOOL_SECRET_KEY") or None
                return Server(url, process, data_dir, log, db_url, secret_key)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


def make_client(url: str, **kwargs: Any) -> Any:
    kwargs.setdefault("aws_access_key_id", "AKIDLOCAL")
    kwargs.setdefault("aws_secret_access_key", "local-secret")
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=kwargs.pop("region_name", REGION),
        config=Config(retries={"max_attempts": 1}),
        **kwargs,
    )


# The backends the servers that tests share run on: every test that takes one runs on both
# (USERPOOL_TEST_BACKEND=sqlite or =postgres: one of them).
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def server_on(
    backend: str,
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[Server]:
    """`userpool serve` on `backend`: its data dir's SQLite file, or a fresh PostgreSQL
    database dropped afterwards."""
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    with ExitStack() as stack:
        if backend == "postgres":
            args = (*args, "--db", stack.enter_context(fresh_database()))
        running = start_server(data_dir, *args, env=env, port=port)
        try:
            yield running
        finally:
            running.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STARTED] = time.time()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Under xdist the fuzz ran in a worker, without a terminal: its tally, printed here."""
    if config.pluginmanager.hasplugin("dsession"):
        print_summary(terminalreporter, since=config.stash[STARTED])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A module marked `one_backend` runs on SQLite only: what it tests is a client's wire
    compatibility (a JavaScript library, the AWS CLI, a browser), which no backend changes;
    every behaviour it drives is tested on both backends elsewhere."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and "postgres" in callspec.params.values()
        (dropped if on_postgres and item.get_closest_marker("one_backend") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class SharedServers:
    """The servers most tests share, one per backend, each started when first wanted and
    kept to the end of the session: under xdist a process runs modules of both backends in
    turn, and a parametrized session fixture would be stopped and started at each turn."""

    def __init__(self, stack: ExitStack, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._stack = stack
        self._tmp = tmp_path_factory
        self._running: dict[str, Server] = {}

    def on(self, backend: str) -> Server:
        if backend not in self._running:
            data_dir = self._tmp.mktemp(f"server-{backend}")
            self._running[backend] = self._stack.enter_context(server_on(backend, data_dir))
        return self._running[backend]


@pytest.fixture(scope="session")
def shared_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServers]:
    with ExitStack() as stack:
        yield SharedServers(stack, tmp_path_factory)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, shared_servers: SharedServers) -> Server:
    """The server most tests share."""
    return shared_servers.on(request.param)


@contextmanager
def server_store(server: Server) -> Iterator[SqlStore]:
    """The running server's own store, opened alongside it (with its key, which seals the
    app clients' secrets)."""
    engine = database.create(server.db_url)
    server_key = load_server_key(server.secret_key, server.data_dir)
    try:
        yield SqlStore(engine, ClientSecrets.from_server_key(server_key))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def cognito(server: Server) -> Any:
    return make_client(server.url)


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return str(cognito.create_user_pool(PoolName=f"pool-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"])


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    """(__type, message) of a botocore ClientError."""
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", "")
