"""Code delivery behind one small interface: a `Sender` takes a `Message` and delivers it,
or raises `DeliveryError`. Backends: console, outbox, smtp, aws (SNS/SES)."""

from __future__ import annotations

from typing import Protocol

from userpool.domain.messages import Message


class DeliveryError(Exception):
    """The message could not be delivered; the caller turns this into Cognito's error."""


class Sender(Protocol):
    def send(self, message: Message) -> None: ...
