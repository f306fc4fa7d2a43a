"""SignUp, ConfirmSignUp, ResendConfirmationCode: users who sign themselves up.

A new user is UNCONFIRMED with a permanent password, or with none where the pool and client
allow passwordless sign-in (accounts/passwordless.py). When the pool auto-verifies the
user's phone or email, a confirmation code goes there (the phone first: Cognito verifies
only the phone when both are auto-verified); confirming with it marks that attribute
verified and the user CONFIRMED. Where the client takes USER_AUTH, ConfirmSignUp also
returns a Session that signs the new user in once: the code they just gave stands for
their first factor (InitiateAuth's `Session`, API reference).
"""

from __future__ import annotations

from collections.abc import Iterable

from userpool.accounts import codes
from userpool.accounts.attributes import (
    CREATION_REFUSAL,
    REQUIRED,
    auto_verified,
    pool_schema,
)
from userpool.accounts.creation import new_user, new_user_without_password
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.passwordless import has_way_in, passwordless_allowed, signs_in_by_choice
from userpool.accounts.passwords import check_password
from userpool.accounts.saving import add_user, save_user
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import sign_up_session
from userpool.domain.attributes import developer_only
from userpool.domain.auth_events import EventType
from userpool.domain.client_rules import NOT_WRITABLE, UNAUTHORIZED_WRITE, auth_session_seconds
from userpool.domain.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.domain.messages import Medium, MessagePurpose, Purpose
from userpool.domain.models import AppClient, User, UserPool, UserStatus
from userpool.services import auth_events
from userpool.services.account_triggers import post_confirmation, pre_sign_up
from userpool.services.auth_ops import client_and_pool
from userpool.services.code_delivery import (
    ATTRIBUTES,
    MEDIUMS,
    VERIFICATION_MISMATCH,
    Outgoing,
    account,
    issue_code,
    redeem,
    send,
    stand_in_code,
)
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction
from userpool.triggers.sources import TriggerSource

PURPOSE = "sign-up"
SIGNED_UP = Purpose(PURPOSE, MessagePurpose.SIGN_UP)
RESENT = Purpose(PURPOSE, MessagePurpose.RESEND_CODE)
NOT_PERMITTED = "SignUp is not permitted for this user pool"
USER_EXISTS = "User already exists"
PASSWORD_REQUIRED = "Password is required for this sign-up."
ALREADY_CONFIRMED = "User is already confirmed."
NO_AUTO_VERIFICATION = "Cannot resend codes. Auto verification not turned on."
# Cognito names the `name` attribute by its inner field when it is missing.
_REPORTED_NAMES = {"name": "name.formatted"}


def confirmation_medium(pool: UserPool, user: User) -> Medium | None:
    """Where the confirmation code goes: the first auto-verified attribute the user has."""
    for attribute in auto_verified(pool):
        if user.attributes.get(attribute):
            return MEDIUMS[attribute]
    return None


def _check_open(pool: UserPool) -> None:
    config = pool.settings.get("AdminCreateUserConfig") or {}
    if config.get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException(NOT_PERMITTED)


def _check_writable(pool: UserPool, client: AppClient, names: Iterable[str]) -> None:
    """A client writes its `WriteAttributes`; by default anything but `sub` and the
    verified flags (a user does not verify their own email by saying so); never a
    developer-only attribute."""
    writable = client.settings.get("WriteAttributes")
    given = set(names)
    refused = given & NOT_WRITABLE if writable is None else given - set(writable)
    if refused or given & developer_only(pool_schema(pool).values()):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)


def _check_required(pool: UserPool, attributes: dict[str, str]) -> None:
    missing = [
        _REPORTED_NAMES.get(name, name)
        for name, entry in pool_schema(pool).items()
        if entry.get("Required") and name != "sub" and not attributes.get(name)
    ]
    if missing:
        lines = "".join(f"{name}: {REQUIRED}\n" for name in missing)
        raise InvalidParameterException(CREATION_REFUSAL + lines)


def _new_user(
    ctx: Context, pool: UserPool, request: Request, password: str | None
) -> tuple[User, bool]:
    """The user to store, as the pool's PreSignUp function leaves them, and whether their
    aliases are to be forced over (the function verified their email or phone number)."""
    name, supplied, now = request["Username"], request.get("UserAttributes") or [], ctx.clock()
    unconfirmed = UserStatus.UNCONFIRMED
    if password is None:
        user = new_user_without_password(pool, name, supplied, now, status=unconfirmed)
        # Judged on what the user gave, before PreSignUp: a function that verifies an
        # address does not stand in for the pool auto-verifying it.
        if not has_way_in(pool, user):
            raise InvalidParameterException(PASSWORD_REQUIRED)
    else:
        user = new_user(pool, name, supplied, password, now, status=unconfirmed)
    _check_required(pool, user.attributes)
    return user, pre_sign_up(ctx, pool, user, request)


