"""Kill -9 of the server under concurrent writes (sign-ups, attribute updates, sign-ins with
refresh token rotation) loses no write acknowledged with HTTP 200 and leaves nothing
half-written, on SQLite (one worker, then two) and on PostgreSQL (issue 17, item 2). A short
version of bench/durability.py, whose rounds these are (bench/_durability.py); the checks
in the store go through the running server's own store, as every test's do. And SQLite's
`synchronous` setting goes from `serve --sqlite-synchronous` into its workers' environment,
and from there to the connections of the app a worker builds."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from bench import _durability
from bench._durability_checks import Round, half_written
from bench._http import sigv4_shaped_headers
from sqlalchemy import event, insert
from sqlalchemy.pool import Pool

from tests.conftest import BACKENDS, Server, server_store
from tests.pg import fresh_database
from userpool.app import create_app
from userpool.storage import database, schema
from userpool.storage.sql_store import SqlStore

ROUNDS = 2
SETTING = "USERPOOL_SQLITE_SYNCHRONOUS="
# Seconds of writing before the kill once every kind of write was acknowledged, drawn at
# random for each round.
KILL_AFTER = (0.1, 1.0)
# The servers' flags, by turns: on SQLite one process, then two sharing the file, which
# flush each commit (FULL); on PostgreSQL one process (several nodes are item 1's, and a
# start there costs more).
TURNS = {
    "sqlite": (("--workers", "1"), ("--workers", "2", "--sqlite-synchronous", "full")),
    "postgres": (("--workers", "1"),),
}


@contextmanager
def store_of(node: _durability.Node) -> Iterator[SqlStore]:
    running = Server(node.url, node.process, node.data_dir, node.log, node.db_url)
    with server_store(running) as store:
        yield store


def worker_settings(node: _durability.Node) -> list[str]:
    """USERPOOL_SQLITE_SYNCHRONOUS in the environment each worker process started with
    (multiprocessing's resource tracker aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        with suppress(OSError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
            if parent == node.process.pid and b"resource_tracker" not in command:
                variables = (entry / "environ").read_bytes().decode().split("\0")
                found += [v.split("=", 1)[1] for v in variables if v.startswith(SETTING)]
    return found


def assert_round_held(backend: str, number: int, seed: int, done: Round) -> None:
    where = f"{backend}, round {number} (seed {seed}, killed after {done.killed_after:.2f} s)"
    assert done.surprises == [], where
    assert done.lost == [], where
    assert done.half_written == [], where


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_loses_no_acknowledged_write(backend: str, tmp_path: Path) -> None:
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    seed = random.randrange(1 << 32)  # a random moment each run; the seed replays the draws
    rng = random.Random(seed)
    port = _durability.free_port()
    with ExitStack() as stack:
        db = ["--db", stack.enter_context(fresh_database())] if backend == "postgres" else []
        starts = 0

        def start() -> _durability.Node:
            nonlocal starts
            flags = TURNS[backend][starts % len(TURNS[backend])]
            starts += 1
            node = _durability.start_node(tmp_path, port, [*db, *flags], starts)
            if "full" in flags:  # serve handed the setting to its workers
                assert worker_settings(node) == ["full", "full"]
            return node

        node = start()
        stack.callback(lambda: _durability.end_node(node, signal.SIGTERM))
        workload = _durability.set_up(node.url, attribute_writers=2, rotating_writers=2)
        for number in range(ROUNDS):
            seconds = rng.uniform(*KILL_AFTER)
            node, done = _durability.run_round(node, workload, number, seconds, start, store_of)
            assert_round_held(backend, number, seed, done)


def test_the_store_check_finds_what_a_cut_write_leaves(tmp_path: Path) -> None:
    """The checks after a kill find each kind of half-written row, planted in a store: the
    rounds above passing would mean nothing if these could not fail."""
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)

    def user(name: str, verifier: str | None, name_attribute: str) -> dict[str, Any]:
        return {
            **{"sub": name, "pool_id": "p", "username": name, "username_key": name},
            **{"status": "CONFIRMED", "enabled": True, "created": 1.0, "modified": 1.0},
            **{"mfa": "{}", "password_salt": "aa", "password_verifier": verifier},
            "attributes": orjson.dumps({"name": name_attribute}).decode(),
        }

    def searched(sub: str, value: str) -> dict[str, Any]:
        return {"sub": sub, "name": "name", "pool_id": "p", "value": value, "value_head": value}

    def token(jti: str, sign_in: float, created: float, rotated: float | None) -> dict[str, Any]:
        return {
            **{"token_hash": jti, "jti": jti, "pool_id": "p", "client_id": "c", "sub": "whole"},
            **{"auth_time": sign_in, "created": created, "expires": sign_in + 99},
            **{"revoked": False, "rotated_at": rotated},
        }

    users = [user("whole", "bb", "n"), user("bare", None, "b"), user("unindexed", "bb", "x")]
    search = [searched("whole", "n"), searched("bare", "b"), searched("unindexed", "y")]
    tokens = [
        token("a0", 5.0, 5.0, 6.0),  # rotated, its successor made then
        token("a1", 5.0, 6.0, 7.0),  # rotated, but no successor was stored
        token("b0", 8.0, 8.0, None),  # a successor, but never marked rotated
        token("b1", 8.0, 9.0, None),
    ]
    with engine.begin() as connection:
        connection.execute(insert(schema.users), users)
        connection.execute(insert(schema.user_search), search)
        connection.execute(insert(schema.refresh_tokens), tokens)
    problems = half_written(SqlStore(engine), "p")
    engine.dispose()
    assert problems == [
        "user bare has no password verifier",
        "user unindexed's search entries differ from {'name': 'x'}",
        "refresh token a1 rotated without a successor",
        "refresh token b0 is live beside its successor",
    ]


@pytest.fixture
def synchronous_seen() -> Iterator[list[int]]:
    """`PRAGMA synchronous` of every connection any pool hands out while the test runs."""
    seen: list[int] = []

    def on_checkout(dbapi_connection: Any, _record: object, _proxy: object) -> None:
        cursor = dbapi_connection.cursor()
        seen.append(cursor.execute("PRAGMA synchronous").fetchone()[0])
        cursor.close()

    event.listen(Pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(Pool, "checkout", on_checkout)


@pytest.mark.parametrize(("setting", "pragma"), [(None, 1), ("normal", 1), ("full", 2)])
def test_sqlite_synchronous_reaches_the_workers_connections(
    setting: str | None,
    pragma: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    synchronous_seen: list[int],
) -> None:
    """The worker's own path: the variable `serve` sets, read by create_app (uvicorn's
    factory), whose engine serves a request; SQLite says 1 for NORMAL, 2 for FULL."""
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    engine.dispose()
    for name in [name for name in os.environ if name.startswith("USERPOOL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("USERPOOL_DATA_DIR", str(tmp_path))
    if setting is not None:
        monkeypatch.setenv("USERPOOL_SQLITE_SYNCHRONOUS", setting)
    synchronous_seen.clear()  # the migration's connections were not the app's
    headers = dict(line.split(": ", 1) for line in sigv4_shaped_headers("us-east-1").splitlines())
    headers["Content-Type"] = "application/x-amz-json-1.1"
    headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.ListUserPools"

    async def list_user_pools() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
            return await client.post("/", headers=headers, content=b'{"MaxResults": 10}')

    response = asyncio.run(list_user_pools())
    assert response.status_code == 200, response.text
    assert synchronous_seen and set(synchronous_seen) == {pragma}
