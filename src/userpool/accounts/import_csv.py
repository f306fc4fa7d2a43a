"""The user import CSV, as the Developer Guide's "Creating the user import CSV file" defines it:
the header GetCSVHeader gives, and each row made into a user or refused with the reason the
job's log gives for it.

A row is a line: values are not quoted, a comma inside one is written `\\,`, and whitespace
around a value is trimmed; an empty value sets nothing. The columns may come in any order and
a file may leave out any but `cognito:username` (the guide's own example with password hashes
leaves most of them out); a column the pool does not have fails the whole file, as does a
missing `password_hash` column in a job that names a PasswordHashingAlgorithm.

A row's user is CONFIRMED with their imported hash when it has one, else RESET_REQUIRED, or
CONFIRMED where the pool lets them sign in without a password (a verified email address and
EMAIL_OTP, a verified phone number and SMS_OTP), as on Cognito.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from userpool.accounts import mfa
from userpool.accounts.attributes import auto_verified, pool_schema
from userpool.accounts.creation import new_user_without_password
from userpool.accounts.imported_hashes import hash_problem
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.domain.errors import CognitoError
from userpool.domain.models import ImportedHash, User, UserPool, UserStatus

USERNAME = "cognito:username"
MFA_ENABLED = "cognito:mfa_enabled"
PASSWORD_HASH = "password_hash"
MAX_USERNAME = 128
NO_AUTO_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. "
    "(Example: email_verified to true)."
)
_ESCAPED_COMMA = re.compile(r"(?<!\\),")
_BIRTHDATE = re.compile(r"(\d\d)/(\d\d)/(\d{4})")


class RowRefused(Exception):
    """A row that cannot become a user: its message goes to the job's log as [FAILED]."""


def csv_header(pool: UserPool) -> list[str]:
    """GetCSVHeader: the pool's attributes in its schema's order (but `sub`, which Cognito
    makes), then cognito:mfa_enabled and cognito:username as Cognito lists them, then the
    password_hash column that the guide says the template has."""
    names = [name for name in pool_schema(pool) if name != "sub"]
    return [*names, MFA_ENABLED, USERNAME, PASSWORD_HASH]


def split_fields(line: str) -> list[str]:
    """A line's values, trimmed, with `\\,` read as a comma."""
    if "\\," not in line:
        return [value.strip() for value in line.split(",")]
    return [value.replace("\\,", ",").strip() for value in _ESCAPED_COMMA.split(line)]


@dataclass(frozen=True)
class Columns:
    """The file's header: each column's position."""

    names: tuple[str, ...]

    def values(self, fields: list[str]) -> dict[str, str]:
        return {name: value for name, value in zip(self.names, fields, strict=True) if value}


def read_header(pool: UserPool, line: str, algorithm: str | None) -> Columns:
    """The header line as columns; ValueError (the job fails with its message) for a column
    the pool has not, one named twice, or one the job needs that is missing."""
    names = split_fields(line)
    known = set(csv_header(pool))
    seen: set[str] = set()
    for name in names:
        if name not in known:
            raise ValueError(f"The CSV header names a column the user pool has not: {name[:40]}")
        if name in seen:
            raise ValueError(f"The CSV header names a column twice: {name[:40]}")
        seen.add(name)
    if USERNAME not in seen:
        raise ValueError("The CSV header has no cognito:username column.")
    if algorithm is not None and PASSWORD_HASH not in seen:
        raise ValueError(
            "The CSV file has no password_hash column, which the job's algorithm needs."
        )
    return Columns(tuple(names))


def _birthdate(value: str) -> str:
    """mm/dd/yyyy, as the guide asks, kept as OpenID Connect's YYYY-MM-DD."""
    found = _BIRTHDATE.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value)
        month, day, year = (int(part) for part in found.groups())
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise RowRefused("The birthdate must be in the format mm/dd/yyyy.") from None


def _imported_hash(algorithm: str | None, value: str | None) -> ImportedHash | None:
    if value is None:
        return None
    if algorithm is None:
        raise RowRefused("The User Record has a password_hash, but the job no algorithm for it.")
    problem = hash_problem(algorithm, value)
    if problem is not None:
        raise RowRefused(problem)
    return ImportedHash(algorithm, value)


