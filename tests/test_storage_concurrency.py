"""The SQL store under concurrency, on SQLite and on PostgreSQL: two transactions writing the
same row, and several nodes (or threads) migrating one database at once."""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from tests.pg import fresh_database
from userpool.accounts import lockout
from userpool.domain.auth_records import Lockout
from userpool.domain.messages import StoredCode
from userpool.domain.models import Group, User, UserPool, UserStatus
from userpool.storage import database
from userpool.storage.schema import metadata
from userpool.storage.sql_store import SqlStore, SqlTransaction

POOL = "us-east-1_concurrent"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def url_for(backend: str, tmp_path: Path) -> Any:
    """A context manager giving a database URL for `backend`."""
    return fresh_database() if backend == "postgres" else nullcontext(f"sqlite:///{tmp_path}/c.db")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with url_for(request.param, tmp_path) as url:
        engine = database.create(url)
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()


def code(sub: str, n: int) -> StoredCode:
    return StoredCode(POOL, sub, "sign-up", f"hash{n}", 9.0, 0, float(n))


Write = Callable[[SqlTransaction, str, int], None]
Check = Callable[[SqlTransaction, str], bool]
WRITES: dict[str, tuple[Write, Check]] = {
    "lockout": (
        lambda tx, sub, n: tx.lockouts.save(POOL, sub, Lockout(n, n, n)),
        lambda tx, sub: tx.lockouts.get(sub) == Lockout(2, 2.0, 2.0),
    ),
    "membership": (
        lambda tx, sub, n: tx.groups.add_member(POOL, "g", sub),
        lambda tx, sub: [u.sub for u in tx.groups.members(POOL, "g", 60, None).items] == [sub],
    ),
    "code": (
        lambda tx, sub, n: tx.codes.put(code(sub, n)),
        lambda tx, sub: tx.codes.get(sub, "sign-up") == code(sub, 2),
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_two_writers_of_one_row_at_once(store: SqlStore, write: tuple[Write, Check]) -> None:
    """A second transaction writing the same row while the first is open waits, then
    succeeds (no unique violation); what it wrote is what stays."""
    (save, check), sub, errors = write, str(uuid.uuid4()), []
    with store.write() as tx:
        tx.pools.add(UserPool(POOL, "p", 1.0, 1.0))
        tx.users.add(User(sub, POOL, "amy", UserStatus.CONFIRMED, True, 1.0, 1.0), "amy", {})
        tx.groups.add(Group(POOL, "g", 1.0, 1.0))

    def second() -> None:
        try:
            with store.write() as tx:
                save(tx, sub, 2)
        except Exception as error:  # reported below
            errors.append(error)

    with store.write() as tx:
        save(tx, sub, 1)
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second writer now waits on this one
    thread.join()
    assert errors == []
    with store.read() as tx:
        assert check(tx, sub)


def spawned(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("executor", [ThreadPoolExecutor, spawned], ids=["threads", "processes"])
def test_migrate_is_idempotent_and_safe_twice_at_once(
    backend: str, executor: Callable[[int], Executor], tmp_path: Path
) -> None:
    """Two nodes (or two threads) starting together both migrate; the schema ends at head."""
    with url_for(backend, tmp_path) as url:
        with executor(2) as workers:
            for run in [workers.submit(migrate, url) for _ in range(2)]:
                run.result()
        migrate(url)
        engine = database.create(url)
        assert {t.name for t in metadata.sorted_tables} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
    assert len(versions) == 1


def migrate(url: str) -> None:
    engine = database.create(url)
    database.migrate(engine)
    engine.dispose()


def test_concurrent_sign_in_failures_are_counted_up_to_the_lock(store: SqlStore) -> None:
    """Lockout counting reads then writes the count: writers of one user's failures at once
    must queue on the row (FOR UPDATE on PostgreSQL), or failures go uncounted; and once the
    ones before have put a lock in force, a failure is refused as locked, not counted."""
    sub = str(uuid.uuid4())
    user = User(sub, POOL, "bo", UserStatus.CONFIRMED, True, 1.0, 1.0)
    with store.write() as tx:
        tx.pools.add(UserPool(POOL, "p", 1.0, 1.0))
        tx.users.add(user, "bo", {})
    start = threading.Barrier(12)

    def fail(_: int) -> bool:
        start.wait()
        with store.write() as tx:
            return lockout.record_failure(tx, POOL, sub, 1000.0)

    with ThreadPoolExecutor(12) as threads:
        verdicts = list(threads.map(fail, range(12)))
    with store.read() as tx:
        counted = tx.lockouts.get(sub)
    assert counted is not None
    assert counted.failures == lockout.FREE_FAILURES
    assert verdicts.count(True) == lockout.FREE_FAILURES


READERS_WRITING = {
    "user by username": lambda tx, sub: tx.users.get(POOL, "cy"),
    "user by sub": lambda tx, sub: tx.users.get_by_sub(POOL, sub),
    "user by name": lambda tx, sub: tx.users.find(POOL, "cy", [], sub),
    "user by sign-in name": lambda tx, sub: tx.users.holder(POOL, "email", "cy-key"),
}


@pytest.mark.parametrize("read", READERS_WRITING.values(), ids=READERS_WRITING.keys())
def test_a_user_read_in_a_write_is_held_until_commit(
    store: SqlStore, read: Callable[[SqlTransaction, str], User | None]
) -> None:
    """The storage rule (repositories.py): a row read in a write transaction is held, so
    twelve transactions that each read one user and add an attribute to it, all at once,
    keep all twelve (on PostgreSQL, without FOR UPDATE, most are lost)."""
    sub = str(uuid.uuid4())
    with store.write() as tx:
        tx.pools.add(UserPool(POOL, "p", 1.0, 1.0))
        cy = User(sub, POOL, "cy", UserStatus.CONFIRMED, True, 1.0, 1.0, {})
        assert tx.users.add(cy, "cy", {"email": "cy-key"}) == []
    start = threading.Barrier(12)

    def add_attribute(index: int) -> None:
        start.wait()
        with store.write() as tx:
            user = read(tx, sub)
            assert user is not None
            user.attributes[f"custom:n{index}"] = str(index)
            time.sleep(0.01)  # a request's work between its read and its write
            tx.users.update(user, {"email": "cy-key"})

    with ThreadPoolExecutor(12) as threads:
        list(threads.map(add_attribute, range(12)))
    with store.read() as tx:
        stored = tx.users.get(POOL, "cy")
    assert stored is not None
    assert stored.attributes == {f"custom:n{index}": str(index) for index in range(12)}
