"""The pool and app client an operation names, read in the caller's transaction, or
Cognito's ResourceNotFoundException."""

from __future__ import annotations

from userpool.domain.errors import ResourceNotFoundException
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


def client_and_pool(
    tx: Transaction, client_id: str, pool_id: str | None
) -> tuple[AppClient, UserPool]:
    """The app client (of `pool_id`, when the operation names one) and its pool."""
    if pool_id is not None:
        pool = require_pool(tx, pool_id)
        return require_client(tx, pool.id, client_id), pool
    client = tx.clients.get(client_id)
    if client is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client, require_pool(tx, client.pool_id)
