"""Whether a request may wait on one of its pool's Lambda functions, asked before it runs.

Most operations run on the worker's event loop (app.inline_operations): a trigger call, which
may wait up to 5 s, must not, or every other request on that worker waits with it; such a
request runs in a thread. (Slow work that a request finds only once under way, such as an
imported password hash to check, leaves the loop by domain/event_loop.py instead.)

The pool is named by the request (UserPoolId, or ClientId: a client never changes pool), and
whether it sets any function is remembered for a second: a pool given triggers on another
worker is routed right within that second, and until then a request to it only holds up its
own worker, as sign-ins sending SMTP messages do."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from userpool.storage.repositories import Store

TTL_SECONDS = 1.0
MAX_REMEMBERED = 10_000  # pools and clients each; past that, forgotten all at once
# botocore's UserPoolIdType and ClientIdType: their longest. The request is not validated yet
# when this is asked, so an id is looked up only if it could be one: a NUL, say, would fail
# PostgreSQL's query instead of the validation that refuses it.
LONGEST_POOL_ID = 55
LONGEST_CLIENT_ID = 128


class RequestRouting:
    """`calls_triggers`: the operations that may call one of the pool's Lambda functions."""

    def __init__(
        self,
        store: Store,
        calls_triggers: frozenset[str],
        clock: Callable[[], float] = time.monotonic,
        ttl: float = TTL_SECONDS,
    ) -> None:
        self._store = store
        self._calls_triggers = calls_triggers
        self._clock = clock
        self._ttl = ttl
        self._pool_of_client: dict[str, str] = {}
        self._sets_triggers: dict[str, tuple[bool, float]] = {}  # pool id: (answer, until)

    @property
    def operations(self) -> frozenset[str]:
        """The operations whose requests may wait; for any other, `may_wait` is False."""
        return self._calls_triggers

    def may_wait(self, operation: str, params: Mapping[str, Any]) -> bool:
        """Whether a request of `operation` with `params` (as sent) may call one of its pool's
        Lambda functions."""
        if operation not in self._calls_triggers:
            return False
        pool_id = params.get("UserPoolId")
        if not isinstance(pool_id, str):
            client_id = params.get("ClientId")
            pool_id = self._pool_of(client_id) if _may_be_id(client_id, LONGEST_CLIENT_ID) else None
        if not _may_be_id(pool_id, LONGEST_POOL_ID):
            return False  # the operation refuses the request before any trigger
        now = self._clock()
        known = self._sets_triggers.get(pool_id)
        if known is not None and known[1] > now:
            return known[0]
        with self._store.read() as tx:
            pool = tx.pools.get(pool_id)
        answer = pool is not None and bool(pool.settings.get("LambdaConfig"))
        _remember(self._sets_triggers, pool_id, (answer, now + self._ttl))
        return answer

    def _pool_of(self, client_id: str) -> str | None:
        pool_id = self._pool_of_client.get(client_id)
        if pool_id is None:
            with self._store.read() as tx:
                client = tx.clients.get(client_id)
            if client is None:
                return None
            pool_id = client.pool_id
            _remember(self._pool_of_client, client_id, pool_id)
        return pool_id


def _may_be_id(value: Any, longest: int) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and 0 < len(value) <= longest
        and value.isascii()
        and value.isprintable()
    )


def _remember(memory: dict[str, Any], key: str, value: Any) -> None:
    if len(memory) >= MAX_REMEMBERED:
        memory.clear()
    memory[key] = value
