"""Which requests leave the event loop because they may call one of their pool's Lambda
functions (services/request_routing.py), against a real SQLite store: the pool is found
from UserPoolId or ClientId, and what a pool sets is remembered for the TTL, then read again.
(Imported password hashes: tests/test_imported_hash_threads.py.)"""

from __future__ import annotations

from pathlib import Path

from userpool.domain.models import AppClient, UserPool
from userpool.services.request_routing import RequestRouting
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

PRE = {"PreAuthentication": "arn:aws:lambda:us-east-1:000000000000:function:pre"}
CALLS = frozenset({"ConfirmSignUp"})  # the operations that may call a function


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def store_with(tmp_path: Path, *pools: UserPool) -> SqlStore:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    with store.write() as tx:
        for pool in pools:
            tx.pools.add(pool)
            tx.clients.add(AppClient(f"client-{pool.id}", pool.id, "app", None, 0.0, 0.0))
    return store


def test_a_pool_that_sets_a_function_is_routed_by_pool_id_or_client_id(tmp_path: Path) -> None:
    plain = UserPool("us-east-1_plain", "plain", 0.0, 0.0)
    triggered = UserPool("us-east-1_trig", "trig", 0.0, 0.0, {"LambdaConfig": PRE})
    routing = RequestRouting(store_with(tmp_path, plain, triggered), CALLS)
    assert routing.may_wait("ConfirmSignUp", {"UserPoolId": triggered.id}) is True
    assert routing.may_wait("ConfirmSignUp", {"ClientId": f"client-{triggered.id}"}) is True
    assert routing.may_wait("ConfirmSignUp", {"UserPoolId": plain.id}) is False
    assert routing.may_wait("ConfirmSignUp", {"ClientId": f"client-{plain.id}"}) is False
    # Nothing to route by, or nothing by that name: the operation refuses it before any trigger.
    assert routing.may_wait("ConfirmSignUp", {}) is False
    assert routing.may_wait("ConfirmSignUp", {"ClientId": "no-such-client"}) is False
    assert routing.may_wait("ConfirmSignUp", {"UserPoolId": "us-east-1_nothere"}) is False
    assert routing.may_wait("ConfirmSignUp", {"ClientId": 7, "UserPoolId": None}) is False
    # An operation that calls no function waits on none, whatever its pool sets.
    assert routing.may_wait("AdminGetUser", {"UserPoolId": triggered.id}) is False


def test_a_change_to_the_pool_is_seen_once_the_ttl_has_passed(tmp_path: Path) -> None:
    pool = UserPool("us-east-1_later", "later", 0.0, 0.0)
    store = store_with(tmp_path, pool)
    clock = Clock()
    routing = RequestRouting(store, CALLS, clock, ttl=1.0)
    assert routing.may_wait("ConfirmSignUp", {"ClientId": f"client-{pool.id}"}) is False
    with store.write() as tx:
        tx.pools.update(UserPool(pool.id, pool.name, 0.0, 1.0, {"LambdaConfig": PRE}))
    clock.now += 0.5
    assert routing.may_wait("ConfirmSignUp", {"UserPoolId": pool.id}) is False  # remembered
    clock.now += 0.6
    assert routing.may_wait("ConfirmSignUp", {"UserPoolId": pool.id}) is True  # read again
    assert routing.may_wait("ConfirmSignUp", {"ClientId": f"client-{pool.id}"}) is True
