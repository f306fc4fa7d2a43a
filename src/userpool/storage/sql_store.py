"""The SQL store: pools, app clients and groups, and the transaction that groups them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.models import AppClient, Group, Page, UserPool
from userpool.storage.client_secrets import PLAIN, ClientSecrets
from userpool.storage.database import WRITE_OPTION, insert_for
from userpool.storage.kept_connections import KeptConnections
from userpool.storage.prepared import Prepared
from userpool.storage.schema import (
    clients,
    codes,
    devices,
    group_members,
    groups,
    outbox,
    passkey_challenges,
    passkeys,
    pools,
    refresh_tokens,
    sign_in_failures,
    sign_in_names,
    sign_in_states,
    signing_keys,
    user_search,
    users,
)
from userpool.storage.sql_auth import (
    SqlLockouts,
    SqlRefreshTokens,
    SqlSessionMarkers,
    SqlSigningKeys,
    SqlSignInStates,
)
from userpool.storage.sql_auth_events import SqlAuthEvents, auth_events
from userpool.storage.sql_authorization_codes import SqlAuthorizationCodes, authorization_codes
from userpool.storage.sql_devices import SqlDevices
from userpool.storage.sql_domains import SqlDomains
from userpool.storage.sql_import_jobs import IMPORT_TABLES, SqlImportJobs
from userpool.storage.sql_messages import SqlCodes, SqlOutbox
from userpool.storage.sql_passkeys import SqlPasskeys
from userpool.storage.sql_resource_servers import SqlResourceServers, resource_servers
from userpool.storage.sql_user_batches import SqlUserBatches
from userpool.storage.sql_users import SqlUsers, user_from_row
from userpool.storage.writer_lock import writer_lock_for

_POOL = Prepared(select(pools).where(pools.c.id == bindparam("id")))
_CLIENT = Prepared(select(clients).where(clients.c.id == bindparam("id")))
_POOL_LOCKED = Prepared(select(pools).where(pools.c.id == bindparam("id")).with_for_update())
_CLIENT_LOCKED = Prepared(select(clients).where(clients.c.id == bindparam("id")).with_for_update())
_GROUP_NAMES = Prepared(
    select(group_members.c.group_name)
    .where(group_members.c.pool_id == bindparam("pool_id"), group_members.c.sub == bindparam("sub"))
    .order_by(group_members.c.group_name)
)


def _page(rows: Sequence[Any], limit: int, key: str, convert: Any) -> Page:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([convert(r) for r in rows], getattr(rows[-1], key) if more else None)


def _pool(row: Any) -> UserPool:
    return UserPool(row.id, row.name, row.created, row.modified, orjson.loads(row.settings))


def _client(row: Any, secrets: ClientSecrets) -> AppClient:
    return AppClient(
        row.id,
        row.pool_id,
        row.name,
        secrets.open(row.id, row.secret),
        row.created,
        row.modified,
        orjson.loads(row.settings),
    )


def _group(row: Any) -> Group:
    return Group(
        row.pool_id,
        row.name,
        row.created,
        row.modified,
        row.description,
        row.role_arn,
        row.precedence,
    )


class SqlPools:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, pool: UserPool) -> None:
        self._db.execute(insert(pools).values(**self._values(pool), id=pool.id))

    def get(self, pool_id: str) -> UserPool | None:
        row = _POOL.first(self._db, {"id": pool_id})
        return _pool(row) if row else None

    def get_for_update(self, pool_id: str) -> UserPool | None:
        row = _POOL_LOCKED.first(self._db, {"id": pool_id})
        return _pool(row) if row else None

    def update(self, pool: UserPool) -> None:
        self._db.execute(update(pools).where(pools.c.id == pool.id).values(**self._values(pool)))

    def delete(self, pool_id: str) -> None:
        for table in (
            group_members,
            groups,
            user_search,
            sign_in_names,
            users,
            clients,
            resource_servers,
            authorization_codes,
            signing_keys,
            refresh_tokens,
            devices,
            passkeys,
            passkey_challenges,
            sign_in_failures,
            sign_in_states,
            codes,
            outbox,
            auth_events,
            *IMPORT_TABLES,
        ):
            self._db.execute(delete(table).where(table.c.pool_id == pool_id))
        self._db.execute(delete(pools).where(pools.c.id == pool_id))
        # After the pool's row: a CreateUserPoolDomain holding that row commits its domain
        # before this DELETE goes on, and this statement, run after it, sees that domain.
        SqlDomains(self._db).remove_pool(pool_id)

    def list(self, limit: int, after: str | None) -> Page:
        query = select(pools).order_by(pools.c.id).limit(limit + 1)
        if after is not None:
            query = query.where(pools.c.id > after)
        return _page(self._db.execute(query).all(), limit, "id", _pool)

    @staticmethod
    def _values(pool: UserPool) -> dict[str, Any]:
        return {
            "name": pool.name,
            "created": pool.created,
            "modified": pool.modified,
            "settings": orjson.dumps(pool.settings).decode(),
        }


class SqlClients:
    def __init__(self, connection: Connection, secrets: ClientSecrets = PLAIN) -> None:
        self._db = connection
        self._secrets = secrets

    def add(self, client: AppClient) -> None:
        self._db.execute(insert(clients).values(**self._values(client), id=client.id))

    def get(self, client_id: str) -> AppClient | None:
        row = _CLIENT.first(self._db, {"id": client_id})
        return _client(row, self._secrets) if row else None

    def get_for_update(self, client_id: str) -> AppClient | None:
        row = _CLIENT_LOCKED.first(self._db, {"id": client_id})
        return _client(row, self._secrets) if row else None

    def update(self, client: AppClient) -> None:
        self._db.execute(
            update(clients).where(clients.c.id == client.id).values(**self._values(client))
        )

    def delete(self, client_id: str) -> None:
        self._db.execute(delete(clients).where(clients.c.id == client_id))

    def list(self, pool_id: str, limit: int, after: str | None) -> Page:
        query = select(clients).where(clients.c.pool_id == pool_id)
        if after is not None:
            query = query.where(clients.c.id > after)
        rows = self._db.execute(query.order_by(clients.c.id).limit(limit + 1)).all()
        return _page(rows, limit, "id", lambda row: _client(row, self._secrets))

    def _values(self, client: AppClient) -> dict[str, Any]:
        return {
            "pool_id": client.pool_id,
            "name": client.name,
            "secret": self._secrets.seal(client.id, client.secret),
            "created": client.created,
            "modified": client.modified,
            "settings": orjson.dumps(client.settings).decode(),
        }


class SqlGroups:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, group: Group) -> bool:
        try:
            with self._db.begin_nested():
                self._db.execute(
                    insert(groups).values(
                        pool_id=group.pool_id, name=group.name, **self._values(group)
                    )
                )
        except IntegrityError:
            return False
        return True

    def get(self, pool_id: str, name: str) -> Group | None:
        return self._get(pool_id, name, lock=False)

    def get_for_update(self, pool_id: str, name: str) -> Group | None:
        return self._get(pool_id, name, lock=True)

    def _get(self, pool_id: str, name: str, *, lock: bool) -> Group | None:
        query = select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return _group(row) if row else None

    def update(self, group: Group) -> None:
        self._db.execute(
            update(groups)
            .where(groups.c.pool_id == group.pool_id, groups.c.name == group.name)
            .values(**self._values(group))
        )

    def delete(self, pool_id: str, name: str) -> None:
        self._db.execute(
            delete(group_members).where(
                group_members.c.pool_id == pool_id, group_members.c.group_name == name
            )
        )
        self._db.execute(delete(groups).where(groups.c.pool_id == pool_id, groups.c.name == name))

    def list(self, pool_id: str, limit: int, after: str | None) -> Page:
        query = select(groups).where(groups.c.pool_id == pool_id)
        if after is not None:
            query = query.where(groups.c.name > after)
        rows = self._db.execute(query.order_by(groups.c.name).limit(limit + 1)).all()
        return _page(rows, limit, "name", _group)

    def add_member(self, pool_id: str, name: str, sub: str) -> None:
        member = {"pool_id": pool_id, "group_name": name, "sub": sub}
        statement = insert_for(self._db, group_members).values(**member)
        self._db.execute(statement.on_conflict_do_nothing())

    def remove_member(self, pool_id: str, name: str, sub: str) -> None:
        self._db.execute(
            delete(group_members).where(
                group_members.c.pool_id == pool_id,
                group_members.c.group_name == name,
                group_members.c.sub == sub,
            )
        )

    def names_of(self, pool_id: str, sub: str) -> Sequence[str]:
        rows = _GROUP_NAMES.all(self._db, {"pool_id": pool_id, "sub": sub})
        return [row.group_name for row in rows]

    def groups_of(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page:
        query = (
            select(groups)
            .join(
                group_members,
                (group_members.c.pool_id == groups.c.pool_id)
                & (group_members.c.group_name == groups.c.name),
            )
            .where(group_members.c.sub == sub, groups.c.pool_id == pool_id)
        )
        if after is not None:
            query = query.where(groups.c.name > after)
        rows = self._db.execute(query.order_by(groups.c.name).limit(limit + 1)).all()
        return _page(rows, limit, "name", _group)

    def members(self, pool_id: str, name: str, limit: int, after: str | None) -> Page:
        """By sub, the order of the memberships' key: a page reads as many members as it
        returns, and a token (the last sub) stays valid as members come and go. The page is
        taken from the memberships alone, then joined to the users (a join planned before the
        LIMIT may walk every user: PostgreSQL chose a merge join along the users' key)."""
        member = group_members.c.sub
        query = select(member).where(
            group_members.c.pool_id == pool_id, group_members.c.group_name == name
        )
        if after is not None:
            query = query.where(member > after)
        page = query.order_by(member).limit(limit + 1).subquery()
        found = select(users).join(page, page.c.sub == users.c.sub).order_by(page.c.sub)
        return _page(self._db.execute(found).all(), limit, "sub", user_from_row)

    @staticmethod
    def _values(group: Group) -> dict[str, Any]:
        return {
            "description": group.description,
            "role_arn": group.role_arn,
            "precedence": group.precedence,
            "created": group.created,
            "modified": group.modified,
        }


class SqlTransaction:
    """`writing`: a write transaction, whose reads of users, codes, refresh tokens and
    lockout records hold those rows until commit (see repositories.py)."""

    def __init__(
        self, connection: Connection, *, writing: bool = False, secrets: ClientSecrets = PLAIN
    ) -> None:
        self.pools = SqlPools(connection)
        self.clients = SqlClients(connection, secrets)
        self.resource_servers = SqlResourceServers(connection)
        self.users = SqlUsers(connection, locking=writing)
        self.user_batches = SqlUserBatches(connection)
        self.import_jobs = SqlImportJobs(connection)
        self.groups = SqlGroups(connection)
        self.signing_keys = SqlSigningKeys(connection)
        self.refresh_tokens = SqlRefreshTokens(connection, locking=writing)
        self.devices = SqlDevices(connection)
        self.passkeys = SqlPasskeys(connection)
        self.domains = SqlDomains(connection)
        self.authorization_codes = SqlAuthorizationCodes(connection)
        self.session_markers = SqlSessionMarkers(connection)
        self.sign_in_states = SqlSignInStates(connection)
        self.lockouts = SqlLockouts(connection, locking=writing)
        self.codes = SqlCodes(connection, locking=writing)
        self.outbox = SqlOutbox(connection)
        self.auth_events = SqlAuthEvents(connection)
        self._connection = connection

    def hold_advisory_lock(self, key: int) -> None:
        """Wait for PostgreSQL's advisory lock `key`, then hold it until this transaction
        ends: for work that nodes starting at once must do one after another (a seed file
        applied at start). A write transaction on SQLite holds the whole database already."""
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


class SqlStore:
    """Hands out transactions; everything done in one commits or rolls back together.
    `client_secrets` seals app client secrets at rest (storage/client_secrets.py)."""

    def __init__(self, engine: Engine, client_secrets: ClientSecrets = PLAIN) -> None:
        self.engine = engine
        self._secrets = client_secrets
        # SQLite has one writer at a time: writers queue here rather than in SQLite.
        self._writers = writer_lock_for(engine)
        self._readers: KeptConnections | None = None
        self._writer_connections: KeptConnections | None = None
        if engine.dialect.name == "sqlite":
            self._readers = KeptConnections(engine)
            self._writer_connections = KeptConnections(engine, **{WRITE_OPTION: True})

    def keep_connections_for_this_thread(self) -> None:
        """This thread (the event loop's) runs most transactions: on SQLite it keeps its
        connections open between them."""
        for kept in (self._readers, self._writer_connections):
            if kept is not None:
                kept.keep_for_this_thread()

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        if self._readers is None:
            # PostgreSQL, READ COMMITTED: each statement takes its own snapshot inside a
            # transaction or out of one, so reads run without BEGIN and COMMIT, two round
            # trips of the eleven in a password sign-in (bench/signin.py).
            reader = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with reader as connection, connection.begin():
                yield SqlTransaction(connection, secrets=self._secrets)
            return
        with self._readers.connection() as connection, connection.begin():
            yield SqlTransaction(connection, secrets=self._secrets)

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        if self._writer_connections is None:
            writer = self.engine.connect().execution_options(**{WRITE_OPTION: True})
            with writer as connection, connection.begin():
                yield SqlTransaction(connection, writing=True, secrets=self._secrets)
            return
        with (
            self._writers,
            self._writer_connections.connection() as connection,
            connection.begin(),
        ):
            yield SqlTransaction(connection, writing=True, secrets=self._secrets)
