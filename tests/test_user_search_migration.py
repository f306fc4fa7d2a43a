"""Migration 0021 re-keys `user_search` by (pool, name, head, sub) on a database that holds
users: their search rows come through it unchanged, ListUsers' filters find them, and a
changed or deleted user's rows go with the change (they are now found from the user's stored
attributes, not by sub). On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text

from tests.pg import fresh_database
from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage import database
from userpool.storage.schema import user_search
from userpool.storage.sql_store import SqlStore

POOL = "us-east-1_rekeyed"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = database.create(f"sqlite:///{tmp_path / 'rekey.db'}")
        yield made
        made.dispose()
        return
    with fresh_database() as url:
        made = database.create(url)
        yield made
        made.dispose()


def migrate_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def a_user(name: str, email: str) -> User:
    user = User(str(uuid.uuid4()), POOL, name, UserStatus.CONFIRMED, True, 1.0, 1.0)
    user.attributes = {"email": email, "given_name": name.title(), "locale": "fr"}
    return user


def search_of(store: SqlStore) -> set[tuple[str, str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(user_search.c.sub, user_search.c.name, user_search.c.value)
        )
        return {(row.sub, row.name, row.value) for row in rows}


def emails(store: SqlStore, value: str) -> list[str]:
    with store.read() as tx:
        return [
            user.username for user in tx.users.list(POOL, 60, None, ("email", "^=", value)).items
        ]


def test_search_rows_survive_the_rekey_and_follow_later_changes(engine: Engine) -> None:
    migrate_to(engine, "0020")  # the key was (sub, name)
    store = SqlStore(engine)
    ann, bob = a_user("ann", "ann@example.com"), a_user("bob", "bob@example.com")
    with store.write() as tx:
        tx.pools.add(UserPool(POOL, "p", 1.0, 1.0, {}))
        for user in (ann, bob):
            assert tx.users.add(user, user.username, {}) == []
    before = search_of(store)
    assert (ann.sub, "email", "ann@example.com") in before and len(before) == 4

    migrate_to(engine, "head")
    assert search_of(store) == before
    assert emails(store, "ann@") == ["ann"]
    assert emails(store, "") == ["ann", "bob"]

    ann.attributes["email"] = "anne@example.org"
    with store.write() as tx:
        tx.users.update(ann, {})
        stored = tx.users.get(POOL, "bob")
        assert stored is not None
        tx.users.delete(stored)
    assert search_of(store) == {
        (ann.sub, "email", "anne@example.org"),
        (ann.sub, "given_name", "Ann"),
    }
    assert emails(store, "ann@") == []
    assert emails(store, "anne@") == ["ann"]
    with engine.connect() as connection:  # the rows that went were removed, not left behind
        assert connection.execute(text("SELECT count(*) FROM user_search")).scalar_one() == 2
