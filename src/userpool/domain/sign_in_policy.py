"""A pool's sign-in policy (Policies.SignInPolicy): the factors USER_AUTH may start with.

The model already limits the values (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN) and the count
(1 to 4); Cognito adds that a password is always among them (passwordless factors are offered
beside it, never instead of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.domain.errors import InvalidParameterException

PASSWORD = "PASSWORD"
EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
WEB_AUTHN = "WEB_AUTHN"
FACTORS = (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN)  # the model's order
DEFAULT_FACTORS = (PASSWORD,)

NEEDS_PASSWORD = "Password should be configured as one of the allowed first auth factors."
# Newer service models list SOFTWARE_TOKEN among the factors, and say it cannot start a
# sign-in (no refusal of it has been seen: this wording is ours).
NOT_FIRST_FACTOR = "{} is not supported as a first auth factor."


def normalized(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """The policy as Cognito keeps it: a policy that names no factors allows the password."""
    factors = (policy or {}).get("AllowedFirstAuthFactors") or list(DEFAULT_FACTORS)
    return {**(policy or {}), "AllowedFirstAuthFactors": list(factors)}


def check(policy: Mapping[str, Any]) -> None:
    factors = policy.get("AllowedFirstAuthFactors", DEFAULT_FACTORS)
    for factor in factors:
        if factor not in FACTORS:
            raise InvalidParameterException(NOT_FIRST_FACTOR.format(factor))
    if PASSWORD not in factors:
        raise InvalidParameterException(NEEDS_PASSWORD)


def first_factors(settings: Mapping[str, Any]) -> list[str]:
    """The factors a pool (its stored settings) lets USER_AUTH start with."""
    policies = settings.get("Policies") or {}
    return list(normalized(policies.get("SignInPolicy"))["AllowedFirstAuthFactors"])
