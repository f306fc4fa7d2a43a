"""User pool domains on SQL (repositories.DomainRepository).

The table is defined here rather than in schema.py: only this module reads or writes it (and
the pool's deletion, which imports it). Migration 0009 creates it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from userpool.domain.pool_domains import DomainKind, PoolDomain
from userpool.storage.prepared import Prepared
from userpool.storage.schema import metadata

# The name is the primary key: one pool serves it on the whole server. (pool_id, kind) is
# unique: a pool has one prefix domain and one custom domain at most.
domains = Table(
    "domains",
    metadata,
    Column("domain", String(253), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("certificate_arn", String(2048)),
    Column("cloudfront_domain", String(255), nullable=False),
    Column("s3_bucket", String(1024)),
    Column("version", String(20), nullable=False),
    Column("managed_login_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    UniqueConstraint("pool_id", "kind", name="uq_domains_pool_kind"),
)

# Every request that reaches the server through a domain names it: a prepared lookup.
_DOMAIN = Prepared(select(domains).where(domains.c.domain == bindparam("domain")))


def _domain(row: Any) -> PoolDomain:
    values = row._asdict()
    values["kind"] = DomainKind(values["kind"])
    return PoolDomain(**values)


def _theirs(pool_id: str, name: str) -> Any:
    return (domains.c.domain == name) & (domains.c.pool_id == pool_id)


class SqlDomains:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, domain: PoolDomain) -> bool:
        # A savepoint, so that a refused name leaves the transaction usable. On PostgreSQL a
        # second insert of one name waits for the first transaction and then fails.
        try:
            with self._db.begin_nested():
                self._db.execute(domains.insert().values(**asdict(domain)))
        except IntegrityError:
            return False
        return True

    def get(self, name: str) -> PoolDomain | None:
        row = _DOMAIN.first(self._db, {"domain": name})
        return _domain(row) if row else None

    def of_pool(self, pool_id: str) -> list[PoolDomain]:
        query = select(domains).where(domains.c.pool_id == pool_id).order_by(domains.c.kind)
        return [_domain(row) for row in self._db.execute(query).all()]

    def update(
        self, pool_id: str, name: str, version: int, certificate_arn: str | None, at: float
    ) -> PoolDomain | None:
        values: dict[str, Any] = {"managed_login_version": version, "modified": at}
        if certificate_arn is not None:
            values["certificate_arn"] = certificate_arn
        statement = (
            update(domains)
            .where(_theirs(pool_id, name))
            .values(**values)
            .returning(*domains.columns)
        )
        row = self._db.execute(statement).first()
        return _domain(row) if row else None

    def remove(self, pool_id: str, name: str) -> bool:
        return self._db.execute(delete(domains).where(_theirs(pool_id, name))).rowcount == 1

    def remove_pool(self, pool_id: str) -> None:
        self._db.execute(delete(domains).where(domains.c.pool_id == pool_id))
