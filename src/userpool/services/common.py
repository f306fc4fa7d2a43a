"""Look-ups and conversions that several operation modules share."""

from __future__ import annotations

import base64
import binascii

from userpool.domain.errors import InvalidParameterException, ResourceNotFoundException
from userpool.domain.models import AppClient, UserPool
from userpool.storage.repositories import Transaction


def require_pool(tx: Transaction, pool_id: str, *, for_update: bool = False) -> UserPool:
    """`for_update`: the caller rewrites the pool, so the row is held until commit (two
    changes of one pool at once would otherwise lose one)."""
    pool = tx.pools.get_for_update(pool_id) if for_update else tx.pools.get(pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def require_client(
    tx: Transaction, pool_id: str, client_id: str, *, for_update: bool = False
) -> AppClient:
    client = tx.clients.get_for_update(client_id) if for_update else tx.clients.get(client_id)
    if client is None or client.pool_id != pool_id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def pool_arn(pool: UserPool, account_id: str) -> str:
    return f"arn:aws:cognito-idp:{pool.region}:{account_id}:userpool/{pool.id}"


def encode_token(key: str | None) -> str | None:
    """An opaque pagination token for the listing key `key`."""
    return base64.urlsafe_b64encode(key.encode()).decode() if key is not None else None


def decode_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidParameterException("Invalid pagination token.") from error
