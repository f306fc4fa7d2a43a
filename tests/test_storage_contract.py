"""One contract for the SQL store, run on SQLite and on PostgreSQL: every repository method."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.pg import fresh_database
from userpool.domain.auth_records import AuthorizationCode, Lockout, RefreshRecord, StoredSigningKey
from userpool.domain.messages import Medium, Message, MessagePurpose, StoredCode
from userpool.domain.models import AppClient, Group, Page, PasswordVerifier, User, UserPool
from userpool.domain.models import UserStatus as Status
from userpool.storage import database
from userpool.storage.repositories import FilterOp
from userpool.storage.schema import metadata
from userpool.storage.sql_store import SqlStore

SIGN_UP = MessagePurpose.SIGN_UP
POOL = "us-east-1_contract"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_store() -> Iterator[SqlStore]:
    with fresh_database() as url:
        engine = database.create(url)
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        engine = database.create(f"sqlite:///{tmp_path / 'contract.db'}")
        database.migrate(engine)
        yield SqlStore(engine)
        engine.dispose()
        return
    shared: SqlStore = request.getfixturevalue("pg_store")
    with shared.engine.begin() as connection:
        names = ", ".join(table.name for table in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names}"))
    yield shared


def pool(pool_id: str = POOL, name: str = "p") -> UserPool:
    return UserPool(pool_id, name, 1.0, 1.0, {"MfaConfiguration": "OFF"})


def user(username: str, pool_id: str = POOL, **attributes: str) -> User:
    password = PasswordVerifier("ab", "cd", 3.0, temporary=False)
    sub = str(uuid.uuid4())
    return User(sub, pool_id, username, Status.CONFIRMED, True, 2.0, 2.0, attributes, password, {})


def with_users(store: SqlStore, *users: User) -> None:
    with store.write() as tx:
        tx.pools.add(pool(users[0].pool_id))
        for each in users:
            assert tx.users.add(each, each.username.lower(), {}) == []


def walk(fetch: Callable[[str | None], Page]) -> list[list[Any]]:
    """Every page of a listing, following `next_key` to the end."""
    pages = [fetch(None)]
    while pages[-1].next_key is not None:
        pages.append(fetch(pages[-1].next_key))
    return [page.items for page in pages]


def names(pages: list[list[Any]], attribute: str = "username") -> list[list[str]]:
    return [[getattr(item, attribute) for item in page] for page in pages]


def test_pools(store: SqlStore) -> None:
    with store.write() as tx:
        for n in range(5):
            tx.pools.add(pool(f"us-east-1_pool{n}", f"name{n}"))
    with store.write() as tx:
        changed = tx.pools.get("us-east-1_pool3")
        assert changed == pool("us-east-1_pool3", "name3")
        changed.name, changed.modified, changed.settings = "renamed", 9.0, {"A": [1, {"b": 2}]}
        tx.pools.update(changed)
        tx.pools.delete("us-east-1_pool0")
    with store.read() as tx:
        assert tx.pools.get("us-east-1_pool3") == changed
        assert tx.pools.get("us-east-1_pool0") is None
        pages = walk(lambda after: tx.pools.list(2, after))
    assert names(pages, "id") == [
        ["us-east-1_pool1", "us-east-1_pool2"],
        ["us-east-1_pool3", "us-east-1_pool4"],
    ]


def test_clients(store: SqlStore) -> None:
    with store.write() as tx:
        tx.pools.add(pool())
        tx.pools.add(pool("us-east-1_other"))
        for n in range(3):
            tx.clients.add(AppClient(f"c{n}", POOL, f"app{n}", None, 1.0, 1.0))
        tx.clients.add(AppClient("elsewhere", "us-east-1_other", "x", "s" * 51, 1.0, 1.0))
    with store.write() as tx:
        client = tx.clients.get("c1")
        assert client == AppClient("c1", POOL, "app1", None, 1.0, 1.0)
        client.secret, client.settings = "secret", {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}
        tx.clients.update(client)
        tx.clients.delete("c0")
    with store.read() as tx:
        assert tx.clients.get("c1") == client
        assert tx.clients.get("c0") is None
        assert tx.clients.get("elsewhere").secret == "s" * 51  # type: ignore[union-attr]
        pages = walk(lambda after: tx.clients.list(POOL, 1, after))
    assert names(pages, "id") == [["c1"], ["c2"]]


def test_users_add_get_update_delete(store: SqlStore) -> None:
    alice = user("Alice", email="alice@example.com")
    with store.write() as tx:
        tx.pools.add(pool())
        assert tx.users.add(alice, "alice", {"email": "key-alice"}) == []
    with store.write() as tx:
        assert tx.users.add(user("ALICE"), "alice", {}) is None  # the key is taken
        assert tx.users.add(user("bob"), "bob", {}) == []  # goes on after a duplicate
        assert tx.users.add(user("alice", "us-east-1_other"), "alice", {}) == []  # other pool
    with store.write() as tx:
        stored = tx.users.get(POOL, "alice")
        assert stored == alice
        assert tx.users.get(POOL, "Alice") is None
        assert tx.users.get_by_sub(POOL, alice.sub) == alice
        assert tx.users.get_by_sub("us-east-1_other", alice.sub) is None
        stored.status, stored.enabled, stored.password = Status.RESET_REQUIRED, False, None
        stored.attributes["email"], stored.mfa = "new@example.com", {"totp": "secret"}
        assert tx.users.update(stored, {"email": "key-new"}) == []
    with store.write() as tx:
        assert tx.users.get(POOL, "alice") == stored
        assert tx.users.holder(POOL, "email", "key-new") == stored
        assert tx.users.holder(POOL, "email", "key-alice") is None
        tx.groups.add(Group(POOL, "g", 1.0, 1.0))
        tx.groups.add_member(POOL, "g", alice.sub)
        token = RefreshRecord("h", "j", POOL, "c", alice.sub, 1.0, 1.0, 9.0)
        tx.refresh_tokens.add(token)
        tx.lockouts.save(POOL, alice.sub, Lockout(1, 1.0, 1.0))
        tx.users.delete(stored)
    with store.read() as tx:
        assert tx.users.get(POOL, "alice") is None
        assert tx.groups.members(POOL, "g", 60, None).items == []
        assert tx.refresh_tokens.get("h") is None
        assert tx.lockouts.get(alice.sub) is None
        assert tx.users.holder(POOL, "email", "key-new") is None
        assert tx.users.count(POOL) == 1


def test_a_sign_in_name_has_one_holder_per_pool(store: SqlStore) -> None:
    """The unique key decides: a name held by one user is not claimed by another (the
    attribute comes back as a clash); released, it can be claimed; other pools are apart."""
    u1, u2, u3 = user("u1"), user("u2"), user("u3", "us-east-1_other")
    with store.write() as tx:
        tx.pools.add(pool())
        tx.pools.add(pool("us-east-1_other"))
        assert tx.users.add(u1, "u1", {"email": "k1", "phone_number": "p1"}) == []
        assert tx.users.add(u2, "u2", {"email": "k1", "phone_number": "p2"}) == ["email"]
        assert tx.users.add(u3, "u3", {"email": "k1"}) == []
    with store.write() as tx:
        assert tx.users.holder(POOL, "email", "k1") == u1
        assert tx.users.holder(POOL, "phone_number", "p2") == u2
        assert tx.users.holder(POOL, "phone_number", "k1") is None  # per attribute
        assert tx.users.holder("us-east-1_other", "email", "k1") == u3
        assert tx.users.update(u2, {"email": "k1"}) == ["email"]  # still u1's
        assert tx.users.holder(POOL, "phone_number", "p2") is None  # released by that update
        assert tx.users.update(u1, {"phone_number": "p1"}) == []  # u1 lets go of k1
        assert tx.users.update(u2, {"email": "k1"}) == []
        assert tx.users.holder(POOL, "email", "k1") == u2


def test_long_values_are_stored_and_searchable(store: SqlStore) -> None:
    """Values of up to 2,048 four-byte characters, past what one index entry can hold on
    PostgreSQL, are stored, indexed and found by ListUsers filters, exactly and by prefix."""
    long = "\U0001f600" * 2048
    with_users(store, user("long", email=long), user("near", email=long[:-1] + "x"))
    with store.read() as tx:

        def find(op: FilterOp, value: str) -> list[str]:  # one head: then in the order of subs
            page = tx.users.list(POOL, 60, None, ("email", op, value))
            return sorted(user.username for user in page.items)

        assert find("=", long) == ["long"]
        assert find("^=", long[:300]) == ["long", "near"]
        assert find("^=", long[:-1]) == ["long", "near"]
        assert find("^=", long[:-1] + "x") == ["near"]
        assert find("^=", "\U0001f600" * 5) == ["long", "near"]
        assert find("=", long[:256]) == []


def test_list_pages_and_filters(store: SqlStore) -> None:
    people = [
        user("ann", email="ann@a.example", given_name="Ann", name="Ann Lee"),
        user("anne", email="anne@b.example", given_name="Anne"),
        user("bob", email="bob@a.example", family_name="Lee"),
        user("carl", email="Carl@a.example", preferred_username="ann"),
        user("dora", phone_number="+15550111"),
    ]
    people[1].enabled, people[2].status = False, Status.FORCE_CHANGE_PASSWORD
    with_users(store, *people)
    with store.read() as tx:

        def listed(limit: int, where: Any = None) -> list[list[str]]:
            return names(walk(lambda after: tx.users.list(POOL, limit, after, where)))

        assert listed(2) == [["ann", "anne"], ["bob", "carl"], ["dora"]]
        assert listed(60, ("email", "=", "ann@a.example")) == [["ann"]]
        assert listed(60, ("email", "^=", "ann")) == [["ann", "anne"]]
        assert listed(1, ("email", "^=", "an")) == [["ann"], ["anne"]]
        assert listed(60, ("email", "^=", "carl")) == [[]]  # prefixes are case-sensitive
        assert listed(60, ("given_name", "^=", "An")) == [["ann", "anne"]]
        assert listed(60, ("family_name", "=", "Lee")) == [["bob"]]
        assert listed(60, ("name", "^=", "Ann L")) == [["ann"]]
        assert listed(60, ("preferred_username", "=", "ann")) == [["carl"]]
        assert listed(60, ("phone_number", "^=", "+1555")) == [["dora"]]
        assert listed(60, ("status", "=", "Enabled")) == [["ann", "bob", "carl", "dora"]]
        assert listed(60, ("status", "=", "Disabled")) == [["anne"]]
        assert listed(60, ("cognito:user_status", "=", "force_change_password")) == [["bob"]]
        assert listed(60, ("cognito:user_status", "=", "CONFIRMED")) == [
            ["ann", "anne", "carl", "dora"]
        ]
        assert listed(60, ("username", "=", "anne")) == [["anne"]]
        assert listed(60, ("username", "=", "Anne")) == [[]]
        assert listed(60, ("username", "^=", "an")) == [["ann", "anne"]]
        assert listed(60, ("username", "^=", "AN")) == [[]]
        assert listed(60, ("sub", "=", people[3].sub)) == [["carl"]]
        assert listed(60, ("sub", "^=", people[3].sub[:8])) == [["carl"]]
        assert tx.users.count(POOL) == 5
        assert tx.users.count("us-east-1_other") == 0
        assert tx.users.list("us-east-1_other", 60, None).items == []


def test_groups(store: SqlStore) -> None:
    with store.write() as tx:
        tx.pools.add(pool())
        for name in ("admins", "editors", "viewers"):
            assert tx.groups.add(Group(POOL, name, 1.0, 1.0, f"{name}!", None, 1))
        assert not tx.groups.add(Group(POOL, "admins", 5.0, 5.0))
        assert tx.groups.add(Group("us-east-1_other", "admins", 1.0, 1.0))
    with store.write() as tx:
        editors = tx.groups.get(POOL, "editors")
        assert editors == Group(POOL, "editors", 1.0, 1.0, "editors!", None, 1)
        editors.description, editors.role_arn, editors.precedence = None, "arn:aws:iam::1:role/r", 7
        tx.groups.update(editors)
        tx.groups.delete(POOL, "viewers")
    with store.read() as tx:
        assert tx.groups.get(POOL, "editors") == editors
        assert tx.groups.get(POOL, "viewers") is None
        assert tx.groups.get(POOL, "Admins") is None
        pages = walk(lambda after: tx.groups.list(POOL, 1, after))
    assert names(pages, "name") == [["admins"], ["editors"]]


def test_group_membership(store: SqlStore) -> None:
    people = [user(name) for name in ("amy", "ben", "cat")]
    with_users(store, *people)
    amy, ben, cat = people
    with store.write() as tx:
        for name in ("g1", "g2", "g3"):
            tx.groups.add(Group(POOL, name, 1.0, 1.0))
        for sub in (amy.sub, ben.sub, cat.sub):
            tx.groups.add_member(POOL, "g1", sub)
        tx.groups.add_member(POOL, "g1", amy.sub)  # twice is once
        tx.groups.add_member(POOL, "g2", amy.sub)
        tx.groups.add_member(POOL, "g3", amy.sub)
        tx.groups.add_member(POOL, "g3", ben.sub)
        tx.groups.remove_member(POOL, "g3", amy.sub)
        tx.groups.remove_member(POOL, "g3", cat.sub)  # not a member: nothing happens
    with store.read() as tx:
        groups_of = names(walk(lambda a: tx.groups.groups_of(POOL, amy.sub, 1, a)), "name")
        assert groups_of == [["g1"], ["g2"]]
        members = names(walk(lambda a: tx.groups.members(POOL, "g1", 2, a)))  # by sub
        assert [len(page) for page in members] == [2, 1]
        assert sorted(name for page in members for name in page) == ["amy", "ben", "cat"]
        assert names([tx.groups.members(POOL, "g3", 60, None).items]) == [["ben"]]
    with store.write() as tx:
        tx.groups.delete(POOL, "g1")
        tx.groups.add(Group(POOL, "g1", 1.0, 1.0))  # a new group of the same name is empty
    with store.read() as tx:
        assert tx.groups.members(POOL, "g1", 60, None).items == []
        assert [g.name for g in tx.groups.groups_of(POOL, amy.sub, 60, None).items] == ["g2"]


def test_signing_keys(store: SqlStore) -> None:
    keys = [StoredSigningKey(f"kid{n}", POOL, "id", b"\0sealed", "{}", float(n)) for n in (2, 1)]
    with store.write() as tx:
        for key in keys:
            tx.signing_keys.add(key)
    with store.read() as tx:
        assert tx.signing_keys.get("kid2") == keys[0]
        assert tx.signing_keys.get("nope") is None
        assert tx.signing_keys.for_pool(POOL) == keys[::-1]
        assert tx.signing_keys.for_pool("us-east-1_other") == []


def test_refresh_tokens_sessions_and_lockouts(store: SqlStore) -> None:
    def record(n: int, sub: str = "s1", expires: float = 100.0) -> RefreshRecord:
        return RefreshRecord(f"h{n}", f"j{n}", POOL, "c", sub, 1.0, 1.0, expires)

    with store.write() as tx:
        for each in (record(1), record(2), record(3, "s2"), record(4, expires=5.0)):
            tx.refresh_tokens.add(each)
        tx.refresh_tokens.revoke("j1")
        assert not tx.refresh_tokens.mark_rotated("h1", 10.0, 60.0)  # revoked
        assert tx.refresh_tokens.mark_rotated("h2", 10.0, 0.0)
        assert not tx.refresh_tokens.mark_rotated("h2", 10.0, 0.0)  # once, without grace
        assert tx.refresh_tokens.mark_rotated("h3", 10.0, 5.0)
        assert tx.refresh_tokens.mark_rotated("h3", 14.5, 5.0)  # within the grace period
        assert not tx.refresh_tokens.mark_rotated("h3", 15.0, 5.0)  # the first time stays
        tx.refresh_tokens.purge_expired(50.0)
        assert tx.session_markers.consume("sid1", 60.0)
        assert not tx.session_markers.consume("sid1", 60.0)
        assert tx.session_markers.consume("sid2", 10.0)
        tx.session_markers.purge_expired(50.0)
        tx.lockouts.save(POOL, "s1", Lockout(3, 4.0, 5.0))
        tx.lockouts.save(POOL, "s1", Lockout(4, 6.0, 7.0))
        tx.lockouts.save(POOL, "s2", Lockout(1, 1.0, 1.0))
        tx.lockouts.clear("s2")
        tx.lockouts.save(POOL, "s3", Lockout(1, 3.0, 3.0))
        tx.lockouts.purge_forgotten(5.0)
    with store.write() as tx:
        assert tx.refresh_tokens.get("h1") == replace(record(1), revoked=True)
        assert tx.refresh_tokens.get_by_jti("j2").rotated_at == 10.0  # type: ignore[union-attr]
        assert tx.refresh_tokens.get("h4") is None
        tx.refresh_tokens.revoke_user(POOL, "s2")
        assert tx.refresh_tokens.get("h3").revoked  # type: ignore[union-attr]
        assert not tx.refresh_tokens.get("h2").revoked  # type: ignore[union-attr]
        assert tx.session_markers.consume("sid2", 60.0)  # purged, so usable again
        assert not tx.session_markers.consume("sid1", 60.0)
        assert tx.lockouts.get("s1") == Lockout(4, 6.0, 7.0)
        assert tx.lockouts.get("s2") is None
        assert tx.lockouts.get("s3") is None
        assert tx.refresh_tokens.get("h3").rotated_at == 10.0  # type: ignore[union-attr]


def test_codes_and_outbox(store: SqlStore) -> None:
    code = StoredCode(POOL, "s1", "sign-up", "hash", 100.0, 0, 1.0)

    def message(username: str, pool_id: str = POOL) -> Message:
        return Message(
            pool_id, username, Medium.EMAIL, f"{username}@x", "Hi", "body", "p", SIGN_UP, "1"
        )

    with store.write() as tx:
        tx.codes.put(code)
        tx.codes.put(replace(code, code_hash="newer"))  # replaces the first
        tx.codes.put(replace(code, purpose="verify:email", expires=5.0))
        tx.codes.put(replace(code, purpose="other"))
        tx.codes.count_failure("s1", "sign-up")
        tx.codes.count_failure("s1", "sign-up")
        tx.codes.purge_expired(50.0)
        tx.codes.delete("s1", "other")
        ids = [tx.outbox.add(message(name), 7.0) for name in ("ann", "bob", "ann")]
        tx.outbox.add(message("ann", "us-east-1_other"), 8.0)
    with store.read() as tx:
        assert tx.codes.get("s1", "sign-up") == replace(code, code_hash="newer", attempts=2)
        assert tx.codes.get("s1", "verify:email") is None
        assert tx.codes.get("s1", "other") is None
        anns = tx.outbox.list(POOL, "ann", 0, 60)
        assert [(e.id, e.created, e.message) for e in anns] == [
            (ids[0], 7.0, message("ann")),
            (ids[2], 7.0, message("ann")),
        ]
        assert [e.id for e in tx.outbox.list(POOL, None, ids[0], 1)] == [ids[1]]
        assert len(tx.outbox.list(None, "ann", 0, 60)) == 3


def test_deleting_a_pool_deletes_everything_in_it(store: SqlStore) -> None:
    gone, kept = "us-east-1_gone", "us-east-1_kept"
    for pool_id in (gone, kept):
        member = user("same-name", pool_id, email="same@example.com")
        with_users(store, member)
        with store.write() as tx:
            tx.clients.add(AppClient(f"client-{pool_id}", pool_id, "app", None, 1.0, 1.0))
            tx.groups.add(Group(pool_id, "group", 1.0, 1.0))
            tx.groups.add_member(pool_id, "group", member.sub)
            tx.signing_keys.add(StoredSigningKey(f"kid-{pool_id}", pool_id, "id", b"k", "{}", 1))
            refresh = RefreshRecord(
                f"h-{pool_id}", f"j-{pool_id}", pool_id, "c", member.sub, 1, 1, 9
            )
            tx.refresh_tokens.add(refresh)
            tx.lockouts.save(pool_id, member.sub, Lockout(1, 1.0, 1.0))
            tx.codes.put(StoredCode(pool_id, member.sub, "sign-up", "h", 9.0, 0, 1.0))
            sms = Message(pool_id, "same-name", Medium.SMS, "+1", None, "b", "p", SIGN_UP)
            tx.outbox.add(sms, 1.0)
    kept_before = rows_per_table(store, kept)
    with store.write() as tx:
        tx.pools.delete(gone)
    with store.read() as tx:
        assert tx.pools.get(gone) is None
        assert tx.pools.get(kept) is not None
    assert set(rows_per_table(store, gone).values()) == {0}
    assert rows_per_table(store, kept) == kept_before


def rows_per_table(store: SqlStore, pool_id: str) -> dict[str, int]:
    """Rows of `pool_id` in every table that has a pool_id column."""
    counts = {}
    with store.engine.connect() as connection:
        for table in (t for t in metadata.sorted_tables if "pool_id" in t.c):
            query = text(f"SELECT count(*) FROM {table.name} WHERE pool_id = :p")
            counts[table.name] = connection.execute(query, {"p": pool_id}).scalar_one()
    return counts


def test_a_failed_write_leaves_nothing_behind(store: SqlStore) -> None:
    existing = user("existing", email="old@example.com")
    with_users(store, existing)
    with pytest.raises(RuntimeError, match="abandoned"), store.write() as tx:
        tx.pools.add(pool("us-east-1_half"))
        tx.users.add(user("new", "us-east-1_half", email="x@example.com"), "new", {"email": "k"})
        assert tx.users.add(user("existing"), "existing", {}) is None  # a savepoint rolled back
        tx.groups.add(Group(POOL, "g", 1.0, 1.0))
        tx.groups.add_member(POOL, "g", existing.sub)
        changed = tx.users.get(POOL, "existing")
        changed.attributes["email"] = "changed@example.com"  # type: ignore[union-attr]
        tx.users.update(changed, {"email": "changed"})  # type: ignore[arg-type]
        tx.pools.delete(POOL)
        raise RuntimeError("abandoned")
    with store.read() as tx:
        assert tx.pools.get("us-east-1_half") is None
        assert tx.users.count("us-east-1_half") == 0
        assert tx.users.get(POOL, "existing") == existing
        found = tx.users.list(POOL, 60, None, ("email", "=", "old@example.com")).items
        assert found == [existing]
        assert tx.users.holder(POOL, "email", "changed") is None
        assert tx.users.holder("us-east-1_half", "email", "k") is None
        assert tx.groups.get(POOL, "g") is None


def test_an_authorization_code_is_taken_once(store: SqlStore) -> None:
    code = AuthorizationCode(
        "hash-1",
        POOL,
        "client",
        "sub",
        "https://app/cb",
        ("openid",),
        b"sealed",
        100.0,
        "c",
        "S256",
    )
    with store.write() as tx:
        tx.pools.add(pool())
        tx.authorization_codes.add(code)
    with store.write() as tx:
        assert tx.authorization_codes.take("hash-1") == code
        assert tx.authorization_codes.take("hash-1") is None