class RowReader:
    """Makes users of one job's rows: what it needs of the pool is read once, not per row."""

    def __init__(self, pool: UserPool, columns: Columns, algorithm: str | None) -> None:
        self.pool = pool
        self.columns = columns
        self.algorithm = algorithm
        self.schema: dict[str, dict[str, Any]] = pool_schema(pool)
        self.required = [
            name for name, entry in self.schema.items() if entry.get("Required") and name != "sub"
        ]
        self.auto_verified_flags = [VERIFIED_FLAGS[name] for name in auto_verified(pool)]
        self.mfa_mode = mfa.pool_mode(pool)
        policy = (pool.settings.get("Policies") or {}).get("SignInPolicy") or {}
        allowed = policy.get("AllowedFirstAuthFactors") or []
        codes = {"EMAIL_OTP": "email_verified", "SMS_OTP": "phone_number_verified"}
        # A user verified here can sign in without a password (CONFIRMED without a hash).
        self.passwordless_flags = [flag for factor, flag in codes.items() if factor in allowed]

    def user(self, line: str, now: float) -> User:
        """The user a row describes, checked but not stored; RowRefused says why not."""
        fields = split_fields(line)
        if len(fields) != len(self.columns.names):
            raise RowRefused(
                f"The User Record has {len(fields)} values for the header's "
                f"{len(self.columns.names)} (a comma in a value is written \\,)."
            )
        values = self.columns.values(fields)
        username = values.get(USERNAME)
        if not username:
            raise RowRefused("The User Record has no cognito:username.")
        if " " in username or "\t" in username or len(username) > MAX_USERNAME:
            raise RowRefused(
                "The username cannot contain spaces or tabs, nor exceed 128 characters."
            )
        attributes = self._attributes(values)
        if not any(attributes.get(flag) == "true" for flag in self.auto_verified_flags):
            raise RowRefused(NO_AUTO_VERIFIED)
        wants_mfa = self._mfa_enabled(values.get(MFA_ENABLED))
        imported = _imported_hash(self.algorithm, values.get(PASSWORD_HASH))
        supplied = [{"Name": name, "Value": value} for name, value in attributes.items()]
        try:
            user = new_user_without_password(
                self.pool, username, supplied, now, status=UserStatus.RESET_REQUIRED
            )
        except CognitoError as error:
            raise RowRefused(error.message.strip()) from None
        user.imported_hash = imported
        passwordless = any(attributes.get(flag) == "true" for flag in self.passwordless_flags)
        if imported is not None or passwordless:
            user.status = UserStatus.CONFIRMED
        if wants_mfa and self.mfa_mode != mfa.MODE_ON and attributes.get("phone_number"):
            factors = mfa.read(user)
            factors.enable(mfa.SMS_MFA)
            mfa.write(user, factors)
        return user

    def _attributes(self, values: dict[str, str]) -> dict[str, str]:
        attributes = {}
        for name, value in values.items():
            if name in (USERNAME, MFA_ENABLED, PASSWORD_HASH):
                continue
            if name == "birthdate":
                value = _birthdate(value)
            elif self.schema[name]["AttributeDataType"] == "Boolean":
                value = value.lower()
            attributes[name] = value
        for attribute, flag in VERIFIED_FLAGS.items():
            if attributes.get(flag) == "true" and not attributes.get(attribute):
                raise RowRefused(f"The User Record sets {flag} to true without a {attribute}.")
        for name in self.required:
            if name not in attributes:
                raise RowRefused(f"The User Record lacks the required attribute {name}.")
        return attributes

    def _mfa_enabled(self, value: str | None) -> bool:
        """cognito:mfa_enabled must agree with the pool's MFA: true or blank where it is ON,
        false or blank where it is OFF, either where it is OPTIONAL."""
        mode = self.mfa_mode
        if value is None:
            return mode == mfa.MODE_ON
        flag = value.lower()
        if flag not in ("true", "false"):
            raise RowRefused("cognito:mfa_enabled must be true, false or blank.")
        if (mode == mfa.MODE_ON and flag == "false") or (mode == mfa.MODE_OFF and flag == "true"):
            raise RowRefused(f"cognito:mfa_enabled does not match the user pool's MFA ({mode}).")
        return flag == "true"
