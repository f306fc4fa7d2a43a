"""Users' auth events on SQL (repositories.AuthEventRepository).

The table is defined here rather than in schema.py: only this module reads or writes it (and
the deletions of users and pools, which import it). Migration 0014 creates it. A user's
history is read newest first by (created, event_id), which an index holds per user; an
export reads a pool's, or everyone's, oldest first.

A step of a sign-in is one statement: an INSERT that, where an earlier step stored the event,
appends this step's challenges to the stored ones and takes its response instead (ON
CONFLICT DO UPDATE; `challenges` is text that `||` extends), so no step reads the row first.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    String,
    Table,
    Text,
    bindparam,
    delete,
    select,
    tuple_,
    update,
)

from userpool.domain.auth_events import (
    AuthEvent,
    EventResponse,
    EventType,
    Factor,
    Feedback,
    FeedbackProvider,
    FeedbackValue,
)
from userpool.storage.database import insert_for
from userpool.storage.prepared import Prepared
from userpool.storage.schema import metadata

auth_events = Table(
    "auth_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("username", String(256), nullable=False),
    Column("event_type", String(16), nullable=False),
    Column("created", BigInteger, nullable=False),  # µs
    Column("response", String(16), nullable=False),
    Column("challenges", Text, nullable=False),  # "Password:Success;Mfa:Failure;..."
    Column("context", Text, nullable=False),  # JSON: EventContextData
    Column("feedback", Text),  # JSON: [value, provider, date], once given
    Index("ix_auth_events_user", "sub", "pool_id", "created", "event_id"),  # see migration 0022
    Index("ix_auth_events_pool", "pool_id", "created", "event_id"),
    Index("ix_auth_events_created", "created"),  # housekeeping's age limit (migration 0017)
)

Position = tuple[int, str]  # (created, event_id): where a listing goes on from
_RECORD: dict[str, Prepared] = {}  # by dialect: the INSERT ... ON CONFLICT of `record`
_PASSED = {True: "Success", False: "Failure"}
_DROP = Prepared(delete(auth_events).where(auth_events.c.event_id == bindparam("event_id")))


def _event(row: Any) -> AuthEvent:
    feedback = orjson.loads(row.feedback) if row.feedback else None
    return AuthEvent(
        event_id=row.event_id,
        pool_id=row.pool_id,
        sub=row.sub,
        username=row.username,
        type=EventType(row.event_type),
        created=row.created,
        response=EventResponse(row.response),
        challenges=tuple(
            (Factor(name), result == _PASSED[True])
            for name, result in (entry.split(":") for entry in row.challenges.split(";") if entry)
        ),
        context=orjson.loads(row.context),
        feedback=(
            Feedback(FeedbackValue(feedback[0]), FeedbackProvider(feedback[1]), feedback[2])
            if feedback
            else None
        ),
    )


def _challenges(event: AuthEvent) -> str:
    return "".join(f"{factor.value}:{_PASSED[passed]};" for factor, passed in event.challenges)


def _record_statement(connection: Connection) -> Prepared:
    found = _RECORD.get(connection.dialect.name)
    if found is None:
        values: dict[str, Any] = {c.name: bindparam(c.name) for c in auth_events.columns}
        statement = insert_for(connection, auth_events).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[auth_events.c.event_id],
            set_={
                "response": statement.excluded.response,
                "challenges": auth_events.c.challenges + statement.excluded.challenges,
            },
        )
        found = _RECORD[connection.dialect.name] = Prepared(statement)
    return found


class SqlAuthEvents:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def record(self, event: AuthEvent) -> None:
        _record_statement(self._db).run(
            self._db,
            {
                "event_id": event.event_id,
                "pool_id": event.pool_id,
                "sub": event.sub,
                "username": event.username,
                "event_type": event.type.value,
                "created": event.created,
                "response": event.response.value,
                "challenges": _challenges(event),
                "context": orjson.dumps(dict(event.context)).decode(),
                "feedback": None,
            },
        )

    def record_alike(self, event: AuthEvent, *, keep: bool) -> None:
        self.record(event)
        dropped = event.event_id if not keep else str(uuid.uuid4())
        _DROP.run(self._db, {"event_id": dropped})

    def purge_older_than(self, created: int) -> None:
        self._db.execute(delete(auth_events).where(auth_events.c.created < created))

    def set_feedback(self, pool_id: str, sub: str, event_id: str, feedback: Feedback) -> bool:
        given = [feedback.value.value, feedback.provider.value, feedback.date]
        result = self._db.execute(
            update(auth_events)
            .where(
                auth_events.c.event_id == event_id,
                auth_events.c.pool_id == pool_id,
                auth_events.c.sub == sub,
            )
            .values(feedback=orjson.dumps(given).decode())
        )
        return result.rowcount == 1

    def of_user(
        self, pool_id: str, sub: str, limit: int, before: Position | None
    ) -> list[AuthEvent]:
        position = tuple_(auth_events.c.created, auth_events.c.event_id)
        query = select(auth_events).where(
            auth_events.c.pool_id == pool_id, auth_events.c.sub == sub
        )
        if before is not None:
            query = query.where(position < tuple_(*before))
        order = (auth_events.c.created.desc(), auth_events.c.event_id.desc())
        return [_event(row) for row in self._db.execute(query.order_by(*order).limit(limit))]

    def export(
        self, pool_id: str | None, username: str | None, limit: int, after: Position | None
    ) -> list[AuthEvent]:
        query = select(auth_events)
        if pool_id is not None:
            query = query.where(auth_events.c.pool_id == pool_id)
        if username is not None:
            query = query.where(auth_events.c.username == username)
        if after is not None:
            position = tuple_(auth_events.c.created, auth_events.c.event_id)
            query = query.where(position > tuple_(*after))
        order = (auth_events.c.created, auth_events.c.event_id)
        return [_event(row) for row in self._db.execute(query.order_by(*order).limit(limit))]
