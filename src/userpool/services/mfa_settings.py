"""SetUserMFAPreference, AdminSetUserMFAPreference, SetUserSettings, AdminSetUserSettings:
which second factors a user has turned on, and which one they prefer. The state is kept by
accounts/mfa, which also derives what GetUser and AdminGetUser show
(UserMFASettingList, PreferredMfaSetting, MFAOptions).

A factor turns on only where it can reach the user: SMS and email need a phone number or an
email address (unverified is fine: Cognito verifies it with the first code), TOTP a verified
authenticator, and email MFA a pool that offers it. Turning one off also drops it as the
preference. A block without `Enabled` leaves that factor as it is.
"""

from __future__ import annotations

from typing import Any

from userpool.accounts import mfa as factors
from userpool.accounts.lookup import require_user
from userpool.accounts.mfa import (
    EMAIL_NOT_OFFERED,
    EMAIL_OTP,
    NOT_VERIFIED,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    UserFactors,
)
from userpool.accounts.resources import require_pool
from userpool.accounts.saving import save_user
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User, UserPool
from userpool.services.access import caller, check_access_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

BLOCKS = {
    "SMSMfaSettings": SMS_MFA,
    "SoftwareTokenMfaSettings": SOFTWARE_TOKEN_MFA,
    "EmailMfaSettings": EMAIL_OTP,
}
NO_DELIVERY = "User does not have delivery config set to turn on {}"
ONE_PREFERRED = "Only one MFA type can be set as preferred."
PREFERRED_OFF = "The preferred MFA type must be enabled."
SMS_OPTIONS_ONLY = "Only SMS delivery to phone_number can be set in MFAOptions."


def _check_can_enable(pool: UserPool, user: User, mine: UserFactors, factor: str) -> None:
    if factor == EMAIL_OTP and EMAIL_OTP not in factors.pool_factors(pool):
        raise InvalidParameterException(EMAIL_NOT_OFFERED)
    if factor == SOFTWARE_TOKEN_MFA:
        if mine.token is None:
            raise InvalidParameterException(
                NOT_VERIFIED if mine.pending else NO_DELIVERY.format(factor)
            )
    elif factors.contact(user, factor) is None:
        raise InvalidParameterException(NO_DELIVERY.format(factor))


def _set_preference(pool: UserPool, user: User, request: Request) -> None:
    mine = factors.read(user)
    blocks: dict[str, dict[str, Any]] = {
        factor: request[name] for name, factor in BLOCKS.items() if request.get(name) is not None
    }
    preferred = [factor for factor, block in blocks.items() if block.get("PreferredMfa")]
    if len(preferred) > 1:
        raise InvalidParameterException(ONE_PREFERRED)
    for factor, block in blocks.items():
        if block.get("Enabled"):
            _check_can_enable(pool, user, mine, factor)
            mine.enable(factor)
        elif block.get("Enabled") is False:
            mine.disable(factor)
        if block.get("PreferredMfa") is False and mine.preferred == factor:
            mine.preferred = None
    if preferred:
        if preferred[0] not in mine.enabled:
            raise InvalidParameterException(PREFERRED_OFF)
        mine.preferred = preferred[0]
    factors.write(user, mine)


def _set_sms_options(user: User, options: list[dict[str, str]]) -> None:
    """The legacy MFAOptions: SMS to the phone number on (one entry) or off (none)."""
    if any(
        option.get("DeliveryMedium") != "SMS"
        or option.get("AttributeName", "phone_number") != "phone_number"
        for option in options
    ):
        raise InvalidParameterException(SMS_OPTIONS_ONLY)
    mine = factors.read(user)
    if options:
        if factors.contact(user, SMS_MFA) is None:
            raise InvalidParameterException(NO_DELIVERY.format(SMS_MFA))
        mine.enable(SMS_MFA)
    else:
        mine.disable(SMS_MFA)
    factors.write(user, mine)


@operation("SetUserMFAPreference")
def set_user_mfa_preference(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        _set_preference(found.pool, found.user, request)
        found.user.modified = ctx.clock()
        save_user(tx, found.pool, found.user)
    return {}


@operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _set_preference(pool, user, request)
        user.modified = ctx.clock()
        save_user(tx, pool, user)
    return {}


@operation("SetUserSettings")
def set_user_settings(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        _set_sms_options(found.user, request["MFAOptions"])
        found.user.modified = ctx.clock()
        save_user(tx, found.pool, found.user)
    return {}


@operation("AdminSetUserSettings")
def admin_set_user_settings(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _set_sms_options(user, request["MFAOptions"])
        user.modified = ctx.clock()
        save_user(tx, pool, user)
    return {}
