"""The checks before and after a password (or SRP) proof, in Cognito's order."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.accounts.lookup import find_user
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
    user: User
    lockout: Lockout | None


def unknown_user(attempt: Attempt) -> Exception:
    if hides_user_existence(attempt.client.settings):
        return NotAuthorizedException(WRONG_PASSWORD)
    return UserNotFoundException()


def load_candidate(attempt: Attempt, username: str) -> Candidate | None:
    with attempt.env.store.read() as tx:
        user = find_user(tx, attempt.pool, username)
        if user is None:
            return None
        return Candidate(user, tx.lockouts.get(user.sub))


def check_may_sign_in(candidate: Candidate, now: float) -> None:
    """Before the proof: locked out, disabled, or a reset pending."""
    lockouts.check_not_locked(candidate.lockout, now)
    user = candidate.user
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException()


def fail_proof(attempt: Attempt, user: User) -> NotAuthorizedException:
    """Count a failed proof against the user and give the error to raise."""
    with attempt.env.store.write() as tx:
        lockouts.record_failure(tx, user, attempt.now)
    return NotAuthorizedException(WRONG_PASSWORD)


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


def waste_a_proof(attempt: Attempt, username: str, password: str) -> None:
    """Spend what checking a real password costs, so a missing user is not timed out."""
    srp.verifier("00", attempt.pool.srp_name, username, password)
