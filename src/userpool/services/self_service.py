"""GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser, ChangePassword: what a
signed-in user does with their own access token."""

from __future__ import annotations

from collections.abc import Iterable

from userpool.accounts.attributes import (
    apply_attribute_changes,
    auto_verified,
    refuse_taken_identifiers,
    remove_attributes,
)
from userpool.accounts.codes import VERIFY_VALIDITY as VALIDITY
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.passwords import check_password, make_password_verifier
from userpool.auth import lockout
from userpool.auth.first_factor import password_matches_verifier
from userpool.domain.errors import LimitExceededException, NotAuthorizedException
from userpool.domain.models import AppClient
from userpool.services.access import caller, check_access_token
from userpool.services.attribute_verification import purpose
from userpool.services.code_delivery import MEDIUMS, issue_code, send
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.users import USER_MFA_FIELDS, attribute_list

UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
ATTEMPTS_EXCEEDED = "Attempt limit exceeded, please try after some time."


def _check_writable(client: AppClient | None, names: Iterable[str]) -> None:
    writable = client.settings.get("WriteAttributes") if client else None
    if writable is not None and not set(names) <= set(writable):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)


@operation("GetUser")
def get_user(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.read() as tx:
        user = caller(tx, token).user
    response: Response = {"Username": user.username, "UserAttributes": attribute_list(user)}
    response.update({name: user.mfa[name] for name in USER_MFA_FIELDS if user.mfa.get(name)})
    return response


@operation("UpdateUserAttributes", sends_messages=True)
def update_user_attributes(ctx: Context, request: Request) -> Response:
    """A changed email or phone number that the pool verifies automatically is sent a code
    (for VerifyUserAttribute), as on Cognito; the others are just unverified."""
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        user = found.user
        _check_writable(
            tx.clients.get(token.client_id), (a["Name"] for a in request["UserAttributes"])
        )
        before = dict(user.attributes)
        apply_attribute_changes(found.pool, user, request["UserAttributes"])
        refuse_taken_identifiers(tx, found.pool, user)
        user.modified = ctx.clock()
        tx.users.update(user)
        to_verify = [
            attribute
            for attribute in auto_verified(found.pool)
            if user.attributes.get(attribute)
            and user.attributes.get(attribute) != before.get(attribute)
            and user.attributes.get(VERIFIED_FLAGS[attribute]) != "true"
        ]
        messages = [
            issue_code(ctx, tx, found.pool, user, MEDIUMS[attribute], purpose(attribute), VALIDITY)
            for attribute in to_verify
        ]
    if not messages:
        return {}
    return {"CodeDeliveryDetailsList": [send(ctx, message) for message in messages]}


@operation("DeleteUserAttributes")
def delete_user_attributes(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        _check_writable(tx.clients.get(token.client_id), request["UserAttributeNames"])
        remove_attributes(found.pool, found.user, request["UserAttributeNames"])
        found.user.modified = ctx.clock()
        tx.users.update(found.user)
    return {}


@operation("DeleteUser")
def delete_user(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        tx.users.delete(caller(tx, token).user)
    return {}


@operation("ChangePassword")
def change_password(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    now = ctx.clock()
    with ctx.store.read() as tx:
        found = caller(tx, token)
        state = tx.lockouts.get(found.user.sub)
    pool, user = found.pool, found.user
    try:
        lockout.check_not_locked(state, now)
    except NotAuthorizedException as error:
        raise LimitExceededException(ATTEMPTS_EXCEEDED) from error
    if user.password is None or not password_matches_verifier(
        pool, user, request["PreviousPassword"]
    ):
        with ctx.store.write() as tx:
            lockout.record_failure(tx, user, now)
        raise NotAuthorizedException("Incorrect username or password.")
    check_password(pool, request["ProposedPassword"])
    user.password = make_password_verifier(
        pool, user.username, request["ProposedPassword"], now, temporary=False
    )
    user.modified = now
    with ctx.store.write() as tx:
        tx.lockouts.clear(user.sub)
        tx.users.update(user)
    return {}
