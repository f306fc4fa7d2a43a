"""PasskeyRepository on SQLite and PostgreSQL: passkeys, their counters, open registrations,
and what deleting a user or a pool takes with it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from tests.pg import fresh_database
from userpool.domain.auth_records import Passkey, PasskeyChallenge
from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

POOL = "us-east-1_passkeys"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    database_url: AbstractContextManager[str] = (
        fresh_database()
        if request.param == "postgres"
        else nullcontext(f"sqlite:///{tmp_path / 'passkeys.db'}")
    )
    with database_url as url:
        engine = database.create(url)
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()


def a_user(store: SqlStore, name: str = "alice", pool_id: str = POOL) -> User:
    user = User(str(uuid.uuid4()), pool_id, name, UserStatus.CONFIRMED, True, 1.0, 1.0, {})
    with store.write() as tx:
        if tx.pools.get(pool_id) is None:
            tx.pools.add(UserPool(pool_id, "p", 1.0, 1.0, {}))
        assert tx.users.add(user, name, {}) == []
    return user


def a_passkey(user: User, credential_id: str, created: float = 1.0, count: int = 0) -> Passkey:
    return Passkey(
        credential_id=credential_id,
        pool_id=user.pool_id,
        sub=user.sub,
        public_key=b"\xa5\x01\x02\x03\x26",
        sign_count=count,
        transports=("usb", "nfc"),
        relying_party_id="localhost",
        created=created,
        friendly_name="Roaming passkey",
        authenticator_attachment="cross-platform",
    )


def a_challenge(
    user: User, challenge: str = "Y2hhbGxlbmdl", expires: float = 500.0
) -> PasskeyChallenge:
    return PasskeyChallenge(
        user.pool_id, user.sub, "client-1", challenge, "localhost", "preferred", expires
    )


def test_passkeys_are_stored_read_listed_and_deleted(store: SqlStore) -> None:
    alice, bob = a_user(store), a_user(store, "bob")
    first, second = a_passkey(alice, "bb", created=2.0), a_passkey(alice, "aa", created=3.0)
    with store.write() as tx:
        assert tx.passkeys.add(first) and tx.passkeys.add(second)
        assert tx.passkeys.add(a_passkey(bob, "cc"))
    with store.read() as tx:
        assert tx.passkeys.get(POOL, "bb") == first
        assert tx.passkeys.get(POOL, "zz") is None
        assert tx.passkeys.of_user(POOL, alice.sub) == [first, second]  # oldest first
        assert tx.passkeys.count(POOL, alice.sub) == 2
        page = tx.passkeys.list(POOL, alice.sub, 1, None)
        assert (page.items, page.next_key) == ([second], "aa")
        page = tx.passkeys.list(POOL, alice.sub, 1, "aa")
        assert (page.items, page.next_key) == ([first], None)
    with store.write() as tx:
        assert not tx.passkeys.delete(POOL, bob.sub, "bb")  # not bob's
        assert tx.passkeys.delete(POOL, alice.sub, "bb")
        assert not tx.passkeys.delete(POOL, alice.sub, "bb")
    with store.read() as tx:
        assert tx.passkeys.of_user(POOL, alice.sub) == [second]


def test_a_credential_id_is_registered_once_per_pool(store: SqlStore) -> None:
    alice, bob = a_user(store), a_user(store, "bob")
    carol = a_user(store, "carol", pool_id="us-east-1_other")
    with store.write() as tx:
        assert tx.passkeys.add(a_passkey(alice, "same"))
        assert not tx.passkeys.add(a_passkey(bob, "same"))
        assert tx.passkeys.add(a_passkey(carol, "same"))  # another pool: its own
        # The refused insert left the transaction usable.
        assert tx.passkeys.count(POOL, alice.sub) == 1


def test_the_sign_count_moves_only_from_the_value_read(store: SqlStore) -> None:
    alice = a_user(store)
    with store.write() as tx:
        tx.passkeys.add(a_passkey(alice, "key", count=5))
    with store.write() as tx:
        assert tx.passkeys.update_sign_count(POOL, "key", 5, 6)
        assert not tx.passkeys.update_sign_count(POOL, "key", 5, 6)  # a second use of 5 loses
        assert not tx.passkeys.update_sign_count(POOL, "gone", 0, 1)
    with store.read() as tx:
        stored = tx.passkeys.get(POOL, "key")
        assert stored is not None and stored.sign_count == 6
    with store.write() as tx:  # a 32-bit counter near its top fits
        assert tx.passkeys.update_sign_count(POOL, "key", 6, 2**32 - 1)


def test_of_many_sign_ins_on_one_counter_value_one_moves_it(store: SqlStore) -> None:
    """Each thread verified an assertion against the counter it read (5) and moves it in its
    own write transaction, all released at once: one wins."""
    alice = a_user(store)
    with store.write() as tx:
        tx.passkeys.add(a_passkey(alice, "key", count=5))
    barrier = threading.Barrier(8, timeout=30)

    def sign_in(new: int) -> bool:
        barrier.wait()
        with store.write() as tx:
            return tx.passkeys.update_sign_count(POOL, "key", 5, new)

    with ThreadPoolExecutor(8) as threads:
        won = list(threads.map(sign_in, range(6, 14)))
    assert won.count(True) == 1
    with store.read() as tx:
        stored = tx.passkeys.get(POOL, "key")
        assert stored is not None and stored.sign_count == 6 + won.index(True)


def test_an_open_registration_is_replaced_taken_once_and_purged(store: SqlStore) -> None:
    alice, bob = a_user(store), a_user(store, "bob")
    with store.write() as tx:
        tx.passkeys.put_challenge(a_challenge(alice, "Zmlyc3Q"))
        tx.passkeys.put_challenge(a_challenge(alice, "c2Vjb25k"))
        tx.passkeys.put_challenge(a_challenge(bob, "Ym9i", expires=50.0))
    with store.write() as tx:
        assert tx.passkeys.take_challenge(POOL, alice.sub) == a_challenge(alice, "c2Vjb25k")
        assert tx.passkeys.take_challenge(POOL, alice.sub) is None
    with store.write() as tx:
        tx.passkeys.purge_expired_challenges(100.0)
        assert tx.passkeys.take_challenge(POOL, bob.sub) is None


def test_a_refused_take_is_undone_with_its_transaction(store: SqlStore) -> None:
    alice = a_user(store)
    with store.write() as tx:
        tx.passkeys.put_challenge(a_challenge(alice))
    with pytest.raises(RuntimeError), store.write() as tx:
        assert tx.passkeys.take_challenge(POOL, alice.sub) is not None
        raise RuntimeError("rolled back")
    with store.write() as tx:
        assert tx.passkeys.take_challenge(POOL, alice.sub) == a_challenge(alice)


def test_deleting_a_user_or_a_pool_deletes_their_passkeys(store: SqlStore) -> None:
    alice, bob = a_user(store), a_user(store, "bob")
    with store.write() as tx:
        for user, key in ((alice, "a"), (bob, "b")):
            tx.passkeys.add(a_passkey(user, key))
            tx.passkeys.put_challenge(a_challenge(user))
    with store.write() as tx:
        tx.users.delete(alice)
    with store.write() as tx:
        assert tx.passkeys.get(POOL, "a") is None
        assert tx.passkeys.take_challenge(POOL, alice.sub) is None
        assert tx.passkeys.get(POOL, "b") is not None
        tx.passkeys.put_challenge(a_challenge(bob))
    with store.write() as tx:
        tx.pools.delete(POOL)
    with store.write() as tx:
        assert tx.passkeys.get(POOL, "b") is None
        assert tx.passkeys.take_challenge(POOL, bob.sub) is None
