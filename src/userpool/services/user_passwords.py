"""AdminSetUserPassword and AdminResetUserPassword."""

from __future__ import annotations

from userpool.accounts import codes
from userpool.accounts.lookup import VERIFIED_FLAGS, require_user
from userpool.accounts.passwords import check_password, make_password_verifier
from userpool.accounts.resources import require_pool
from userpool.accounts.saving import save_user
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException
from userpool.domain.models import User, UserStatus
from userpool.services import forgot_password
from userpool.services.code_delivery import issue_code, send
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation


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
        save_user(tx, pool, user)
    return {}


@operation("AdminResetUserPassword", sends_messages=True, calls_triggers=True)
def admin_reset_user_password(ctx: Context, request: Request) -> Response:
    """Marks the password for reset and, as Cognito does, sends the user a reset code (the
    one ConfirmForgotPassword takes) to their first verified recovery attribute."""
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _check_resettable(user)
        user.status = UserStatus.RESET_REQUIRED
        user.modified = ctx.clock()
        save_user(tx, pool, user)
        medium = forgot_password.recovery_medium(pool, user)
        message = None
        if medium is not None:
            validity = codes.FORGOT_PASSWORD_VALIDITY
            message = issue_code(ctx, tx, pool, user, medium, forgot_password.RESETTING, validity)
    if message is not None:
        send(ctx, message, request)
    return {}
