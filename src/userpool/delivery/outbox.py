"""The `outbox` backend: every message is stored, code included, for tests and development
to read back (`userpool outbox`, `GET /_userpool/outbox` with `--dev-endpoints`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from userpool.delivery import DeliveryError, EmailSettings
from userpool.domain.messages import Message, OutboxEntry
from userpool.storage.repositories import Store

PAGE = 1000  # entries per read: the HTTP endpoint's most per response


class OutboxBackend:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock

    def rehearse(self, message: Message) -> None:
        """Nothing: a message to the outbox cannot be rehearsed without sending it."""

    def deliver(self, message: Message, email: EmailSettings) -> None:
        try:
            with self._store.write() as tx:
                tx.outbox.add(message, self._clock())
        except SQLAlchemyError as error:
            raise DeliveryError(f"cannot store the message: {error}") from error


def as_json(entry: OutboxEntry) -> dict[str, Any]:
    message = entry.message
    return {
        "id": entry.id,
        "created": entry.created,
        "poolId": message.pool_id,
        "username": message.username,
        "medium": message.medium.value,
        "destination": message.destination,
        "subject": message.subject,
        "body": message.body,
        "purpose": message.purpose,
        "sentFor": message.sent_for.value,
        "code": message.code,
    }


def describe(entry: OutboxEntry) -> str:
    """A heading line, then the subject and body indented."""
    message = entry.message
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.created))
    code = f"  code {message.code}" if message.code else ""
    lines = [
        f"#{entry.id} {when}Z {message.pool_id} {message.username} {message.medium.value} "
        f"{message.destination} {message.purpose}{code}"
    ]
    if message.subject:
        lines.append(f"    Subject: {message.subject}")
    lines += [f"    {line}" for line in message.body.splitlines()]
    return "\n".join(lines)
