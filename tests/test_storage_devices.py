"""The DeviceRepository contract on SQLite and PostgreSQL (the `store` fixture of the storage
contract): put once per key, status and authentication updates, forgetting, paging, and the
devices that go with a deleted user or pool."""

from __future__ import annotations

from dataclasses import replace

from tests import test_storage_contract as contract
from tests.test_storage_contract import POOL, names, pool, user, walk, with_users
from userpool.domain.auth_records import Device
from userpool.storage.sql_store import SqlStore

# The storage contract's fixtures: each test gets a fresh store on each backend.
pg_store = contract.pg_store
store = contract.store


def device(key: str, sub: str, pool_id: str = POOL, **changes: object) -> Device:
    made = Device(
        key=key,
        pool_id=pool_id,
        sub=sub,
        group_key="-groupkey",
        salt="00a1b2",
        verifier="0f" * 384,
        name=f"name of {key}",
        remembered=True,
        created=10.0,
        modified=10.0,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def test_put_and_get(store: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    with_users(store, alice, bob)
    mine = device("us-east-1_a", alice.sub, name=None, last_ip="192.0.2.1")
    with store.write() as tx:
        assert tx.devices.put(mine)
        # A key is stored once: not again for the same user, nor for another.
        assert not tx.devices.put(replace(mine, name="again"))
        assert not tx.devices.put(replace(mine, sub=bob.sub))
        # The failed puts leave the transaction usable.
        assert tx.devices.put(device("us-east-1_b", bob.sub, remembered=False))
    with store.read() as tx:
        assert tx.devices.get(POOL, "us-east-1_a") == mine
        assert tx.devices.get(POOL, "us-east-1_b") == device(
            "us-east-1_b", bob.sub, remembered=False
        )
        assert tx.devices.get(POOL, "us-east-1_none") is None
        assert tx.devices.get("us-east-1_elsewhere", "us-east-1_a") is None


def test_status_and_authentication(store: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    with_users(store, alice, bob)
    with store.write() as tx:
        tx.devices.put(device("us-east-1_a", alice.sub))
    with store.write() as tx:
        assert tx.devices.set_remembered(POOL, alice.sub, "us-east-1_a", False, 20.0)
        # Only the owner's device, only an existing one.
        assert not tx.devices.set_remembered(POOL, bob.sub, "us-east-1_a", True, 21.0)
        assert not tx.devices.set_remembered(POOL, alice.sub, "us-east-1_none", True, 21.0)
        tx.devices.authenticated(POOL, "us-east-1_a", 30.0)
    with store.read() as tx:
        stored = tx.devices.get(POOL, "us-east-1_a")
    expected = device("us-east-1_a", alice.sub, remembered=False, modified=20.0)
    assert stored == replace(expected, last_authenticated=30.0)


def test_forget(store: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    with_users(store, alice, bob)
    with store.write() as tx:
        tx.devices.put(device("us-east-1_a", alice.sub))
    with store.write() as tx:
        assert not tx.devices.forget(POOL, bob.sub, "us-east-1_a")
        assert tx.devices.forget(POOL, alice.sub, "us-east-1_a")
        assert not tx.devices.forget(POOL, alice.sub, "us-east-1_a")
    with store.write() as tx:
        assert tx.devices.get(POOL, "us-east-1_a") is None
        # Forgotten, its key may be confirmed again.
        assert tx.devices.put(device("us-east-1_a", alice.sub))


def test_list_pages_one_users_devices(store: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    with_users(store, alice, bob)
    with store.write() as tx:
        for n in (3, 1, 4, 2, 5):
            tx.devices.put(device(f"us-east-1_{n}", alice.sub))
        tx.devices.put(device("us-east-1_0", bob.sub))
    with store.read() as tx:
        pages = walk(lambda after: tx.devices.list(POOL, alice.sub, 2, after))
        bobs = walk(lambda after: tx.devices.list(POOL, bob.sub, 2, after))
        elsewhere = tx.devices.list("us-east-1_elsewhere", alice.sub, 2, None)
    assert names(pages, "key") == [
        ["us-east-1_1", "us-east-1_2"],
        ["us-east-1_3", "us-east-1_4"],
        ["us-east-1_5"],
    ]
    assert names(bobs, "key") == [["us-east-1_0"]]
    assert elsewhere.items == [] and elsewhere.next_key is None


def test_deleting_a_user_deletes_their_devices(store: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    with_users(store, alice, bob)
    with store.write() as tx:
        tx.devices.put(device("us-east-1_a", alice.sub))
        tx.devices.put(device("us-east-1_b", bob.sub))
    with store.write() as tx:
        tx.users.delete(alice)
    with store.read() as tx:
        assert tx.devices.get(POOL, "us-east-1_a") is None
        assert tx.devices.get(POOL, "us-east-1_b") is not None
        assert tx.devices.list(POOL, alice.sub, 10, None).items == []


def test_deleting_a_pool_deletes_its_devices(store: SqlStore) -> None:
    alice = user("alice")
    carol = user("carol", "us-east-1_other")
    with_users(store, alice)
    with_users(store, carol)
    with store.write() as tx:
        tx.devices.put(device("us-east-1_a", alice.sub))
        tx.devices.put(device("us-east-1_c", carol.sub, "us-east-1_other"))
    with store.write() as tx:
        tx.pools.delete(POOL)
    with store.read() as tx:
        assert tx.devices.get(POOL, "us-east-1_a") is None
        assert tx.devices.get("us-east-1_other", "us-east-1_c") is not None
    # The pool's keys are free again.
    with store.write() as tx:
        tx.pools.add(pool())
        assert tx.devices.put(device("us-east-1_a", "some-sub"))
