"""Every lookup behind a sign-in, a token's use or a ListUsers filter goes through an index and
reads about as many rows as it needs, on SQLite and on PostgreSQL (issue 19, item 3).

The storage layer's own calls run against a database of a few thousand users
(query_plan_fill.py); each statement they issue is recorded and examined apart
(query_plan_support.py): no scan of a table, and a small cost where a whole-pool walk would
cost thousands of rows. ListUsers is examined filter by filter, on its first page and on a
page near the end of the listing, where an offset or a sort of every match would show.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from tests.conftest import BACKENDS
from tests.pg import fresh_database
from tests.query_plan_cases import EXEMPT, LOOKUPS, WRITES, Case
from tests.query_plan_fill import (
    FOLDED,
    MAIN,
    SMALL_GROUP,
    Fill,
    attributes_of,
    fill,
    status_of,
    sub_of,
    username_of,
)
from tests.query_plan_support import Examiner, Recorder, Statement
from userpool.domain.models import Page
from userpool.storage import database
from userpool.storage.repositories import FilterOp
from userpool.storage.schema import metadata
from userpool.storage.sql_auth import (
    SqlLockouts,
    SqlRefreshTokens,
    SqlSessionMarkers,
    SqlSignInStates,
)
from userpool.storage.sql_auth_events import SqlAuthEvents
from userpool.storage.sql_authorization_codes import SqlAuthorizationCodes
from userpool.storage.sql_devices import SqlDevices
from userpool.storage.sql_messages import SqlCodes
from userpool.storage.sql_passkeys import SqlPasskeys
from userpool.storage.sql_store import SqlStore
from userpool.storage.sql_user_batches import SqlUserBatches
from userpool.storage.sql_users import SqlUsers

Where = tuple[str, FilterOp, str] | None


@dataclass
class Database:
    store: SqlStore
    recorder: Recorder
    examiner: Examiner
    fill: Fill

    def check(self, statements: list[Statement]) -> None:
        assert statements, "no statement was recorded"
        found = [self.examiner.examine(s) for s in statements if s.reads]
        problems = [f"{', '.join(e.problems)}:\n{e}" for e in found if e.problems]
        assert not problems, "\n\n".join(problems)


@pytest.fixture(scope="module", params=BACKENDS)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    backend = request.param
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    with ExitStack() as stack:
        if backend == "postgres":
            url = stack.enter_context(fresh_database())
        else:
            url = database.sqlite_url(Path(tmp_path_factory.mktemp("plans")))
        engine = database.create(url)
        stack.callback(engine.dispose)
        recorder = Recorder(engine)
        database.migrate(engine)
        filled = fill(engine)
        examiner = Examiner(engine)
        stack.callback(examiner.close)
        yield Database(SqlStore(engine), recorder, examiner, filled)


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_lookup(filled: Database, name: str) -> None:
    for transaction in (filled.store.read, filled.store.write):  # the second holds its rows
        _check_case(filled, transaction, LOOKUPS[name])


@pytest.mark.parametrize("name", sorted(WRITES))
def test_write(filled: Database, name: str) -> None:
    _check_case(filled, filled.store.write, WRITES[name])


def _check_case(filled: Database, transaction: Any, case: Case) -> None:
    with filled.recorder.capture() as statements, transaction() as tx:
        case(tx, filled.fill)
    filled.check(statements)


REPOSITORIES = {
    "users": SqlUsers,
    "lockouts": SqlLockouts,
    "refresh_tokens": SqlRefreshTokens,
    "sign_in_states": SqlSignInStates,
    "session_markers": SqlSessionMarkers,
    "codes": SqlCodes,
    "devices": SqlDevices,
    "passkeys": SqlPasskeys,
    "auth_events": SqlAuthEvents,
    "authorization_codes": SqlAuthorizationCodes,
    "user_batches": SqlUserBatches,  # import jobs: a million users through them
}


def test_every_method_of_the_sign_in_repositories_has_a_case() -> None:
    """A new storage method on these paths gets its statements examined here, or says why not."""
    covered = {part.strip() for name in {*LOOKUPS, *WRITES} for part in name.split(",")}
    missing = [
        f"{attribute}.{method}"
        for attribute, repository in REPOSITORIES.items()
        for method, _ in inspect.getmembers(repository, inspect.isfunction)
        if not method.startswith("_") and f"{attribute}.{method}" not in covered | EXEMPT.keys()
    ]
    assert missing == []


def test_the_schema_declares_the_indexes_the_migrations_make(filled: Database) -> None:
    """schema.py's tables name the indexes that the migrations made, on both backends."""
    engine = filled.store.engine
    found = sqlalchemy.inspect(engine)
    for table in metadata.sorted_tables:
        made = {
            index["name"]
            for index in found.get_indexes(table.name)
            if not index.get("duplicates_constraint")
        }
        assert made == {index.name for index in table.indexes}, table.name
    if engine.dialect.name == "postgresql":  # what ListUsers ranges over compares code points
        with engine.connect() as connection:
            collations = connection.execute(sqlalchemy.text(C_COLLATED)).all()
        assert sorted(collations) == [
            ("user_search", "value_head"),
            ("users", "username"),
            ("users", "username_key"),
        ]


