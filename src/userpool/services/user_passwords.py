"""AdminSetUserPassword, AdminResetUserPassword, and the password rules other operations share.

Passwords are never stored: only the SRP salt and verifier made from them.
"""

from __future__ import annotations

from userpool.crypto import srp
from userpool.domain.errors import (
    InvalidParameterException,
    InvalidPasswordException,
    NotAuthorizedException,
)
from userpool.domain.models import PasswordVerifier, User, UserPool, UserStatus
from userpool.domain.password_policy import (
    PasswordPolicy,
    generate_temporary_password,
    policy_violation,
)
from userpool.services.common import require_pool
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.user_lookup import VERIFIED_FLAGS, require_user

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


def _check_resettable(user: User) -> None:
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status not in (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED):
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    if not any(user.attributes.get(flag) == "true" for flag in VERIFIED_FLAGS.values()):
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email "
            "or phone_number"
        )


@operation("AdminSetUserPassword")
def admin_set_user_password(ctx: Context, request: Request) -> Response:
    permanent = bool(request.get("Permanent", False))
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        check_password(pool, request["Password"])
        now = ctx.clock()
        user.password = make_password_verifier(
            pool, user.username, request["Password"], now, temporary=not permanent
        )
        user.status = UserStatus.CONFIRMED if permanent else UserStatus.FORCE_CHANGE_PASSWORD
        user.modified = now
        tx.users.update(user)
    return {}


@operation("AdminResetUserPassword")
def admin_reset_user_password(ctx: Context, request: Request) -> Response:
    """Marks the password for reset; sending the user a code comes with code delivery."""
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _check_resettable(user)
        user.status = UserStatus.RESET_REQUIRED
        user.modified = ctx.clock()
        tx.users.update(user)
    return {}
