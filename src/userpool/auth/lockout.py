"""Cognito's lockout: after 5 failed sign-ins the user is locked for 1 s, doubling with each
further failure up to 15 minutes; 15 quiet minutes forget the failures. Kept in storage, so
it holds across processes and nodes."""

from __future__ import annotations

from userpool.domain.auth_records import Lockout
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 15 * 60
LOCKED = "Password attempts exceeded"


def current(lockout: Lockout | None, now: float) -> Lockout | None:
    """The lockout state still in force at `now` (None once forgotten)."""
    if lockout is None or now - lockout.last_failure >= FORGET_AFTER_SECONDS:
        return None
    return lockout


def check_not_locked(lockout: Lockout | None, now: float) -> None:
    state = current(lockout, now)
    if state is not None and now < state.locked_until:
        raise NotAuthorizedException(LOCKED)


def after_failure(lockout: Lockout | None, now: float) -> Lockout:
    state = current(lockout, now)
    failures = (state.failures if state else 0) + 1
    locked_until = now
    if failures >= FREE_FAILURES:
        locked_until = now + min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS)
    return Lockout(failures, now, locked_until)


def record_failure(tx: Transaction, user: User, now: float) -> None:
    previous = tx.lockouts.get_for_update(user.pool_id, user.sub)
    tx.lockouts.save(user.pool_id, user.sub, after_failure(previous, now))