C_COLLATED = """
    SELECT c.relname, a.attname FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_collation l ON l.oid = a.attcollation
    WHERE l.collname = 'C' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
"""


def _expected(pool_id: str, where: Where) -> list[str]:
    """The subs a filter matches, by Cognito's rules, worked out from what was filled."""
    count = {MAIN: 3000, FOLDED: 1500}[pool_id]
    matched = []
    for number in range(count):
        values = attributes_of(pool_id, number)
        values |= {"username": username_of(pool_id, number), "sub": sub_of(pool_id, number)}
        values["cognito:user_status"] = status_of(number).lower()
        values["status"] = "Enabled" if number % 41 else "Disabled"
        if where is not None:
            name, op, value = where
            found = values[name]
            wanted = value.lower() if name == "cognito:user_status" else value
            if not (found == wanted if op == "=" else found.startswith(wanted)):
                continue
        matched.append(values["sub"])
    return sorted(matched)


FILTERS: list[tuple[str, Where]] = [
    (MAIN, None),
    (FOLDED, None),
    (MAIN, ("username", "=", "user00042")),
    (MAIN, ("username", "^=", "user")),
    (MAIN, ("username", "^=", "user012")),
    (FOLDED, ("username", "=", "User00042")),
    (FOLDED, ("username", "=", "user00042")),  # case-sensitive in every pool
    (FOLDED, ("username", "^=", "User0")),
    (FOLDED, ("username", "^=", "user0")),
    (MAIN, ("email", "=", "user00042@example.com")),
    (MAIN, ("email", "^=", "user")),
    (MAIN, ("phone_number", "^=", "+1555")),
    (MAIN, ("name", "^=", "User Number 2")),
    (MAIN, ("given_name", "=", "Alice")),
    (MAIN, ("given_name", "^=", "Al")),
    (MAIN, ("family_name", "=", "Smith")),
    (MAIN, ("preferred_username", "^=", "pref")),
    (MAIN, ("cognito:user_status", "=", "CONFIRMED")),
    (MAIN, ("cognito:user_status", "=", "reset_required")),
    (MAIN, ("cognito:user_status", "^=", "R")),
    (MAIN, ("cognito:user_status", "^=", "")),
    (MAIN, ("status", "=", "Enabled")),
    (MAIN, ("status", "^=", "D")),
    (MAIN, ("sub", "=", sub_of(MAIN, 42))),
    (MAIN, ("sub", "^=", "")),
    (MAIN, ("sub", "^=", sub_of(MAIN, 42)[:1])),
]


@pytest.mark.parametrize(("pool_id", "where"), FILTERS, ids=[f"{p[10:]} {w}" for p, w in FILTERS])
def test_list_users(filled: Database, pool_id: str, where: Where) -> None:
    """Every match exactly once over the pages; the first page and one near the end cheap."""
    expected = _expected(pool_id, where)
    with filled.store.read() as tx:
        everyone = _walk(lambda after: tx.users.list(pool_id, 700, after, where))
        assert sorted(user.sub for user in everyone) == expected
        with filled.recorder.capture() as first:
            page = tx.users.list(pool_id, 60, None, where)
        assert len(page.items) == min(60, len(expected))
        if len(expected) <= 60:
            if first:  # a filter no value can meet asks nothing of the database
                filled.check(first)
            return
        near_end = tx.users.list(pool_id, len(expected) - 31, None, where).next_key
        with filled.recorder.capture() as last:
            page = tx.users.list(pool_id, 60, near_end, where)
        assert (len(page.items), page.next_key) == (31, None)
    filled.check(first + last)


@pytest.mark.parametrize("group", ["big", "small"])
def test_list_users_in_group(filled: Database, group: str) -> None:
    size = {"big": filled.fill.counts[MAIN], "small": SMALL_GROUP}[group]
    with filled.store.read() as tx:
        everyone = _walk(lambda after: tx.groups.members(MAIN, group, 700, after))
        assert len({user.sub for user in everyone}) == len(everyone) == size
        with filled.recorder.capture() as first:
            tx.groups.members(MAIN, group, 60, None)
        last: list[Statement] = []
        if size > 60:
            near_end = tx.groups.members(MAIN, group, size - 31, None).next_key
            with filled.recorder.capture() as last:
                assert len(tx.groups.members(MAIN, group, 60, near_end).items) == 31
    filled.check(first + last)


def _walk(list_page: Any) -> list[Any]:
    found, after = [], None
    while True:
        page: Page = list_page(after)
        found.extend(page.items)
        if page.next_key is None:
            return found
        after = page.next_key
