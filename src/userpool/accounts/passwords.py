"""What a password must be, and what is kept of it: an SRP salt and verifier, never the
password itself; or, for a user an import job brought with their old system's hash, that hash
until their first password sign-in, which makes a verifier of the password it proved and
drops the hash (`upgrade_imported`)."""

from __future__ import annotations

from userpool.accounts import imported_hashes
from userpool.crypto import srp
from userpool.domain.errors import InvalidPasswordException
from userpool.domain.event_loop import leave_if_on_the_loop
from userpool.domain.models import PasswordVerifier, User, UserPool
from userpool.domain.password_policy import (
    PasswordPolicy,
    generate_temporary_password,
    policy_violation,
)
from userpool.storage.repositories import Transaction

# Cognito words the refusal differently for AdminCreateUser's temporary password.
POLICY_REFUSAL = "Password did not conform with policy: "
TEMPORARY_POLICY_REFUSAL = "Password did not conform with password policy: "


def password_policy(pool: UserPool) -> PasswordPolicy:
    policies = pool.settings.get("Policies") or {}
    return PasswordPolicy.from_settings(policies.get("PasswordPolicy") or {})


def check_password(pool: UserPool, password: str, refusal: str = POLICY_REFUSAL) -> None:
    """Raise Cognito's `InvalidPasswordException` when `password` breaks the pool's policy."""
    problem = policy_violation(password_policy(pool), password)
    if problem is not None:
        raise InvalidPasswordException(refusal + problem)


def temporary_password(pool: UserPool, supplied: str | None) -> str:
    """The caller's temporary password once checked, or a fresh one that fits the policy."""
    if supplied is None:
        return generate_temporary_password(password_policy(pool))
    check_password(pool, supplied, TEMPORARY_POLICY_REFUSAL)
    return supplied


def make_password_verifier(
    pool: UserPool, username: str, password: str, now: float, *, temporary: bool
) -> PasswordVerifier:
    """What is kept of `password`: an SRP salt and verifier for `username` in `pool`."""
    salt, verifier = srp.make_verifier(pool.srp_name, username, password)
    return PasswordVerifier(salt=salt, verifier=verifier, set_at=now, temporary=temporary)


def password_matches_verifier(pool: UserPool, user: User, password: str) -> bool:
    """Whether `password` is the user's, checked against the stored SRP verifier."""
    stored = user.password
    if stored is None:
        return False
    return srp.password_matches(
        stored.salt, stored.verifier, pool.srp_name, user.username, password
    )


def has_password(user: User) -> bool:
    """Whether the user can prove a password: a verifier, or an imported hash."""
    return user.password is not None or user.imported_hash is not None


def password_matches(pool: UserPool, user: User, password: str) -> bool:
    """Whether `password` is the user's: against their verifier, or else their imported hash
    (accounts/imported_hashes.py: a bounded cost, compared in constant time)."""
    if user.password is not None:
        return password_matches_verifier(pool, user, password)
    if user.imported_hash is not None:
        leave_if_on_the_loop()  # tens to hundreds of ms of CPU (domain/event_loop.py)
        return imported_hashes.matches(user.imported_hash, password)
    return False


def verifier_for_imported(
    pool: UserPool, user: User, password: str, now: float
) -> PasswordVerifier | None:
    """For a user whose imported hash `password` just matched: the verifier to keep instead
    (made outside any transaction: a modexp). None for anyone else."""
    if user.password is not None or user.imported_hash is None:
        return None
    return make_password_verifier(pool, user.username, password, now, temporary=False)


def upgrade_imported(tx: Transaction, user: User, verifier: PasswordVerifier) -> None:
    """In the sign-in's write: the user's imported hash becomes `verifier`, in one conditional
    statement. Where two first sign-ins race, the first to commit writes; the other finds the
    hash gone and writes nothing (its password was proven all the same)."""
    if tx.users.adopt_verifier(user, verifier):
        user.password, user.imported_hash = verifier, None  # as stored, for what follows
