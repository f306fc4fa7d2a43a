"""What the delivery tests share: a message, a store with pools, the pool tag, SMTP servers
(aiosmtpd) that keep what they receive."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import free_port
from userpool.delivery import EmailSettings
from userpool.domain.messages import Medium, Message, MessagePurpose
from userpool.domain.models import UserPool
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

POOL = "eu-west-1_TestPool1"
NO_EMAIL = EmailSettings()


def message(medium: Medium = Medium.EMAIL, pool_id: str = POOL, body: str = "") -> Message:
    by_email = medium == Medium.EMAIL
    return Message(
        pool_id=pool_id,
        username="alice",
        medium=medium,
        destination="alice@example.com" if by_email else "+15555550100",
        subject="Your verification code" if by_email else None,
        body=body or "Your verification code is 123456. ",
        purpose="sign-up",
        sent_for=MessagePurpose.SIGN_UP,
        code="123456",
    )


def new_store(tmp_path: Path) -> SqlStore:
    """A SqlStore on a fresh, migrated SQLite database in `tmp_path`."""
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    return SqlStore(engine)


def add_pool(store: SqlStore, pool_id: str, **settings: Any) -> None:
    with store.write() as tx:
        tx.pools.add(UserPool(pool_id, "p", 0.0, 0.0, settings))


def stored(store: SqlStore) -> list[Message]:
    with store.read() as tx:
        return [entry.message for entry in tx.outbox.list(None, None, 0, 100)]


def tagged(backend: str) -> dict[str, Any]:
    return {"UserPoolTags": {"team": "x", "userpool:delivery": backend}}


class Mailbox:
    """An aiosmtpd handler keeping what it receives; it refuses mail to @bounce.example."""

    def __init__(self) -> None:
        self.received: list[tuple[Envelope, EmailMessage]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@bounce.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, _class=EmailMessage, policy=policy.default)
        self.received.append((envelope, parsed))
        return "250 OK"


class SmtpServers:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self._running: list[Controller] = []

    def start(self, **options: Any) -> int:
        port = free_port()
        controller = Controller(self.mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        self._running.append(controller)
        return port

    def stop(self) -> None:
        for controller in self._running:
            controller.stop()
