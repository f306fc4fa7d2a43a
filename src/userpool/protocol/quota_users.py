"""Who a request counts against for Cognito's per-user quotas (protocol/quota_categories.py),
found from the request itself wherever it can be, without reading the user.

A user is a pool and a user name, in lower case: the name the request gives (`Username`, the
USERNAME of AuthParameters or ChallengeResponses), or the `username` claim of its access
token, once the token's signature holds (the signing keys are cached: no database read). The
pool is the request's UserPoolId, the token's, or its ClientId's: a client never changes pool,
so each process reads that once per client. A name given as an alias or a sub counts apart
from the user's name: the request is not resolved to its user for this. Requests that name
no user this way (a refresh token, a session alone) are not counted per user.

The key holds a digest of the name, not the name: it fits the counters' key column whatever
the name's length, and no user name lands in Redis or the counters' table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from userpool.domain.errors import CognitoError
from userpool.storage.repositories import Store
from userpool.tokens.keys import KeyRing
from userpool.tokens.verify import verify_access_token


def user_key(pool_id: str, username: str) -> str:
    digest = hashlib.sha256(username.lower().encode()).hexdigest()[:32]
    return f"{pool_id}/user/{digest}"


def _named_user(params: Mapping[str, Any]) -> str | None:
    for holder in (params, params.get("AuthParameters"), params.get("ChallengeResponses")):
        if isinstance(holder, Mapping):
            name = holder.get("Username", holder.get("USERNAME"))
            if isinstance(name, str) and name:
                return name
    return None


class QuotaUsers:
    def __init__(
        self,
        store: Store,
        keys: KeyRing,
        issuer_for: Callable[[str], str],
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._keys = keys
        self._issuer_for = issuer_for
        self._clock = clock
        self._client_pools: dict[str, str] = {}

    def of(self, params: Mapping[str, Any]) -> str | None:
        """The user key of an API request, or None when it names no user cheaply."""
        token = params.get("AccessToken")
        if isinstance(token, str):
            return self.of_access_token(token)
        username = _named_user(params)
        if username is None:
            return None
        pool_id = params.get("UserPoolId")
        if not isinstance(pool_id, str):
            client_id = params.get("ClientId")
            pool_id = self._pool_of_client(client_id) if isinstance(client_id, str) else None
        return user_key(pool_id, username) if pool_id else None

    def of_access_token(self, token: str) -> str | None:
        """The user key of an access token whose signature holds; None for any other token
        (the operation refuses it anyway) and for a machine's token (no user)."""
        try:
            checked = verify_access_token(token, self._keys, self._issuer_for, self._clock())
        except (CognitoError, KeyError):  # KeyError: a client_credentials token has no user
            return None
        return user_key(checked.pool_id, checked.username)

    def _pool_of_client(self, client_id: str) -> str | None:
        pool_id = self._client_pools.get(client_id)
        if pool_id is None:
            with self._store.read() as tx:
                client = tx.clients.get(client_id)
            if client is None:
                return None  # not remembered: it may be created later
            pool_id = self._client_pools[client_id] = client.pool_id
        return pool_id
