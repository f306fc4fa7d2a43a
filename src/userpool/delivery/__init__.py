"""Code delivery behind one small interface: a `Sender` takes a `Message` and delivers it,
or raises `DeliveryError`. Backends: console, outbox, smtp, aws (SNS/SES); `router.Router`
picks one per message (the pool's `userpool:delivery` tag, else the server's default).

Call `send` after the transaction that issued the code has committed: the outbox backend
writes in a transaction of its own (on SQLite, one opened inside another writer's would wait
for it), and no backend should hold a writer's lock while it talks to a mail server."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from userpool.domain.errors import CodeDeliveryFailureException
from userpool.domain.messages import Medium, Message

NAMES = ("console", "outbox", "smtp", "aws")
COGNITO_FROM = "no-reply@verificationemail.com"  # Cognito's sender when a pool sets none
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def is_html(body: str) -> bool:
    """Whether an email body carries HTML tags (Cognito's templates may), so is sent as HTML."""
    return _TAG.search(body) is not None


class DeliveryError(Exception):
    """The message could not be delivered; the caller turns this into Cognito's error."""


class Sender(Protocol):
    def send(self, message: Message) -> None: ...
    def rehearse(self, message: Message) -> None:
        """Everything `send` does before a backend delivers (choosing it, refusing when none
        fits), for a message that goes nowhere: a missing user's stand-in goes this far, so
        that its request costs what a real one does short of the delivery itself."""
        ...


@dataclass(frozen=True)
class EmailSettings:
    """The parts of a pool's `EmailConfiguration` that the email backends use."""

    from_address: str | None = None
    reply_to: str | None = None
    source_arn: str | None = None
    configuration_set: str | None = None

    @classmethod
    def of(cls, pool_settings: Mapping[str, Any]) -> EmailSettings:
        config = pool_settings.get("EmailConfiguration") or {}
        return cls(
            config.get("From"),
            config.get("ReplyToEmailAddress"),
            config.get("SourceArn"),
            config.get("ConfigurationSet"),
        )

    def sender(self, default: str) -> str:
        """`From`, else the address of the SES identity in `SourceArn`, else `default`."""
        if self.from_address:
            return self.from_address
        identity = (self.source_arn or "").rpartition("identity/")[2]
        return identity if "@" in identity else default


UNDELIVERED = {
    Medium.EMAIL: "Invalid email provided/Unable to send the email",
    Medium.SMS: "Invalid phone number provided/Unable to send the message.",
}


def deliver_or_fail(sender: Sender, message: Message, *, rehearsal: bool = False) -> None:
    """Send (or only rehearse) `message`; a failure becomes Cognito's
    `CodeDeliveryFailureException`."""
    try:
        (sender.rehearse if rehearsal else sender.send)(message)
    except DeliveryError as error:  # the sender has logged why
        raise CodeDeliveryFailureException(UNDELIVERED[message.medium]) from error


def mask(medium: Medium, destination: str) -> str:
    """A destination as Cognito shows it: `j***@e***`, `+*******1234`."""
    if medium is Medium.EMAIL:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return destination[:1] + "*" * max(len(destination) - 5, 0) + destination[-4:]


class Backend(Protocol):
    def deliver(self, message: Message, email: EmailSettings) -> None: ...
    def rehearse(self, message: Message) -> None:
        """What the backend does for a message that goes nowhere (a missing user's
        stand-in, see `Sender.rehearse`): only a backend whose delivery is local work
        (console) can do its like; one that talks to a server cannot, and does nothing."""
        ...
