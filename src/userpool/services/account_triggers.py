"""The Lambda triggers of the account flows: PreSignUp (SignUp, AdminCreateUser), called on the
new user before anything is stored, so that a refusal leaves nothing behind; PostConfirmation
(ConfirmSignUp, AdminConfirmSignUp, a SignUp the function confirmed, ConfirmForgotPassword),
called once the confirmation is committed: as on Cognito, a function that fails then gives
its error but the user stays confirmed; UserMigration on ForgotPassword for a name the pool
does not know (auth/migration.py creates the user).

Calls are made outside any transaction: a function may take seconds, and no lock is held for
it. ClientMetadata reaches them as each operation's API reference says: SignUp's and
AdminCreateUser's PreSignUp, and PostConfirmation from SignUp, ConfirmSignUp,
AdminConfirmSignUp and ConfirmForgotPassword."""

from __future__ import annotations

from userpool.accounts.lookup import VERIFIED_FLAGS, find_user
from userpool.accounts.trigger_view import trigger_attributes
from userpool.auth import Attempt, migrate
from userpool.domain.errors import InvalidLambdaResponseException
from userpool.domain.models import AppClient, User, UserPool, UserStatus
from userpool.services.context import Context, Request
from userpool.triggers.events import JSONDict, trigger_event
from userpool.triggers.sources import TriggerSource

# What PreSignUp's answer may set, and the attribute each needs.
_AUTO_VERIFIED = {"autoVerifyEmail": "email", "autoVerifyPhone": "phone_number"}


def _call(
    ctx: Context, pool: UserPool, source: TriggerSource, name: str, request: Request, body: JSONDict
) -> JSONDict | None:
    triggers = ctx.runtime.triggers
    if triggers.function_for(pool.settings, source) is None:
        return None
    event = trigger_event(
        source,
        pool_id=pool.id,
        user_name=name,
        client_id=request.get("ClientId"),
        request=body,
        version=triggers.version_for(pool.settings, source),
    )
    return triggers.call(pool.settings, event)


def pre_sign_up(ctx: Context, pool: UserPool, user: User, request: Request) -> bool:
    """Show the function the user about to be stored: it may refuse them (its error is
    raised) and, on SignUp, confirm them and mark their email or phone number verified. On
    AdminCreateUser its answer is ignored: "Response parameters autoVerifyPhone,
    autoVerifyEmail and autoConfirmUser are ignored by Amazon Cognito when the Pre Sign-up
    lambda is triggered by the AdminCreateUser API" (Developer Guide, pre sign-up trigger).

    True where the function verified an attribute: an alias with that value then moves to
    the new user, the previous holder's copy unverified ("If an alias with that email already
    exists, the alias will be moved to the new user", the same page), so store them forcing
    their aliases."""
    admin = user.status is UserStatus.FORCE_CHANGE_PASSWORD
    source = TriggerSource.PRE_SIGN_UP_SIGN_UP
    if admin:
        source = TriggerSource.PRE_SIGN_UP_ADMIN_CREATE_USER
    validation = request.get("ValidationData")
    body = {
        "userAttributes": dict(user.attributes),
        "validationData": _pairs(validation) if validation is not None else None,
        "clientMetadata": dict(request.get("ClientMetadata") or {}),
    }
    answer = _call(ctx, pool, source, user.username, request, body) or {}
    if admin:
        return False
    verified = False
    for flag, attribute in _AUTO_VERIFIED.items():
        if answer.get(flag) is True:
            if not user.attributes.get(attribute):
                raise InvalidLambdaResponseException(
                    f"PreSignUp response sets {flag} but the user has no {attribute}."
                )
            user.attributes[VERIFIED_FLAGS[attribute]] = "true"
            verified = True
    if answer.get("autoConfirmUser") is True:
        user.status = UserStatus.CONFIRMED
    return verified


def post_confirmation(
    ctx: Context, pool: UserPool, user: User, request: Request, source: TriggerSource
) -> None:
    """After a confirmation (of the sign-up or of a new password) has been committed."""
    body = {
        "userAttributes": trigger_attributes(user),
        "clientMetadata": dict(request.get("ClientMetadata") or {}),
    }
    _call(ctx, pool, source, user.username, request, body)


def migrate_for_reset(ctx: Context, pool: UserPool, client: AppClient, request: Request) -> None:
    """ForgotPassword for a name the pool does not know: the user the pool's UserMigration
    function vouches for, created (RESET_REQUIRED) so the reset goes on as theirs."""
    source = TriggerSource.USER_MIGRATION_FORGOT_PASSWORD
    if ctx.runtime.triggers.function_for(pool.settings, source) is None:
        return  # and no read is spent
    with ctx.store.read() as tx:
        if find_user(tx, pool, request["Username"]) is not None:
            return
    metadata = request.get("ClientMetadata") or {}
    attempt = Attempt(ctx.runtime, pool, client, False, ctx.clock(), metadata)
    migrate(attempt, request["Username"], None, source)


def _pairs(entries: list[dict[str, str]]) -> dict[str, str]:
    return {entry["Name"]: entry.get("Value", "") for entry in entries}
