"""A sign-in that threat protection records, run through the engine in-process as in
tests/test_engine.py: its event is made in the writes its steps make anyway, each step still
one read and at most one write; a refusal before the proof writes its event in a write of its
own, only where threat protection records it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.auth_events_support import THREAT_PROTECTION
from tests.test_engine import NOW, CountingStore, World, make_permanent
from tests.test_engine import PASSWORD as ED_PASSWORD
from userpool import auth
from userpool.accounts.lockout import FREE_FAILURES
from userpool.app import build_runtime
from userpool.auth import Challenge
from userpool.config import ServerConfig
from userpool.domain.errors import NotAuthorizedException
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = database.create(database.sqlite_url(tmp_path))
    database.migrate(made)
    yield made
    made.dispose()


def world_of(engine: Engine, tmp_path: Path, **pool: Any) -> World:
    """A pool with `pool`'s settings, a client that hides which users exist, and the user ed."""
    store = SqlStore(engine)
    runtime = build_runtime(ServerConfig(data_dir=tmp_path, public_url="http://idp.test"), store)
    counting = CountingStore(store)
    world = World(replace(runtime, store=counting), store, counting)
    created = world.call("CreateUserPool", PoolName="events", **pool)
    world.pool_id = created["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = world.call(
        "CreateUserPoolClient",
        UserPoolId=world.pool_id,
        ClientName="c",
        ExplicitAuthFlows=flows,
        PreventUserExistenceErrors="ENABLED",
    )
    world.client_id = client["UserPoolClient"]["ClientId"]
    new_user = {"Username": "ed", "TemporaryPassword": ED_PASSWORD, "MessageAction": "SUPPRESS"}
    world.call("AdminCreateUser", UserPoolId=world.pool_id, **new_user)
    make_permanent(world)
    return world


def password_sign_in(world: World, name: str, password: str) -> None:
    """A password sign-in that must be refused (NotAuthorizedException)."""
    params = {"USERNAME": name, "PASSWORD": password}
    with pytest.raises(NotAuthorizedException):
        auth.initiate(
            world.runtime,
            world.client_id,
            None,
            admin=False,
            now=NOW,
            flow="USER_PASSWORD_AUTH",
            params=params,
        )


def test_a_recorded_sign_in_spends_no_transaction_more(engine: Engine, tmp_path: Path) -> None:
    world = world_of(engine, tmp_path, **THREAT_PROTECTION)
    store, counting = world.store, world.counting
    spent = []
    for flow in ("USER_PASSWORD_AUTH", "USER_SRP_AUTH"):
        counting.reads = counting.writes = 0
        outcome = world.initiate(flow)
        spent.append((counting.reads, counting.writes))
        while isinstance(outcome, Challenge):
            counting.reads = counting.writes = 0
            outcome = world.respond(outcome)
            spent.append((counting.reads, counting.writes))
    counting.reads = counting.writes = 0
    password_sign_in(world, "ed", "Wrong-Passw0rd!")
    spent.append((counting.reads, counting.writes))
    assert spent == [(1, 1), (1, 0), (1, 1), (1, 1)]
    with store.read() as tx:
        user = tx.users.get(world.pool_id, "ed")
        assert user is not None
        recorded = tx.auth_events.of_user(world.pool_id, user.sub, 10, None)
    # One clock for every step here: the events' order is not the point.
    assert sorted((event.response.value, len(event.challenges)) for event in recorded) == [
        ("Fail", 1),
        ("Pass", 1),
        ("Pass", 1),
    ]


@pytest.mark.parametrize("protected", [True, False], ids=["protected", "unprotected"])
def test_a_refusal_before_the_proof_writes_only_what_is_recorded(
    engine: Engine, tmp_path: Path, protected: bool
) -> None:
    """A disabled user's sign-in, and a locked-out name that means nobody: one write each
    where threat protection records sign-ins (for nobody it leaves nothing), none elsewhere."""
    world = world_of(engine, tmp_path, **(THREAT_PROTECTION if protected else {}))
    for _ in range(FREE_FAILURES):  # locks the stand-in of "nobody" until NOW + 1
        password_sign_in(world, "nobody", "Wrong-Passw0rd!")
    world.call("AdminDisableUser", UserPoolId=world.pool_id, Username="ed")
    counting = world.counting
    spent = []
    for name in ("ed", "nobody"):
        counting.reads = counting.writes = 0
        password_sign_in(world, name, ED_PASSWORD)
        spent.append((counting.reads, counting.writes))
    assert spent == [(1, 1), (1, 1)] if protected else [(1, 0), (1, 0)]
    with world.store.read() as tx:
        recorded = tx.auth_events.export(world.pool_id, None, 100, None)
    expected = [("ed", "Fail", 0)] if protected else []
    assert [(e.username, e.response.value, len(e.challenges)) for e in recorded] == expected
