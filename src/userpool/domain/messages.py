"""Codes sent to users and the messages that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Medium(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


@dataclass(frozen=True)
class StoredCode:
    """A one-time code, kept as a keyed hash, for one purpose of one user."""

    pool_id: str
    sub: str
    purpose: str  # e.g. "sign-up", "forgot-password", "verify:email", "mfa:<session id>"
    code_hash: str
    expires: float
    attempts: int
    created: float


@dataclass(frozen=True)
class Message:
    """One email or text message to a user; `code` is kept for the outbox (dev use)."""

    pool_id: str
    username: str
    medium: Medium
    destination: str
    subject: str | None
    body: str
    purpose: str
    code: str | None = None


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    created: float
    message: Message
