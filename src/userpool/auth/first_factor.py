"""The first factor: a password, or an SRP claim of one, checked in Cognito's order, with one
lockout rule, for every flow that proves one (password flows, PASSWORD_VERIFIER).

The sequence, and where the Lambda triggers will join it (issue 13):
1. `load_candidate`, in the step's read: the user the name means and their lockout record;
   where there is none, a stand-in (below). A password flow asks UserMigration (migration.py)
   about a missing user.
2. `check_not_locked`, then `check_may_sign_in` (disabled, reset pending), then
   `before_proof`: the PreAuthentication trigger. A refusal by any of them fails the
   sign-in's auth event where threat protection covers it (sign_in_events.refused).
3. The proof (the caller's: a modexp, outside any transaction), then `verdict`: a failure is
   counted, in a write of its own, and refused; a success is checked (`check_after_proof`)
   and admitted past the lockout in the step's write, which issues what comes next.
   PostAuthentication and PreTokenGeneration run once a sign-in ends in tokens (engine).

Where the client hides whether users exist (PreventUserExistenceErrors), a name that matches
nobody is treated like a user with a password nobody knows: a stand-in keyed by the pool and
the name, whose failed proofs are counted and locked out like anyone's. Both paths then do
the same work (the same reads, a proof's worth of hashing, the same failure write), so
neither the answers nor their timing tell whether the user exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from userpool.accounts import lockout as lockouts
from userpool.accounts.lookup import find_user
from userpool.accounts.lookup import stand_in_seed as seed_for
from userpool.auth import hooks, sign_in_events
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.crypto import srp
from userpool.domain.auth_events import Factor
from userpool.domain.auth_records import Lockout
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage.repositories import Transaction

WRONG_PASSWORD = "Incorrect username or password."
TEMPORARY_EXPIRED = "Temporary password has expired and must be reset by an administrator."
DISABLED = "User is disabled."
DAY = 86400


@dataclass(frozen=True)
class Candidate:
    """Who an attempt is for: the user, or None and the stand-in `sub` of a missing one."""

    user: User | None
    sub: str
    lockout: Lockout | None


def stand_in_seed(runtime: Runtime, pool: UserPool, username: str) -> str:
    return seed_for(runtime.simulation_key, pool, username)


def stand_in_sub(runtime: Runtime, pool: UserPool, username: str) -> str:
    return stand_in_seed(runtime, pool, username)[:36]


@cache
def stand_in_verifier() -> str:
    """One secret SRP verifier for every stand-in of this process. The client sees only the
    salt (kept stable per name) and B = k·v + g^b, which a fresh random b masks, so v need
    not differ per name: one per name would cost a missing user a modexp that an existing
    one does not pay. Nothing proves it at the answer, which may reach another node: there
    the same work is done against that node's own."""
    return format(srp.power_of_g(secrets.randbits(256)), "x")


def load_candidate(runtime: Runtime, tx: Transaction, pool: UserPool, username: str) -> Candidate:
    """The user `username` means (or a missing user's stand-in) and their lockout record,
    in the step's read transaction."""
    user = find_user(tx, pool, username)
    sub = user.sub if user is not None else stand_in_sub(runtime, pool, username)
    return Candidate(user, sub, tx.lockouts.get(sub))


def check_not_locked(attempt: Attempt, candidate: Candidate, name: str, progress: Progress) -> None:
    """The lockout's early look. Each refusal here and below fails the sign-in's auth event
    (sign_in_events.refused): `name` is the name signed in with, `progress` the sign-in."""
    try:
        lockouts.check_not_locked(candidate.lockout, attempt.now)
    except NotAuthorizedException:
        sign_in_events.refused(attempt, candidate.user, name, progress)
        raise


def check_may_sign_in(attempt: Attempt, user: User, name: str, progress: Progress) -> None:
    """Before the proof, once the lockout is checked: disabled, or a reset pending."""
    refusal: CognitoError | None = None
    if not user.enabled:
        refusal = NotAuthorizedException(DISABLED)
    elif user.status == UserStatus.RESET_REQUIRED:
        refusal = PasswordResetRequiredException()
    if refusal is not None:
        sign_in_events.refused(attempt, user, name, progress)
        raise refusal


def before_proof(attempt: Attempt, user: User | None, name: str, progress: Progress) -> None:
    """PreAuthentication: the pool's function may deny the attempt. For a name that means
    nobody only where the client hides that (then told userNotFound), as on Cognito."""
    if user is None and not hides_user_existence(attempt.client.settings):
        return
    try:
        hooks.pre_authentication(attempt, user, name)
    except CognitoError:
        sign_in_events.refused(attempt, user, name, progress)
        raise


def refuse_missing(attempt: Attempt, candidate: Candidate) -> Exception:
    """The answer to a failed proof by a user who does not exist: where the client hides
    that, counted against the stand-in like any failure (see the module notes)."""
    if hides_user_existence(attempt.client.settings):
        return fail_proof(attempt, candidate.sub)
    return UserNotFoundException()


def fail_proof(
    attempt: Attempt, sub: str, also: Callable[[Transaction], None] | None = None
) -> NotAuthorizedException:
    """Count a failed proof against `sub` (with `also`, the step's own writes, in one write)
    and give the error to raise: the wrong password, or the lockout if failures that arrived
    at the same time locked them first."""
    with attempt.runtime.store.write() as tx:
        if also is not None:
            also(tx)
        counted = lockouts.record_failure(tx, attempt.pool.id, sub, attempt.now)
    return NotAuthorizedException(WRONG_PASSWORD if counted else lockouts.LOCKED)


def verdict(
    attempt: Attempt,
    sub: str,
    user: User | None,
    holds: bool,
    progress: Progress,
    also: Callable[[Transaction], None] | None = None,
) -> Proceed:
    """The one end of every first-factor proof. A failure (or a stand-in's proof) is counted
    and refused; a success is checked after the proof and goes on, admitted past the lockout
    in the step's write, together with `also` (the step's own writes). Either is a step of
    the sign-in's auth event (sign_in_events.py)."""
    if user is None or not holds:
        failed = user

        def refuse(tx: Transaction) -> None:
            if also is not None:
                also(tx)
            if failed is not None:
                sign_in_events.wrong_password(tx, attempt, failed, progress)

        raise fail_proof(attempt, sub, refuse)
    check_after_proof(attempt, user)

    def admit(tx: Transaction) -> User:
        if also is not None:
            also(tx)
        lockouts.admit(tx, sub, attempt.now)
        return user

    return Proceed(user, progress, record=admit, proves=Factor.PASSWORD)


def check_after_proof(attempt: Attempt, user: User) -> None:
    """After a correct proof: an expired temporary password, an unconfirmed account."""
    password = user.password
    if password is not None and password.temporary:
        policy = attempt.pool.settings.get("Policies", {}).get("PasswordPolicy", {})
        days = int(policy.get("TemporaryPasswordValidityDays", 7))
        if attempt.now > password.set_at + days * DAY:
            raise NotAuthorizedException(TEMPORARY_EXPIRED)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException()


def waste_a_proof(attempt: Attempt, candidate: Candidate, password: str) -> None:
    """Check `password` against the stand-in's verifier, as a real user's is checked (with a
    salt of the same length from the stand-in's secret sub): a missing user is not timed out."""
    salt = candidate.sub[:32]
    srp.password_matches(salt, stand_in_verifier(), attempt.pool.srp_name, candidate.sub, password)
