"""The checks before and after a password (or SRP) proof, in Cognito's order.

Where the client hides whether users exist (PreventUserExistenceErrors), a name that matches
nobody is treated like a user with a password nobody knows: a stand-in keyed by the pool and
the name, whose failed proofs are counted and locked out like anyone's. Both paths then do
the same work (the same reads, a proof's worth of hashing, the same failure write), so
neither the answers nor their timing tell whether the user exists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from userpool.accounts.lookup import find_user
from userpool.accounts.lookup import stand_in_seed as seed_for
from userpool.auth import lockout as lockouts
from userpool.auth.outcomes import Attempt
from userpool.crypto import srp
from userpool.domain.auth_records import Lockout
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import (
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from userpool.domain.models import User, UserPool, UserStatus

WRONG_PASSWORD = "Incorrect username or password."
TEMPORARY_EXPIRED = "Temporary password has expired and must be reset by an administrator."
DAY = 86400


@dataclass(frozen=True)
class Candidate:
    """Who an attempt is for: the user, or None and the stand-in `sub` of a missing one."""

    user: User | None
    sub: str
    lockout: Lockout | None


def stand_in_seed(attempt: Attempt, username: str) -> str:
    return seed_for(attempt.env.simulation_key, attempt.pool, username)


def stand_in_sub(attempt: Attempt, username: str) -> str:
    return stand_in_seed(attempt, username)[:36]


@cache
def stand_in_verifier() -> str:
    """One secret SRP verifier for every stand-in of this process. The client sees only the
    salt (kept stable per name) and B = k·v + g^b, which a fresh random b masks, so v need
    not differ per name: one per name would cost a missing user a modexp that an existing
    one does not pay. Nothing proves it at the answer, which may reach another node: there
    the same work is done against that node's own."""
    return format(srp.power_of_g(secrets.randbits(256)), "x")


def load_candidate(attempt: Attempt, username: str) -> Candidate:
    """The user `username` means (or a missing user's stand-in) and their lockout record,
    read in one transaction."""
    with attempt.env.store.read() as tx:
        user = find_user(tx, attempt.pool, username)
        sub = user.sub if user is not None else stand_in_sub(attempt, username)
        return Candidate(user, sub, tx.lockouts.get(sub))


def refuse_missing(attempt: Attempt, candidate: Candidate) -> Exception:
    """The answer to a failed proof by a user who does not exist: where the client hides
    that, counted against the stand-in like any failure (see the module notes)."""
    if hides_user_existence(attempt.client.settings):
        return fail_proof(attempt, candidate.sub)
    return UserNotFoundException()


def check_not_locked(candidate: Candidate, now: float) -> None:
    lockouts.check_not_locked(candidate.lockout, now)


def check_may_sign_in(user: User) -> None:
    """Before the proof, once the lockout is checked: disabled, or a reset pending."""
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException()


def fail_proof(attempt: Attempt, sub: str) -> NotAuthorizedException:
    """Count a failed proof against `sub` and give the error to raise: the wrong password,
    or the lockout if failures that arrived at the same time locked them first."""
    with attempt.env.store.write() as tx:
        counted = lockouts.record_failure(tx, attempt.pool.id, sub, attempt.now)
    return NotAuthorizedException(WRONG_PASSWORD if counted else lockouts.LOCKED)


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


def password_matches_verifier(pool: UserPool, user: User, password: str) -> bool:
    """Whether `password` is the user's, checked against the stored SRP verifier."""
    stored = user.password
    if stored is None:
        return False
    return srp.password_matches(
        stored.salt, stored.verifier, pool.srp_name, user.username, password
    )


def waste_a_proof(attempt: Attempt, candidate: Candidate, password: str) -> None:
    """Check `password` against the stand-in's verifier, as a real user's is checked (with a
    salt of the same length from the stand-in's secret sub): a missing user is not timed out."""
    salt = candidate.sub[:32]
    srp.password_matches(salt, stand_in_verifier(), attempt.pool.srp_name, candidate.sub, password)
