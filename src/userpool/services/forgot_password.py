"""ForgotPassword and ConfirmForgotPassword: a reset code to a verified email or phone, valid
for an hour, and a new password with it.

The code goes to the first verified attribute in the pool's `AccountRecoverySetting`
(by priority); without that setting, Cognito's legacy order: the phone, then the email.
The old password keeps working until the reset is confirmed.
"""

from __future__ import annotations

from userpool.accounts import codes
from userpool.accounts.attributes import auto_verified
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.passwords import check_password, make_password_verifier
from userpool.accounts.saving import save_user
from userpool.accounts.secret_hash import check_secret_hash
from userpool.domain.auth_events import EventType
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.domain.messages import Medium, MessagePurpose, Purpose
from userpool.domain.models import AppClient, User, UserPool, UserStatus
from userpool.services import auth_events
from userpool.services.account_triggers import migrate_for_reset, post_confirmation
from userpool.services.auth_ops import client_and_pool
from userpool.services.code_delivery import (
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

PURPOSE = "forgot-password"
RESETTING = Purpose(PURPOSE, MessagePurpose.FORGOT_PASSWORD)
NO_RECOVERY = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
CANNOT_RESET = "User password cannot be reset in the current state."
LEGACY_RECOVERY = ("phone_number", "email")
_MECHANISMS = {"verified_email": "email", "verified_phone_number": "phone_number"}
# Users whose password is not theirs to reset: an administrator's invitation is pending,
# or a federated provider owns the account.
_NOT_RESETTABLE = (UserStatus.FORCE_CHANGE_PASSWORD, UserStatus.EXTERNAL_PROVIDER)


def recovery_attributes(pool: UserPool) -> list[str]:
    """The attributes a reset code may go to, in the pool's order (`admin_only`: none)."""
    setting = pool.settings.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: m["Priority"])
    if not mechanisms:
        return list(LEGACY_RECOVERY)
    return [_MECHANISMS[m["Name"]] for m in mechanisms if m["Name"] in _MECHANISMS]


def recovery_medium(pool: UserPool, user: User) -> Medium | None:
    for attribute in recovery_attributes(pool):
        if (
            user.attributes.get(attribute)
            and user.attributes.get(VERIFIED_FLAGS[attribute]) == "true"
        ):
            return MEDIUMS[attribute]
    return None


def _stand_in(ctx: Context, tx: Transaction, pool: UserPool, name: str) -> Outgoing:
    """For a hidden user, a code that seems to go to the recovery attributes the pool also
    verifies, else to the recovery order (see code_delivery.stand_in_code)."""
    recovery = recovery_attributes(pool)
    verified = set(auto_verified(pool))
    order = [attribute for attribute in recovery if attribute in verified] or recovery
    return stand_in_code(ctx, tx, pool, name, order, RESETTING, codes.FORGOT_PASSWORD_VALIDITY)


@operation("ForgotPassword", sends_messages=True, calls_triggers=True)
def forgot_password(ctx: Context, request: Request) -> Response:
    client, pool = client_and_pool(ctx, request["ClientId"], None)
    name = request["Username"]
    check_secret_hash(client, request.get("SecretHash"), name)
    migrate_for_reset(ctx, pool, client, request)
    with ctx.store.write() as tx:
        user = account(tx, pool, client, name)
        medium = None if user is None else _resettable_medium(pool, client, user)
        if user is None or medium is None:
            message = _stand_in(ctx, tx, pool, name)
        else:
            validity = codes.FORGOT_PASSWORD_VALIDITY
            message = issue_code(ctx, tx, pool, user, medium, RESETTING, validity)
        if user is not None:  # a reset asked for, and whether a code went anywhere
            reset = EventType.FORGOT_PASSWORD
            sent = medium is not None
            auth_events.record(ctx, tx, request, pool, user, reset, passed=sent, client=client)
    return {"CodeDeliveryDetails": send(ctx, message, request, rehearsal=medium is None)}


def _resettable_medium(pool: UserPool, client: AppClient, user: User) -> Medium | None:
    """Where `user`'s reset code goes; None where there is nowhere and the client hides why
    (the request then goes on as for a missing user); else Cognito's refusal."""
    if user.status in _NOT_RESETTABLE:
        raise NotAuthorizedException(CANNOT_RESET)
    medium = recovery_medium(pool, user)
    if medium is None and not hides_user_existence(client.settings):
        raise InvalidParameterException(NO_RECOVERY)
    return medium


@operation("ConfirmForgotPassword", calls_triggers=True)
def confirm_forgot_password(ctx: Context, request: Request) -> Response:
    client, pool = client_and_pool(ctx, request["ClientId"], None)
    check_secret_hash(client, request.get("SecretHash"), request["Username"])
    password = request["Password"]
    check_password(pool, password)
    with ctx.store.write() as tx:
        user = account(tx, pool, client, request["Username"])
        if user is None:
            raise CodeMismatchException(VERIFICATION_MISMATCH)
        failure = redeem(ctx, tx, user, PURPOSE, request["ConfirmationCode"])
        if failure is None:
            now = ctx.clock()
            user.password = make_password_verifier(
                pool, user.username, password, now, temporary=False
            )
            user.status = UserStatus.CONFIRMED
            user.modified = now
            save_user(tx, pool, user)
            tx.lockouts.clear(user.sub)
        reset, passed = EventType.FORGOT_PASSWORD, failure is None
        auth_events.record(ctx, tx, request, pool, user, reset, passed=passed, client=client)
    if failure is not None:
        raise failure
    source = TriggerSource.POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD
    post_confirmation(ctx, pool, user, request, source)
    return {}
