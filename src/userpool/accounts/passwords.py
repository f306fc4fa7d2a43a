"""What a password must be, and what is kept of it: an SRP salt and verifier, never the
password itself."""

from __future__ import annotations

from userpool.crypto import srp
from userpool.domain.errors import InvalidPasswordException
from userpool.domain.models import PasswordVerifier, User, UserPool
from userpool.domain.password_policy import (
    PasswordPolicy,
    generate_temporary_password,
    policy_violation,
)

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
