"""Look-ups and conversions that several operation modules share."""

from __future__ import annotations

import base64
import binascii

from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import UserPool


def pool_arn(pool: UserPool, account_id: str) -> str:
    return f"arn:aws:cognito-idp:{pool.region}:{account_id}:userpool/{pool.id}"


def encode_token(key: str | None) -> str | None:
    """An opaque pagination token for the listing key `key`."""
    return base64.urlsafe_b64encode(key.encode()).decode() if key is not None else None


def decode_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        key = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidParameterException("Invalid pagination token.") from error
    if "\x00" in key:  # no key holds one, and PostgreSQL refuses it in text (a 500 before)
        raise InvalidParameterException("Invalid pagination token.")
    return key
