"""The storage under import jobs (issue 19), on SQLite and on PostgreSQL: a batch of users
that a unique key refuses writes nothing; a job's state changes are conditional statements,
of which only one of two racing callers wins (start while another job is active, two
runners claiming one job, a batch from a runner that lost its claim); an imported hash
becomes a verifier once."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.pg import fresh_database
from userpool.domain.import_jobs import ImportJob, JobStatus, Progress
from userpool.domain.models import ImportedHash, PasswordVerifier, User, UserPool, UserStatus
from userpool.storage import database
from userpool.storage.schema import metadata
from userpool.storage.sql_store import SqlStore

POOL = "us-east-1_imports"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def pg_store() -> Iterator[SqlStore]:
    with fresh_database() as url:
        engine = database.create(url)
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        engine = database.create(f"sqlite:///{tmp_path / 'imports.db'}")
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()
        return
    shared: SqlStore = request.getfixturevalue("pg_store")
    with shared.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)}"))
    with shared.write() as tx:
        tx.pools.add(UserPool(POOL, "p", 1.0, 1.0, {}))
    yield shared


@pytest.fixture(autouse=True)
def the_pool(store: SqlStore) -> None:
    with store.write() as tx:
        if tx.pools.get(POOL) is None:
            tx.pools.add(UserPool(POOL, "p", 1.0, 1.0, {}))


def new_user(name: str, imported: ImportedHash | None = None) -> User:
    user = User(str(uuid.uuid4()), POOL, name, UserStatus.CONFIRMED, True, 1.0, 1.0)
    user.attributes = {"email": f"{name}@example.com"}
    user.imported_hash = imported
    return user


def new_job(name: str) -> ImportJob:
    return ImportJob(
        job_id=f"import-{name}",
        pool_id=POOL,
        name=name,
        role_arn="arn:aws:iam::123456789012:role/r",
        algorithm=None,
        status=JobStatus.CREATED,
        created=time.time(),
        presigned_url="http://127.0.0.1/x",
        upload_token="t",
        upload_expires=time.time() + 900,
    )


def test_a_batch_with_a_taken_name_writes_nothing(store: SqlStore) -> None:
    with store.write() as tx:
        assert tx.user_batches.add_all([(new_user("taken"), "taken", {})])
    batch = [(new_user(name), name, {"email": f"key-{name}"}) for name in ("a", "b", "taken")]
    if store.engine.dialect.name == "sqlite":  # no savepoint: the whole transaction goes
        with pytest.raises(sqlite3.IntegrityError), store.write() as tx:
            tx.user_batches.add_all(batch)
        with store.read() as tx:
            assert tx.users.get(POOL, "a") is None
            assert tx.user_batches.taken_names(POOL, [("email", "key-a")]) == set()
        return
    with store.write() as tx:
        assert not tx.user_batches.add_all(batch)  # "taken" is, since it was read
        assert tx.users.get(POOL, "a") is None
        assert tx.user_batches.taken_usernames(POOL, ["a", "b", "taken"]) == {"taken"}
        assert tx.user_batches.taken_names(POOL, [("email", "key-a")]) == set()
        assert tx.user_batches.add_all(batch[:2])
    with store.read() as tx:
        assert tx.users.get(POOL, "a") is not None
        assert tx.user_batches.taken_names(POOL, [("email", "key-a"), ("email", "x")]) == {
            ("email", "key-a")
        }


def test_an_imported_hash_becomes_a_verifier_once(store: SqlStore) -> None:
    imported = ImportedHash("BCRYPT", "$2b$10$" + "a" * 53)
    user = new_user("hashed", imported)
    with store.write() as tx:
        assert tx.user_batches.add_all([(user, "hashed", {})])
    with store.read() as tx:
        read = tx.users.get(POOL, "hashed")
    assert read is not None and read.imported_hash == imported and read.password is None
    first = PasswordVerifier("01", "02", 5.0, temporary=False)
    with store.write() as tx:
        assert tx.users.adopt_verifier(read, first)
    with store.write() as tx:  # a second sign-in that read the hash before the first wrote
        assert not tx.users.adopt_verifier(read, PasswordVerifier("03", "04", 6.0, False))
    with store.read() as tx:
        stored = tx.users.get(POOL, "hashed")
    assert stored is not None and stored.password == first and stored.imported_hash is None


def test_one_job_at_a_time_and_one_runner_per_job(store: SqlStore) -> None:
    now = time.time()
    with store.write() as tx:
        for name in ("one", "two"):
            job = new_job(name)
            tx.import_jobs.add(job)
            tx.import_jobs.add_chunk(job, "u", 0, b"cognito:username\n")
            assert tx.import_jobs.complete_upload(job.job_id, "u", 17, now)
        assert tx.import_jobs.start("import-one", now) is True
        assert tx.import_jobs.start("import-one", now) is False  # not Created any more
        assert tx.import_jobs.start("import-two", now) is None  # another is active
    with store.write() as tx:
        found = tx.import_jobs.claimable(now)
        assert found is not None and found.job_id == "import-one"
        assert tx.import_jobs.claim(found, "runner-a", now + 10)
        assert not tx.import_jobs.claim(found, "runner-b", now + 10)  # as read: taken since
        assert tx.import_jobs.claimable(now) is None  # held under a live lease
    step = Progress(17, 2, 0, 0, 0)
    with store.write() as tx:
        assert not tx.import_jobs.advance("import-one", "runner-b", step, now + 10)
        assert tx.import_jobs.advance("import-one", "runner-a", step, now + 10)
    with store.write() as tx:  # runner-a's lease lapses: another takes the job over
        lapsed = tx.import_jobs.claimable(now + 11)
        assert lapsed is not None and lapsed.runner == "runner-a"
        assert tx.import_jobs.claim(lapsed, "runner-b", now + 21)
        assert not tx.import_jobs.advance("import-one", "runner-a", step, now + 30)
        assert not tx.import_jobs.finish("import-one", "runner-a", JobStatus.FAILED, "x", now)
        assert tx.import_jobs.finish("import-one", "runner-b", JobStatus.SUCCEEDED, "ok", now)
        assert tx.import_jobs.chunk("import-one", "u", 0) is None  # its file is gone
        assert tx.import_jobs.start("import-two", now) is True  # no job is active now
