"""SetUserPoolMfaConfig, GetUserPoolMfaConfig.

Where the configuration lives in the pool's settings:
- `MfaConfiguration` (OFF / ON / OPTIONAL): the same setting DescribeUserPool returns.
- `SmsConfiguration`, `SmsAuthenticationMessage`: the pool's own SMS settings; SMS MFA uses them.
- `MfaFactors`: `{"SmsMfa": bool, "SoftwareTokenMfaConfiguration": {...},
  "EmailMfaConfiguration": {...}, "WebAuthnConfiguration": {...}}`, each block as last set.
  A pool that was never given one has SMS MFA exactly when MFA is not OFF: the MFA that
  CreateUserPool turns on is SMS MFA, as on AWS.

SetUserPoolMfaConfig replaces the whole configuration, as on AWS: an omitted MfaConfiguration
means OFF and an omitted block turns its factor off.
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.accounts.resources import require_pool
from userpool.domain import tier_rules
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import UserPool
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

FACTORS = "MfaFactors"
FACTOR_BLOCKS = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")
STORED_BLOCKS = ("SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "WebAuthnConfiguration")
SMS_SETTINGS = ("SmsAuthenticationMessage", "SmsConfiguration")

OFF_WITH_FACTOR = (
    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
)
NO_FACTOR = (
    "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
)
EMAIL_NEEDS_DEVELOPER = (
    "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an "
    "EmailSendingAccount of COGNITO_DEFAULT"
)
SMS_NEEDS_CONFIGURATION = (
    "SMS configuration and Auto verification for phone_number are required when MFA is "
    "required/optional"
)
OTP_FIRST_FACTOR = (
    "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if MFA is enabled"
)
WEBAUTHN_SINGLE_FACTOR = (
    "Cannot set WebAuthn factor configuration to SINGLE_FACTOR if MFA is required and WebAuthn "
    "is an allowed first auth factor"
)


def _block(request: Request, name: str) -> dict[str, Any] | None:
    value = request.get(name)
    return value if isinstance(value, dict) else None


def _factor_count(request: Request) -> int:
    token = _block(request, "SoftwareTokenMfaConfiguration") or {}
    return sum(
        (
            _block(request, "SmsMfaConfiguration") is not None,
            bool(token.get("Enabled")),
            _block(request, "EmailMfaConfiguration") is not None,
        )
    )


def _check_sms(pool: UserPool, request: Request) -> None:
    sms = _block(request, "SmsMfaConfiguration")
    if sms is not None and not (
        sms.get("SmsConfiguration") or pool.settings.get("SmsConfiguration")
    ):
        raise InvalidParameterException(SMS_NEEDS_CONFIGURATION)


def _check_email(pool: UserPool, request: Request) -> None:
    """Email MFA (on the pool's plan: checked first, as Cognito does) sends through SES."""
    if _block(request, "EmailMfaConfiguration") is None:
        return
    tier_rules.check_email_mfa(pool)
    email = pool.settings.get("EmailConfiguration") or {}
    if email.get("EmailSendingAccount", "COGNITO_DEFAULT") != "DEVELOPER":
        raise InvalidParameterException(EMAIL_NEEDS_DEVELOPER)


def _check_first_factors(pool: UserPool, request: Request) -> None:
    """With MFA required, sign-in may not start with a one-time code or a lone passkey."""
    policy = (pool.settings.get("Policies") or {}).get("SignInPolicy") or {}
    first = set(policy.get("AllowedFirstAuthFactors") or [])
    if first & {"EMAIL_OTP", "SMS_OTP"}:
        raise InvalidParameterException(OTP_FIRST_FACTOR)
    webauthn = _block(request, "WebAuthnConfiguration") or {}
    multi = webauthn.get("FactorConfiguration") == "MULTI_FACTOR_WITH_USER_VERIFICATION"
    if "WEB_AUTHN" in first and not multi:
        raise InvalidParameterException(WEBAUTHN_SINGLE_FACTOR)


def _check(pool: UserPool, request: Request, mode: str) -> None:
    if _block(request, "WebAuthnConfiguration") is not None:
        tier_rules.check_webauthn(pool)  # passkeys need the Essentials plan, MFA or not
    if mode == "OFF":
        if any(_block(request, name) is not None for name in FACTOR_BLOCKS):
            raise InvalidParameterException(OFF_WITH_FACTOR)
        return
    _check_email(pool, request)
    if _factor_count(request) == 0:
        raise InvalidParameterException(NO_FACTOR)
    _check_sms(pool, request)
    if mode == "ON":
        _check_first_factors(pool, request)


def _store(pool: UserPool, request: Request, mode: str) -> None:
    settings = pool.settings
    settings["MfaConfiguration"] = mode
    sms = _block(request, "SmsMfaConfiguration")
    for name in SMS_SETTINGS:
        if sms is not None and sms.get(name) is not None:
            settings[name] = copy.deepcopy(sms[name])
    factors: dict[str, Any] = {"SmsMfa": sms is not None}
    for name in STORED_BLOCKS:
        if _block(request, name) is not None:
            factors[name] = copy.deepcopy(request[name])
    settings[FACTORS] = factors


def _view(pool: UserPool) -> Response:
    settings = pool.settings
    mode = settings.get("MfaConfiguration", "OFF")
    factors = settings.get(FACTORS) or {"SmsMfa": mode != "OFF"}
    response: Response = {"MfaConfiguration": mode}
    if mode != "OFF" and factors["SmsMfa"]:
        sms = {name: copy.deepcopy(settings[name]) for name in SMS_SETTINGS if name in settings}
        response["SmsMfaConfiguration"] = sms
    for name in STORED_BLOCKS:
        if name in factors and (mode != "OFF" or name == "WebAuthnConfiguration"):
            response[name] = copy.deepcopy(factors[name])
    return response


def configure(pool: UserPool, request: Request) -> None:
    """Check SetUserPoolMfaConfig's `request` and set it in `pool`'s settings (not stored)."""
    mode = request.get("MfaConfiguration") or "OFF"
    _check(pool, request, mode)
    _store(pool, request, mode)


@operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        configure(pool, request)
        pool.modified = ctx.clock()
        tx.pools.update(pool)
    return _view(pool)


@operation("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
    return _view(pool)
