"""Identifiers in Cognito's formats, from `secrets`."""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def pool_id(region: str) -> str:
    return f"{region}_{_random(_ALNUM, 9)}"


def client_id() -> str:
    return _random(_LOWER_ALNUM, 26)


def client_secret() -> str:
    return _random(_LOWER_ALNUM, 51)


def sub() -> str:
    return str(uuid.uuid4())
