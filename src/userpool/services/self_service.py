"""GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser, ChangePassword: what a
signed-in user does with their own access token."""

from __future__ import annotations

from collections.abc import Iterable

from userpool.accounts import lockout
from userpool.accounts.attributes import (
    apply_attribute_changes,
    auto_verified,
    pool_schema,
    remove_attributes,
)
from userpool.accounts.codes import VERIFY_VALIDITY as VALIDITY
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.passwords import (
    check_password,
    has_password,
    make_password_verifier,
    password_matches,
)
from userpool.accounts.saving import save_user
from userpool.domain.attributes import developer_only
from userpool.domain.auth_events import EventType
from userpool.domain.client_rules import UNAUTHORIZED_WRITE
from userpool.domain.errors import (
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
)
from userpool.domain.models import AppClient, UserPool
from userpool.services import auth_events
from userpool.services.access import caller, check_access_token
from userpool.services.attribute_verification import changed
from userpool.services.code_delivery import MEDIUMS, issue_code, send
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.users import USER_MFA_FIELDS, attribute_list

ATTEMPTS_EXCEEDED = "Attempt limit exceeded, please try after some time."


def _check_writable(pool: UserPool, client: AppClient | None, names: Iterable[str]) -> None:
    """A user writes what their client's WriteAttributes names (all, without it), never a
    developer-only attribute."""
    wanted = set(names)
    writable = client.settings.get("WriteAttributes") if client else None
    refused = wanted & developer_only(pool_schema(pool).values())
    if refused or (writable is not None and not wanted <= set(writable)):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)


@operation("GetUser")
def get_user(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.read() as tx:
        user = caller(tx, token).user
    response: Response = {"Username": user.username, "UserAttributes": attribute_list(user)}
    response.update({name: user.mfa[name] for name in USER_MFA_FIELDS if user.mfa.get(name)})
    return response


@operation("UpdateUserAttributes", sends_messages=True, calls_triggers=True)
def update_user_attributes(ctx: Context, request: Request) -> Response:
    """A changed email or phone number that the pool verifies automatically is sent a code
    (for VerifyUserAttribute), as on Cognito; the others are just unverified."""
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        user = found.user
        names = (a["Name"] for a in request["UserAttributes"])
        _check_writable(found.pool, tx.clients.get(token.client_id), names)
        before = dict(user.attributes)
        apply_attribute_changes(found.pool, user, request["UserAttributes"])
        user.modified = ctx.clock()
        save_user(tx, found.pool, user)
        to_verify = [
            attribute
            for attribute in auto_verified(found.pool)
            if user.attributes.get(attribute)
            and user.attributes.get(attribute) != before.get(attribute)
            and user.attributes.get(VERIFIED_FLAGS[attribute]) != "true"
        ]
        messages = [
            issue_code(ctx, tx, found.pool, user, MEDIUMS[attribute], changed(attribute), VALIDITY)
            for attribute in to_verify
        ]
    if not messages:
        return {}
    return {"CodeDeliveryDetailsList": [send(ctx, message, request) for message in messages]}


@operation("DeleteUserAttributes")
def delete_user_attributes(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        names = request["UserAttributeNames"]
        _check_writable(found.pool, tx.clients.get(token.client_id), names)
        remove_attributes(found.pool, found.user, request["UserAttributeNames"])
        found.user.modified = ctx.clock()
        save_user(tx, found.pool, found.user)
    return {}


@operation("DeleteUser")
def delete_user(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        tx.users.delete(caller(tx, token).user)
    return {}


@operation("ChangePassword")
def change_password(ctx: Context, request: Request) -> Response:
    """The previous password is a proof like a sign-in's, under the same lockout (with
    Cognito's LimitExceededException for it). It is checked outside a transaction (a
    modexp); the change is made in a write that reads the user again and goes ahead only if
    the password proven is still theirs and no lock has been put in force meanwhile."""
    token = check_access_token(ctx, request["AccessToken"])
    now = ctx.clock()
    with ctx.store.read() as tx:
        found = caller(tx, token)
        state = tx.lockouts.get(found.user.sub)
    pool, user = found.pool, found.user
    if lockout.is_locked(state, now):
        raise LimitExceededException(ATTEMPTS_EXCEEDED)
    previous = request.get("PreviousPassword")
    if has_password(user) and previous is None:
        raise InvalidParameterException("Missing required parameter PreviousPassword")
    proven = not has_password(user) or password_matches(pool, user, previous or "")
    if proven:
        check_password(pool, request["ProposedPassword"])
    new = make_password_verifier(
        pool, user.username, request["ProposedPassword"], now, temporary=False
    )
    with ctx.store.write() as tx:
        current = caller(tx, token).user
        holds = proven and (current.password, current.imported_hash) == (
            user.password,
            user.imported_hash,
        )
        auth_events.record(ctx, tx, request, pool, user, EventType.PASSWORD_CHANGE, passed=holds)
        if not holds:
            counted = lockout.record_failure(tx, pool.id, user.sub, now)
        else:
            try:
                lockout.admit(tx, user.sub, now)
            except NotAuthorizedException as error:
                raise LimitExceededException(ATTEMPTS_EXCEEDED) from error
            current.password = new
            current.modified = now
            save_user(tx, pool, current)
            return {}
    if not counted:
        raise LimitExceededException(ATTEMPTS_EXCEEDED)
    raise NotAuthorizedException("Incorrect username or password.")
