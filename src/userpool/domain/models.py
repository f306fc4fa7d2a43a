"""The stored aggregates. No I/O and no wire names beyond Cognito's own setting blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSONDict = dict[str, Any]


class UserStatus(StrEnum):
    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
    RESET_REQUIRED = "RESET_REQUIRED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"


@dataclass
class UserPool:
    """A pool; `settings` holds Cognito's own UserPoolType blocks (policies, schema, ...)."""

    id: str
    name: str
    created: float
    modified: float
    settings: JSONDict = field(default_factory=dict)

    @property
    def region(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def srp_name(self) -> str:
        """The part of the pool id after `_`, as used in Cognito's SRP maths."""
        return self.id.split("_", 1)[1]

    @property
    def case_sensitive(self) -> bool:
        config = self.settings.get("UsernameConfiguration") or {}
        return bool(config.get("CaseSensitive", True))

    @property
    def username_attributes(self) -> list[str]:
        return list(self.settings.get("UsernameAttributes") or [])

    @property
    def alias_attributes(self) -> list[str]:
        return list(self.settings.get("AliasAttributes") or [])

    def username_key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()


@dataclass
class AppClient:
    """An app client; `settings` holds the rest of UserPoolClientType."""

    id: str
    pool_id: str
    name: str
    secret: str | None
    created: float
    modified: float
    settings: JSONDict = field(default_factory=dict)


@dataclass(frozen=True)
class PasswordVerifier:
    """What is kept instead of a password: the SRP salt and verifier (hex)."""

    salt: str
    verifier: str
    set_at: float
    temporary: bool


@dataclass(frozen=True)
class ImportedHash:
    """A password hash that a user import job brought (its PasswordHashingAlgorithm and the
    CSV's password_hash), kept only until the user's first password sign-in replaces it
    with an SRP verifier (accounts/passwords.py)."""

    algorithm: str
    value: str


@dataclass
class User:
    sub: str
    pool_id: str
    username: str
    status: UserStatus
    enabled: bool
    created: float
    modified: float
    attributes: dict[str, str] = field(default_factory=dict)
    password: PasswordVerifier | None = None
    mfa: JSONDict = field(default_factory=dict)
    imported_hash: ImportedHash | None = None  # never beside a `password` (storage drops it)


@dataclass
class Group:
    pool_id: str
    name: str
    created: float
    modified: float
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing and the key to continue after it, if any."""

    items: list[Any]
    next_key: str | None
