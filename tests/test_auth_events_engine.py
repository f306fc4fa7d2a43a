"""A sign-in that threat protection records, run through the engine in-process as in
tests/test_engine.py: its event is made in the writes its steps make anyway, each step still
one read and at most one write."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.auth_events_support import THREAT_PROTECTION
from tests.test_engine import NOW, CountingStore, World, make_permanent
from tests.test_engine import PASSWORD as ED_PASSWORD
from userpool import auth
from userpool.app import build_runtime
from userpool.auth import Challenge
from userpool.config import ServerConfig
from userpool.domain.errors import NotAuthorizedException
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


def test_a_recorded_sign_in_spends_no_transaction_more(tmp_path: Path) -> None:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    runtime = build_runtime(ServerConfig(data_dir=tmp_path, public_url="http://idp.test"), store)
    counting = CountingStore(store)
    world = World(replace(runtime, store=counting), store, counting)
    created = world.call("CreateUserPool", PoolName="events", **THREAT_PROTECTION)
    world.pool_id = created["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = world.call(
        "CreateUserPoolClient", UserPoolId=world.pool_id, ClientName="c", ExplicitAuthFlows=flows
    )
    world.client_id = client["UserPoolClient"]["ClientId"]
    new_user = {"Username": "ed", "TemporaryPassword": ED_PASSWORD, "MessageAction": "SUPPRESS"}
    world.call("AdminCreateUser", UserPoolId=world.pool_id, **new_user)
    make_permanent(world)
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
    wrong = {"USERNAME": "ed", "PASSWORD": "Wrong-Passw0rd!"}
    with pytest.raises(NotAuthorizedException):
        auth.initiate(
            world.runtime,
            world.client_id,
            None,
            admin=False,
            now=NOW,
            flow="USER_PASSWORD_AUTH",
            params=wrong,
        )
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
    engine.dispose()
