"""Codes sent to users and the messages that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Medium(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class MessagePurpose(StrEnum):
    """Why a message is sent: one value per trigger source of Cognito's CustomMessage trigger
    (`CustomMessage_<value>`), which tells SignUp's code from ResendConfirmationCode's."""

    SIGN_UP = "SignUp"
    ADMIN_CREATE_USER = "AdminCreateUser"
    RESEND_CODE = "ResendCode"
    FORGOT_PASSWORD = "ForgotPassword"
    UPDATE_USER_ATTRIBUTE = "UpdateUserAttribute"
    VERIFY_USER_ATTRIBUTE = "VerifyUserAttribute"
    AUTHENTICATION = "Authentication"


class Purpose(NamedTuple):
    """What a code is for: the key it is stored under (one code per user and key:
    "sign-up", "forgot-password", "verify:email", "mfa:<session id>") and why its message
    is sent."""

    key: str
    sent_for: MessagePurpose


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
    """One email or text message to a user: `purpose` is the key of the code it carries,
    `sent_for` why it is sent; `code` is kept for the outbox (dev use)."""

    pool_id: str
    username: str
    medium: Medium
    destination: str
    subject: str | None
    body: str
    purpose: str
    sent_for: MessagePurpose
    code: str | None = None


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    created: float
    message: Message
