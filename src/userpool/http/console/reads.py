"""What the console shows, read from the store in one read transaction per page. Nothing here
writes; secrets (password verifiers, client secrets, TOTP secrets, private keys) are never
read into a view."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.domain.auth_events import AuthEvent
from userpool.domain.auth_records import Device
from userpool.domain.errors import ResourceNotFoundException
from userpool.domain.messages import OutboxEntry
from userpool.domain.models import AppClient, Group, User, UserPool
from userpool.domain.pool_domains import PoolDomain
from userpool.storage.repositories import FilterOp, Store, Transaction
from userpool.tokens.keys import KeyRing
from userpool.tokens.rotation import KeyState, key_states

PAGE = 50  # rows a listing shows at once
POOLS_SEARCHED = 5000  # a search by name reads at most this many pools
GROUPS_SHOWN = 100
DEVICES_SHOWN = 60
EVENTS_SHOWN = 20


@dataclass(frozen=True)
class PoolRow:
    pool: UserPool
    users: int


@dataclass(frozen=True)
class PoolsPage:
    rows: list[PoolRow]
    next_key: str | None


@dataclass(frozen=True)
class PoolView:
    pool: UserPool
    users: int
    clients: list[AppClient]
    groups: list[Group]
    more_groups: bool
    domains: list[PoolDomain]


@dataclass(frozen=True)
class UsersPage:
    pool: UserPool
    users: list[User]
    next_key: str | None


@dataclass(frozen=True)
class UserView:
    pool: UserPool
    user: User
    groups: list[str]
    devices: list[Device]
    passkeys: int
    events: list[AuthEvent]


@dataclass(frozen=True)
class KeyView:
    state: KeyState
    signing: bool  # the key that signs this use's tokens now


def pools(store: Store, after: str | None) -> PoolsPage:
    with store.read() as tx:
        page = tx.pools.list(PAGE, after)
        rows = [PoolRow(pool, tx.users.count(pool.id)) for pool in page.items]
    return PoolsPage(rows, page.next_key)


def find_pools(store: Store, text: str) -> list[PoolRow]:
    """The pools whose id is `text`, or whose name or id holds it (any case), by id."""
    wanted = text.strip().lower()
    found: list[UserPool] = []
    with store.read() as tx:
        exact = tx.pools.get(text.strip())
        if exact is not None:
            return [PoolRow(exact, tx.users.count(exact.id))]
        after, read = None, 0
        while read < POOLS_SEARCHED and len(found) < PAGE:
            page = tx.pools.list(PAGE, after)
            read += len(page.items)
            found += [p for p in page.items if wanted in p.name.lower() or wanted in p.id.lower()]
            after = page.next_key
            if after is None:
                break
        return [PoolRow(pool, tx.users.count(pool.id)) for pool in found[:PAGE]]


def _all_clients(tx: Transaction, pool_id: str) -> list[AppClient]:
    clients, after = [], None
    while True:
        page = tx.clients.list(pool_id, PAGE, after)
        clients += page.items
        after = page.next_key
        if after is None:
            return clients


def pool(store: Store, pool_id: str) -> PoolView | None:
    with store.read() as tx:
        found = tx.pools.get(pool_id)
        if found is None:
            return None
        groups = tx.groups.list(pool_id, GROUPS_SHOWN, None)
        return PoolView(
            pool=found,
            users=tx.users.count(pool_id),
            clients=_all_clients(tx, pool_id),
            groups=groups.items,
            more_groups=groups.next_key is not None,
            domains=tx.domains.of_pool(pool_id),
        )


def users(store: Store, pool_id: str, after: str | None) -> UsersPage | None:
    with store.read() as tx:
        found = tx.pools.get(pool_id)
        if found is None:
            return None
        page = tx.users.list(pool_id, PAGE, after)
    return UsersPage(found, page.items, page.next_key)


def find_users(store: Store, pool_id: str, text: str) -> UsersPage | None:
    """The pool's users whose sub is `text`, whose username is it (as the pool compares
    usernames), or whose username or email starts with it; by username."""
    wanted = text.strip()
    with store.read() as tx:
        found = tx.pools.get(pool_id)
        if found is None:
            return None
        matches: dict[str, User] = {}
        exact = tx.users.get(pool_id, found.username_key(wanted)) if wanted else None
        if exact is not None:
            matches[exact.sub] = exact
        searches: list[tuple[str, FilterOp, str]] = [
            ("sub", "=", wanted),
            ("username", "^=", wanted),
            ("email", "^=", wanted),
        ]
        for where in searches if wanted else []:
            for user in tx.users.list(pool_id, PAGE, None, where).items:
                matches.setdefault(user.sub, user)
    ordered = sorted(matches.values(), key=lambda user: found.username_key(user.username))
    return UsersPage(found, ordered[:PAGE], None)


def user(store: Store, pool_id: str, sub: str) -> UserView | None:
    with store.read() as tx:
        found_pool = tx.pools.get(pool_id)
        found = tx.users.get_by_sub(pool_id, sub) if found_pool else None
        if found_pool is None or found is None:
            return None
        return UserView(
            pool=found_pool,
            user=found,
            groups=list(tx.groups.names_of(pool_id, sub)),
            devices=tx.devices.list(pool_id, sub, DEVICES_SHOWN, None).items,
            passkeys=tx.passkeys.count(pool_id, sub),
            events=tx.auth_events.of_user(pool_id, sub, EVENTS_SHOWN, None),
        )


def outbox(
    store: Store, pool_id: str | None, username: str | None, before: int | None
) -> list[OutboxEntry]:
    """A page of the outbox, newest first."""
    with store.read() as tx:
        return tx.outbox.newest(pool_id, username, before, PAGE)


def keys(
    store: Store, ring: KeyRing, pool_id: str, now: float
) -> tuple[UserPool, list[KeyView]] | None:
    """The pool and its keys in its JWKS now, oldest first, and which of them sign."""
    with store.read() as tx:
        found = tx.pools.get(pool_id)
    if found is None:
        return None
    live = ring.for_pool(pool_id, fresh=True)  # as stored now, as the JWKS endpoint reads
    signing = {kid for kid, _ in live.signing.values()} if live else set()
    try:
        states = key_states(store, pool_id, now)
    except ResourceNotFoundException:  # deleted in between
        return None
    return found, [KeyView(state, state.kid in signing) for state in states]
