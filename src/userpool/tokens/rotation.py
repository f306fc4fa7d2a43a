"""Rotating a pool's signing keys, by command (`userpool keys rotate`) or on a schedule
(`userpool serve --rotate-keys-every`).

A rotation makes a new ID-token key and a new access-token key. They are in the JWKS at
once and sign after `publish_ahead` (5 minutes): a relying party that fetched the JWKS just
before may not fetch it again at once for a kid it does not know (PyJWT's PyJWKClient waits
30 s between such fetches, Microsoft.IdentityModel 5 minutes), so the new kid must reach it
before a token does. The keys that signed until then retire: they stay in the JWKS, so that
relying parties keep verifying the tokens they signed, until every such token has expired.
That is the longest ID or access token validity among the pool's app clients (Cognito's
1 hour when it has none) after the new keys start, plus a margin for clocks that differ and
nodes that read the rotation late (keys.RECHECK_SECONDS); refresh tokens are opaque here,
signed by no key. An explicit `keep_old` replaces that: 0 takes the old keys out of the JWKS
at once and has the new ones sign at once (a key thought stolen), and shortens the stay of
keys retiring later. A key that has retired is deleted by the rotation after it and by
housekeeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from userpool.domain.auth_records import StoredSigningKey
from userpool.domain.client_rules import TokenKind, token_validity_seconds
from userpool.domain.errors import ResourceNotFoundException
from userpool.storage.repositories import Store, Transaction
from userpool.tokens.keys import KeyRing

log = logging.getLogger("userpool.keys")

PUBLISH_AHEAD_SECONDS = 300.0
NO_CLIENT_VALIDITY = 3600  # Cognito's default ID and access token validity
MARGIN_SECONDS = 60.0  # nodes reading the rotation late (keys.RECHECK_SECONDS), clocks apart
CLIENTS_PAGE = 60
LONGEST_CHECK_SECONDS = 60.0  # how often the schedule looks for pools whose keys are due


@dataclass(frozen=True)
class KeyState:
    """A key of a pool as `userpool keys list` shows it."""

    kid: str
    use: str  # "id" or "access"
    created: float
    signs_from: float
    retires: float | None  # None: not rotated out

    @classmethod
    def of(cls, key: StoredSigningKey) -> KeyState:
        return cls(key.kid, key.use, key.created, key.active_from, key.retires)

    def as_json(self) -> dict[str, Any]:
        return {
            "Kid": self.kid,
            "Use": self.use,
            "Created": self.created,
            "SignsFrom": self.signs_from,
            "Retires": self.retires,
        }


class NotDue(Exception):
    """A scheduled rotation found the pool's keys rotated since it was found due."""


def pool_not_found(pool_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"User pool {pool_id} does not exist.")


def longest_validity(tx: Transaction, pool_id: str) -> int:
    """The longest an ID or access token of the pool's app clients stays valid, in seconds."""
    longest, after = 0, None
    while True:
        page = tx.clients.list(pool_id, CLIENTS_PAGE, after)
        for client in page.items:
            for kind in (TokenKind.ID, TokenKind.ACCESS):
                longest = max(longest, token_validity_seconds(client.settings, kind))
        after = page.next_key
        if after is None:
            return longest or NO_CLIENT_VALIDITY


def key_states(store: Store, pool_id: str, now: float) -> list[KeyState]:
    """The pool's keys in its JWKS now, oldest first."""
    with store.read() as tx:
        if tx.pools.get(pool_id) is None:
            raise pool_not_found(pool_id)
        stored = tx.signing_keys.for_pool(pool_id)
    return [KeyState.of(key) for key in stored if key.retires is None or key.retires > now]


def rotate(
    keys: KeyRing,
    store: Store,
    pool_id: str,
    now: float,
    *,
    keep_old: float | None = None,
    publish_ahead: float | None = None,
    made_before: float | None = None,
) -> list[KeyState]:
    """Rotate the pool's keys (see the module notes); its keys after that. `made_before`
    (the schedule): only if the newest keys were made by then, else NotDue; of nodes
    rotating a pool at once, one does. The new keys are made before the transaction (RSA
    takes a tenth of a second), in which the pool's row is held so that rotations of one
    pool take turns."""
    with store.read() as tx:  # a pool that is not there costs no RSA key
        if tx.pools.get(pool_id) is None:
            raise pool_not_found(pool_id)
    ahead = PUBLISH_AHEAD_SECONDS if publish_ahead is None else publish_ahead
    starts = now + (ahead if keep_old is None else min(ahead, keep_old))
    made = keys.generate(pool_id, now, starts)
    with store.write() as tx:
        if tx.pools.get_for_update(pool_id) is None:
            raise pool_not_found(pool_id)
        stored = tx.signing_keys.for_pool(pool_id)
        newest = [key for key in stored if key.retires is None]
        if made_before is not None and any(key.created > made_before for key in newest):
            raise NotDue(pool_id)
        if keep_old is None:
            retires = starts + longest_validity(tx, pool_id) + MARGIN_SECONDS
        else:
            retires = now + keep_old
        tx.signing_keys.retire(pool_id, retires, sooner=keep_old is not None)
        tx.signing_keys.purge_retired(now, pool_id)
        for key in made:
            tx.signing_keys.add(key)
        after = tx.signing_keys.for_pool(pool_id)
    keys.forget(pool_id)
    return [KeyState.of(key) for key in after]


def rotate_due(keys: KeyRing, store: Store, now: float, every: float) -> list[str]:
    """Rotate the keys of every pool whose signing keys are `every` seconds old or older;
    the pools this call rotated."""
    with store.read() as tx:
        due = tx.signing_keys.due(now - every)
    rotated = []
    for pool_id in due:
        try:
            rotate(keys, store, pool_id, now, made_before=now - every)
        except (NotDue, ResourceNotFoundException):  # rotated elsewhere, or deleted, since
            continue
        rotated.append(pool_id)
    return rotated


def schedule(keys: KeyRing, store: Store, every: float, clock: Callable[[], float]) -> Any:
    """A Starlette lifespan that rotates the keys of each pool every `every` seconds."""
    pause = min(every / 4, LONGEST_CHECK_SECONDS)

    async def loop() -> None:
        while True:
            await asyncio.sleep(pause)
            try:
                rotated = await run_in_threadpool(rotate_due, keys, store, clock(), every)
            except Exception:  # keep serving; try again next round
                log.exception("rotating signing keys failed")
                continue
            for pool_id in rotated:
                log.info("rotated the signing keys of %s", pool_id)

    @asynccontextmanager
    async def running(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()

    return running
