"""One-time codes and the outbox on SQL."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, insert, select, update

from userpool.domain.messages import Medium, Message, MessagePurpose, OutboxEntry, StoredCode
from userpool.storage.database import insert_for
from userpool.storage.schema import codes, outbox


class SqlCodes:
    def __init__(self, connection: Connection, *, locking: bool = False) -> None:
        self._db = connection
        self._locking = locking

    def put(self, code: StoredCode) -> None:
        """Store `code`, replacing an earlier one of the same user and purpose."""
        values = asdict(code)
        statement = insert_for(self._db, codes).values(**values)
        self._db.execute(
            statement.on_conflict_do_update(index_elements=["sub", "purpose"], set_=values)
        )

    def get(self, sub: str, purpose: str) -> StoredCode | None:
        query = select(codes).where(codes.c.sub == sub, codes.c.purpose == purpose)
        row = self._db.execute(query.with_for_update() if self._locking else query).first()
        return StoredCode(**row._asdict()) if row else None

    def count_failure(self, sub: str, purpose: str) -> None:
        self._db.execute(
            update(codes)
            .where(codes.c.sub == sub, codes.c.purpose == purpose)
            .values(attempts=codes.c.attempts + 1)
        )

    def delete(self, sub: str, purpose: str) -> None:
        self._db.execute(delete(codes).where(codes.c.sub == sub, codes.c.purpose == purpose))

    def purge_expired(self, now: float) -> None:
        self._db.execute(delete(codes).where(codes.c.expires < now))


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, message: Message, now: float) -> int:
        values = asdict(message)
        values["medium"] = message.medium.value
        values["sent_for"] = message.sent_for.value
        result = self._db.execute(insert(outbox).values(**values, created=now))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def newest(
        self, pool_id: str | None, username: str | None, before_id: int | None, limit: int
    ) -> list[OutboxEntry]:
        query = _of(select(outbox), pool_id, username)
        if before_id is not None:
            query = query.where(outbox.c.id < before_id)
        rows = self._db.execute(query.order_by(outbox.c.id.desc()).limit(limit)).all()
        return [_entry(row) for row in rows]

    def list(
        self, pool_id: str | None, username: str | None, after_id: int, limit: int
    ) -> list[OutboxEntry]:
        query = _of(select(outbox).where(outbox.c.id > after_id), pool_id, username)
        rows = self._db.execute(query.order_by(outbox.c.id).limit(limit)).all()
        return [_entry(row) for row in rows]


def _of(query: Select[Any], pool_id: str | None, username: str | None) -> Select[Any]:
    if pool_id is not None:
        query = query.where(outbox.c.pool_id == pool_id)
    if username is not None:
        query = query.where(outbox.c.username == username)
    return query


def _entry(row: Row[Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        created=row.created,
        message=Message(
            pool_id=row.pool_id,
            username=row.username,
            medium=Medium(row.medium),
            destination=row.destination,
            subject=row.subject,
            body=row.body,
            purpose=row.purpose,
            sent_for=MessagePurpose(row.sent_for),
            code=row.code,
        ),
    )
