"""Resource servers on SQL (repositories.ResourceServerRepository).

The table is declared here, with the others' metadata, rather than in schema.py: it is used
nowhere else. Scopes are one JSON list per server (ResourceServerScopeType entries, in the
order given): they are only ever read and written whole.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Column, Connection, String, Table, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.models import Page
from userpool.domain.resource_server_rules import ResourceServer
from userpool.storage.schema import metadata

resource_servers = Table(
    "resource_servers",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("identifier", String(256), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("scopes", Text, nullable=False),
)


def _server(row: Any) -> ResourceServer:
    return ResourceServer(row.pool_id, row.identifier, row.name, orjson.loads(row.scopes))


def _key(pool_id: str, identifier: str) -> Any:
    return (resource_servers.c.pool_id == pool_id) & (resource_servers.c.identifier == identifier)


class SqlResourceServers:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, server: ResourceServer) -> bool:
        # A savepoint, so that an identifier already taken leaves the transaction usable.
        try:
            with self._db.begin_nested():
                self._db.execute(
                    resource_servers.insert().values(
                        pool_id=server.pool_id,
                        identifier=server.identifier,
                        name=server.name,
                        scopes=orjson.dumps(server.scopes).decode(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def get(self, pool_id: str, identifier: str) -> ResourceServer | None:
        return self._get(pool_id, identifier, lock=False)

    def get_for_update(self, pool_id: str, identifier: str) -> ResourceServer | None:
        return self._get(pool_id, identifier, lock=True)

    def _get(self, pool_id: str, identifier: str, *, lock: bool) -> ResourceServer | None:
        query = select(resource_servers).where(_key(pool_id, identifier))
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return _server(row) if row else None

    def of_pool(self, pool_id: str) -> list[ResourceServer]:
        query = select(resource_servers).where(resource_servers.c.pool_id == pool_id)
        rows = self._db.execute(query.order_by(resource_servers.c.identifier)).all()
        return [_server(row) for row in rows]

    def count(self, pool_id: str) -> int:
        query = select(func.count()).where(resource_servers.c.pool_id == pool_id)
        return int(self._db.execute(query).scalar_one())

    def update(self, server: ResourceServer) -> bool:
        values = {"name": server.name, "scopes": orjson.dumps(server.scopes).decode()}
        statement = update(resource_servers).where(_key(server.pool_id, server.identifier))
        return self._db.execute(statement.values(**values)).rowcount == 1

    def delete(self, pool_id: str, identifier: str) -> bool:
        statement = delete(resource_servers).where(_key(pool_id, identifier))
        return self._db.execute(statement).rowcount == 1

    def list(self, pool_id: str, limit: int, after: str | None) -> Page:
        query = select(resource_servers).where(resource_servers.c.pool_id == pool_id)
        if after is not None:
            query = query.where(resource_servers.c.identifier > after)
        rows = self._db.execute(
            query.order_by(resource_servers.c.identifier).limit(limit + 1)
        ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([_server(row) for row in rows], rows[-1].identifier if more else None)
