"""The `console` backend: each message is a log line, code included (local development)."""

from __future__ import annotations

import logging

from userpool.delivery import EmailSettings
from userpool.domain.messages import Message

log = logging.getLogger("userpool.delivery")


class ConsoleBackend:
    def deliver(self, message: Message, email: EmailSettings) -> None:
        subject = f" [{message.subject}]" if message.subject else ""
        log.warning(
            "%s to %s for %s in %s%s: %s",
            message.medium.value,
            message.destination,
            message.username,
            message.pool_id,
            subject,
            message.body,
        )

    def rehearse(self, message: Message) -> None:
        """A line like a delivery's (a developer asking why no code came sees why)."""
        log.warning(
            "%s to nobody for %s in %s: not sent, no such user (the answer does not say so)",
            message.medium.value,
            message.username,
            message.pool_id,
        )
