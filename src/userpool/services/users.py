"""AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
AdminConfirmSignUp, and how a user is shown on the wire."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from userpool.accounts.creation import new_user
from userpool.accounts.lookup import require_user
from userpool.accounts.passwords import make_password_verifier, temporary_password
from userpool.accounts.resources import require_pool
from userpool.accounts.saving import add_user, save_user
from userpool.domain.errors import (
    NotAuthorizedException,
    UnsupportedUserStateException,
)
from userpool.domain.models import User, UserPool, UserStatus
from userpool.services.account_triggers import post_confirmation, pre_sign_up
from userpool.services.code_delivery import Outgoing
from userpool.services.context import Context, Request, Response
from userpool.services.invitations import invitations, send_invitations
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction
from userpool.triggers.sources import TriggerSource

# What `User.mfa` may hold, under Cognito's names; each is shown only once it is set.
USER_MFA_FIELDS = ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList")


def attribute_list(user: User, names: Collection[str] | None = None) -> list[dict[str, str]]:
    """The user's attributes as `[{Name, Value}]`, `sub` first; only `names` when given."""
    values = {"sub": user.sub, **user.attributes}
    return [
        {"Name": name, "Value": value}
        for name, value in values.items()
        if names is None or name in names
    ]


def user_type(user: User, names: Collection[str] | None = None) -> Response:
    """Cognito's `UserType`, as AdminCreateUser and ListUsers return it."""
    view: dict[str, Any] = {
        "Username": user.username,
        "Attributes": attribute_list(user, names),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.value,
    }
    if user.mfa.get("MFAOptions"):
        view["MFAOptions"] = user.mfa["MFAOptions"]
    return view


def _invited(ctx: Context, pool: UserPool, request: Request) -> tuple[User, list[Outgoing]]:
    """The user to store, as the pool's PreSignUp function leaves them, and their
    invitations (checked first: a medium asked for needs its attribute)."""
    password = temporary_password(pool, request.get("TemporaryPassword"))
    user = new_user(
        pool,
        request["Username"],
        request.get("UserAttributes") or [],
        password,
        ctx.clock(),
        status=UserStatus.FORCE_CHANGE_PASSWORD,
    )
    invites = invitations(pool, user, password, request)
    pre_sign_up(ctx, pool, user, request)
    return user, invites


def _reinvite(ctx: Context, tx: Transaction, pool: UserPool, request: Request) -> tuple[User, str]:
    """MessageAction RESEND: a new temporary password for a user who has not signed in yet."""
    user = require_user(tx, pool, request["Username"])
    if user.status is not UserStatus.FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD"
        )
    password = temporary_password(pool, request.get("TemporaryPassword"))
    now = ctx.clock()
    user.password = make_password_verifier(pool, user.username, password, now, temporary=True)
    user.modified = now
    save_user(tx, pool, user)
    return user, password


@operation("AdminCreateUser", sends_messages=True, calls_triggers=True)
def admin_create_user(ctx: Context, request: Request) -> Response:
    """The invitation is sent once the user is committed (see `invitations`); the pool's
    PreSignUp function sees a new user before anything is stored."""
    if request.get("MessageAction") == "RESEND":
        with ctx.store.write() as tx:
            pool = require_pool(tx, request["UserPoolId"])
            user, password = _reinvite(ctx, tx, pool, request)
            invites = invitations(pool, user, password, request)
    else:
        with ctx.store.read() as tx:
            pool = require_pool(tx, request["UserPoolId"])
        user, invites = _invited(ctx, pool, request)
        with ctx.store.write() as tx:
            pool = require_pool(tx, request["UserPoolId"])  # still there
            add_user(tx, pool, user, force=bool(request.get("ForceAliasCreation")))
    send_invitations(ctx, invites, request)
    return {"User": user_type(user)}


@operation("AdminGetUser")
def admin_get_user(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
    response: Response = {
        "Username": user.username,
        "UserAttributes": attribute_list(user),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.value,
    }
    response.update({field: user.mfa[field] for field in USER_MFA_FIELDS if user.mfa.get(field)})
    return response


@operation("AdminDeleteUser")
def admin_delete_user(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        tx.users.delete(user)
    return {}


def _set_enabled(ctx: Context, request: Request, enabled: bool) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        user.enabled = enabled
        user.modified = ctx.clock()
        save_user(tx, pool, user)
        if not enabled:  # Cognito: disabling a user revokes all of their tokens
            tx.refresh_tokens.revoke_user(pool.id, user.sub)
    return {}


@operation("AdminDisableUser")
def admin_disable_user(ctx: Context, request: Request) -> Response:
    return _set_enabled(ctx, request, enabled=False)


@operation("AdminEnableUser")
def admin_enable_user(ctx: Context, request: Request) -> Response:
    return _set_enabled(ctx, request, enabled=True)


@operation("AdminConfirmSignUp", calls_triggers=True)
def admin_confirm_sign_up(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        if user.status is not UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(
                f"User cannot be confirmed. Current status is {user.status.value}"
            )
        user.status = UserStatus.CONFIRMED
        user.modified = ctx.clock()
        save_user(tx, pool, user)
    post_confirmation(ctx, pool, user, request, TriggerSource.POST_CONFIRMATION_CONFIRM_SIGN_UP)
    return {}
