"""Cognito's lockout: after 5 failed sign-ins the user is locked for 1 s, doubling with each
further failure up to 15 minutes; 15 quiet minutes forget the failures. Kept in storage, so
it holds across processes and nodes.

A proof is checked outside any transaction (it costs a modexp), so a burst of attempts can
all pass a first "locked?" look before any of their failures is written. What decides is
done under the lockout record's lock, in the transaction that acts on the verdict: a failure
is counted only if no lock is in force by then (else the attempt is refused as locked); a
right proof is admitted only if no lock is in force by then (else refused as locked, and the
transaction that would have signed the user in rolls back). So no more attempts get a
verdict than sequential ones would, however many arrive at once.
"""

from __future__ import annotations

from userpool.domain.auth_records import Lockout
from userpool.domain.errors import NotAuthorizedException
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


def is_locked(lockout: Lockout | None, now: float) -> bool:
    """Whether a lock is in force at `now`. Only from the fifth failure on: below it the
    record's `locked_until` is the last failure's time, which a request whose clock was read
    a moment before that failure's would otherwise take for a lock."""
    state = current(lockout, now)
    return state is not None and state.failures >= FREE_FAILURES and now < state.locked_until


def check_not_locked(lockout: Lockout | None, now: float) -> None:
    """The early look (a read): refuse an attempt on a user already locked."""
    if is_locked(lockout, now):
        raise NotAuthorizedException(LOCKED)


def after_failure(lockout: Lockout | None, now: float) -> Lockout:
    state = current(lockout, now)
    failures = (state.failures if state else 0) + 1
    locked_until = now
    if failures >= FREE_FAILURES:
        locked_until = now + min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS)
    return Lockout(failures, now, locked_until)


def record_failure(tx: Transaction, pool_id: str, sub: str, now: float) -> bool:
    """Count a failed proof of `sub`, unless a lock is in force: then nothing is counted and
    False comes back (the caller answers as to a locked user)."""
    previous = tx.lockouts.get_for_update(pool_id, sub)
    if is_locked(previous, now):
        return False
    tx.lockouts.save(pool_id, sub, after_failure(previous, now))
    return True


def admit(tx: Transaction, sub: str, now: float) -> None:
    """A right proof of `sub`: forget their failures, or refuse (raise) if failures written
    since the early look lock them now. In the write transaction that acts on the proof."""
    state = tx.lockouts.get(sub)  # held until commit: this is a write transaction
    if is_locked(state, now):
        raise NotAuthorizedException(LOCKED)
    if state is not None:
        tx.lockouts.clear(sub)
