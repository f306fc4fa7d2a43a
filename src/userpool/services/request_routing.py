"""Whether a request may wait on something slow, asked before it runs: such a request leaves
the worker's event loop for a thread (app.inline_operations), or every other request on that
worker would wait with it. Two things are slow:

- one of its pool's Lambda functions (a call may take up to 5 s), for an operation that may
  call one;
- a password hash brought by a user import (accounts/imported_hashes.py: bcrypt at cost 12
  is ~250 ms of CPU), for a password sign-in in a pool that still has a user who has not
  signed in since their import. bcrypt, argon2-cffi and hashlib release the GIL while they
  hash, so from a thread the loop goes on serving meanwhile.

The pool is named by the request (UserPoolId, or ClientId: a client never changes pool), and
what it has is remembered for a second: a pool given a function or imported users on another
worker is routed right within that second (until then a request to it only holds up its own
worker, as sign-ins sending SMTP messages do), and so is one whose last imported user has
just signed in, whose sign-ins go back to the loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from userpool.accounts.lookup import find_user
from userpool.domain.flows import AuthFlow, ChallengeName
from userpool.domain.models import UserPool
from userpool.storage.repositories import Store

TTL_SECONDS = 1.0
MAX_REMEMBERED = 10_000  # pools and clients each; past that, forgotten all at once
# botocore's UserPoolIdType and ClientIdType: their longest. The request is not validated yet
# when this is asked, so an id is looked up only if it could be one: a NUL, say, would fail
# PostgreSQL's query instead of the validation that refuses it.
LONGEST_POOL_ID = 55
LONGEST_CLIENT_ID = 128
LONGEST_USERNAME = 128  # botocore's UsernameType
# The operations that may check a password against an imported hash, and of their requests
# those that may: a password flow, or USER_AUTH's PASSWORD factor (preferred, or chosen in
# answer to SELECT_CHALLENGE). Refreshes, SRP and MFA answers never read a hash, and stay on
# the loop in a pool whose imported users have not all signed in yet.
INITIATE = frozenset({"InitiateAuth", "AdminInitiateAuth"})
RESPOND = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge"})
PASSWORD_FLOWS = frozenset(
    {
        AuthFlow.USER_PASSWORD_AUTH,
        AuthFlow.ADMIN_USER_PASSWORD_AUTH,
        AuthFlow.ADMIN_NO_SRP_AUTH,
        AuthFlow.USER_AUTH,
    }
)


@dataclass(frozen=True)
class _Pool:
    pool: UserPool | None  # None: no such pool
    sets_functions: bool  # any LambdaConfig
    holds_imported_hashes: bool
    until: float  # remembered until then


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
        self._operations = calls_triggers | INITIATE | RESPOND
        self._clock = clock
        self._ttl = ttl
        self._pool_of_client: dict[str, str] = {}
        self._pools: dict[str, _Pool] = {}

    @property
    def operations(self) -> frozenset[str]:
        """The operations whose requests may wait; for any other, `may_wait` is False."""
        return self._operations

    def may_wait(self, operation: str, params: Mapping[str, Any]) -> bool:
        """Whether a request of `operation` with `params` (as sent) may wait on one of its
        pool's Lambda functions or on an imported hash."""
        calls_triggers = operation in self._calls_triggers
        checks_hash = _may_check_imported_hash(operation, params)
        if not (calls_triggers or checks_hash):
            return False
        pool = self._pool(params)
        if pool is None:
            return False  # the operation refuses the request before any of that
        if calls_triggers and pool.sets_functions:
            return True
        return (
            checks_hash
            and pool.pool is not None
            and pool.holds_imported_hashes
            and self._named_user_holds_hash(pool.pool, params)
        )

    def _named_user_holds_hash(self, pool: UserPool, params: Mapping[str, Any]) -> bool:
        """Whether the user the request names still holds an imported hash: one read on the
        loop (~0.1 ms) where a thread costs a sign-in ~0.9 ms of CPU more, and a migrated pool
        keeps users who never sign in again (bench/million.py: at c=32 its sign-ins cost 3.1
        instead of 2.2 ms while they all went to threads)."""
        answers = params.get("AuthParameters") or params.get("ChallengeResponses")
        name = answers.get("USERNAME") if isinstance(answers, Mapping) else None
        if not isinstance(name, str) or not 0 < len(name) <= LONGEST_USERNAME:
            return False  # the operation refuses the request, or signs nobody in
        with self._store.read() as tx:
            user = find_user(tx, pool, name)
        return user is not None and user.imported_hash is not None

    def _pool_id(self, params: Mapping[str, Any]) -> str | None:
        pool_id = params.get("UserPoolId")
        if not isinstance(pool_id, str):
            client_id = params.get("ClientId")
            pool_id = self._pool_of(client_id) if _may_be_id(client_id, LONGEST_CLIENT_ID) else None
        return pool_id if _may_be_id(pool_id, LONGEST_POOL_ID) else None

    def _pool(self, params: Mapping[str, Any]) -> _Pool | None:
        pool_id = self._pool_id(params)
        if pool_id is None:
            return None
        now = self._clock()
        known = self._pools.get(pool_id)
        if known is not None and known.until > now:
            return known
        with self._store.read() as tx:
            pool = tx.pools.get(pool_id)
            hashed = pool is not None and tx.users.holds_imported_hashes(pool_id)
        functions = pool is not None and bool(pool.settings.get("LambdaConfig"))
        known = _Pool(pool, functions, hashed, now + self._ttl)
        _remember(self._pools, pool_id, known)
        return known

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


def _may_check_imported_hash(operation: str, params: Mapping[str, Any]) -> bool:
    if operation in INITIATE:
        flow = params.get("AuthFlow")
        return isinstance(flow, str) and flow in PASSWORD_FLOWS
    if operation in RESPOND:
        return params.get("ChallengeName") == ChallengeName.SELECT_CHALLENGE
    return False


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