def _given_password(pool: UserPool, client: AppClient, request: Request) -> str | None:
    """The checked password, or None for a passwordless sign-up (the API reference: "omit
    this parameter or submit a blank value")."""
    password = request.get("Password")
    if password:
        check_password(pool, password)
        return str(password)
    if not passwordless_allowed(pool, client):
        raise InvalidParameterException(PASSWORD_REQUIRED)
    return None


def _confirmation(
    ctx: Context, tx: Transaction, pool: UserPool, user: User, purpose: Purpose
) -> Outgoing | None:
    """A fresh confirmation code, stored in `tx`, and the message to send once it commits."""
    medium = confirmation_medium(pool, user)
    if medium is None:
        return None
    return issue_code(ctx, tx, pool, user, medium, purpose, codes.SIGN_UP_VALIDITY)


@operation("SignUp", sends_messages=True, calls_triggers=True)
def sign_up(ctx: Context, request: Request) -> Response:
    client, pool = client_and_pool(ctx, request["ClientId"], None)
    _check_open(pool)
    check_secret_hash(client, request.get("SecretHash"), request["Username"])
    names = (entry["Name"] for entry in request.get("UserAttributes") or [])
    _check_writable(pool, client, names)
    password = _given_password(pool, client, request)
    user, force_aliases = _new_user(ctx, pool, request, password)
    confirmed = user.status is UserStatus.CONFIRMED
    with ctx.store.write() as tx:
        add_user(tx, pool, user, force=force_aliases, exists_message=USER_EXISTS)
        message = None if confirmed else _confirmation(ctx, tx, pool, user, SIGNED_UP)
        auth_events.record(
            ctx, tx, request, pool, user, EventType.SIGN_UP, passed=True, client=client
        )
    response: Response = {"UserConfirmed": confirmed, "UserSub": user.sub}
    if confirmed:
        post_confirmation(ctx, pool, user, request, TriggerSource.POST_CONFIRMATION_CONFIRM_SIGN_UP)
    if message is not None:
        response["CodeDeliveryDetails"] = send(ctx, message, request)
    return response


def _confirm(tx: Transaction, pool: UserPool, user: User, force: bool, now: float) -> None:
    medium = confirmation_medium(pool, user)
    if medium is not None:
        user.attributes[VERIFIED_FLAGS[ATTRIBUTES[medium]]] = "true"
    user.status = UserStatus.CONFIRMED
    user.modified = now
    save_user(tx, pool, user, force=force)


@operation("ConfirmSignUp", calls_triggers=True)
def confirm_sign_up(ctx: Context, request: Request) -> Response:
    client, pool = client_and_pool(ctx, request["ClientId"], None)
    check_secret_hash(client, request.get("SecretHash"), request["Username"])
    with ctx.store.write() as tx:
        user = account(tx, pool, client, request["Username"])
        if user is None:
            raise CodeMismatchException(VERIFICATION_MISMATCH)
        if user.status is not UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(
                f"User cannot be confirmed. Current status is {user.status.value}"
            )
        failure = redeem(ctx, tx, user, PURPOSE, request["ConfirmationCode"])
        if failure is None:
            force = bool(request.get("ForceAliasCreation"))
            _confirm(tx, pool, user, force, ctx.clock())
    if failure is not None:
        raise failure
    post_confirmation(ctx, pool, user, request, TriggerSource.POST_CONFIRMATION_CONFIRM_SIGN_UP)
    if not signs_in_by_choice(client):
        return {}
    expires = ctx.clock() + auth_session_seconds(client.settings)
    # The session names the stored username: the engine finds the user by it.
    return {"Session": sign_up_session(ctx.runtime, pool.id, client.id, user.username, expires)}


@operation("ResendConfirmationCode", sends_messages=True, calls_triggers=True)
def resend_confirmation_code(ctx: Context, request: Request) -> Response:
    client, pool = client_and_pool(ctx, request["ClientId"], None)
    name = request["Username"]
    check_secret_hash(client, request.get("SecretHash"), name)
    with ctx.store.write() as tx:
        user = account(tx, pool, client, name)
        if user is None:  # a hidden user: the same work short of delivering (stand_in_code)
            validity = codes.SIGN_UP_VALIDITY
            preferred = auto_verified(pool)
            message = stand_in_code(ctx, tx, pool, name, preferred, RESENT, validity)
        else:
            message = _resent_confirmation(ctx, tx, pool, user)
            resent = EventType.RESEND_CODE
            auth_events.record(ctx, tx, request, pool, user, resent, passed=True, client=client)
    return {"CodeDeliveryDetails": send(ctx, message, request, rehearsal=user is None)}


def _resent_confirmation(ctx: Context, tx: Transaction, pool: UserPool, user: User) -> Outgoing:
    if user.status is not UserStatus.UNCONFIRMED:
        raise InvalidParameterException(ALREADY_CONFIRMED)
    message = _confirmation(ctx, tx, pool, user, RESENT)
    if message is None:
        raise InvalidParameterException(NO_AUTO_VERIFICATION)
    return message
