"""GetUserAuthFactors and AdminGetUserAuthFactors: a user's MFA settings (as GetUser shows
them) and the factors a USER_AUTH sign-in could start with for them.

ConfiguredUserAuthFactors is what the pool's sign-in policy allows and the user can answer:
- PASSWORD: the user has a password;
- EMAIL_OTP / SMS_OTP: the pool allows it and the user's email / phone number is verified
  (a code only goes to an address the user has proven);
- WEB_AUTHN: the pool allows it and the user has registered a passkey.
A user who must still replace a temporary password has the password alone. This is the rule
USER_AUTH offers first factors by (auth/choice.py, whose inner modules stay auth's own), so
the list names exactly what a SELECT_CHALLENGE would offer, PASSWORD standing for both
password challenges.
"""

from __future__ import annotations

from userpool.accounts.lookup import VERIFIED_FLAGS, require_user
from userpool.accounts.passwords import has_password
from userpool.accounts.resources import require_pool
from userpool.domain import sign_in_policy as policy
from userpool.domain.models import User, UserPool, UserStatus
from userpool.services.access import caller, check_access_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.users import USER_MFA_FIELDS
from userpool.storage.repositories import Transaction

# The one-time-code factors and the attribute each code is sent to.
CODE_FACTORS = {policy.EMAIL_OTP: "email", policy.SMS_OTP: "phone_number"}


def _verified(user: User, attribute: str) -> bool:
    return bool(user.attributes.get(attribute)) and (
        user.attributes.get(VERIFIED_FLAGS[attribute]) == "true"
    )


def configured_factors(tx: Transaction, pool: UserPool, user: User) -> list[str]:
    """The factors, in the model's order."""
    if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
        return [policy.PASSWORD]
    allowed = set(policy.first_factors(pool.settings))
    usable = {
        policy.PASSWORD: has_password(user),
        **{factor: _verified(user, name) for factor, name in CODE_FACTORS.items()},
        # Counted only when the pool offers passkeys: the common case costs no query.
        policy.WEB_AUTHN: policy.WEB_AUTHN in allowed and tx.passkeys.count(pool.id, user.sub) > 0,
    }
    return [factor for factor in policy.FACTORS if factor in allowed and usable[factor]]


def _response(tx: Transaction, pool: UserPool, user: User) -> Response:
    response: Response = {"Username": user.username}
    for name in USER_MFA_FIELDS:
        if name != "MFAOptions" and user.mfa.get(name):
            response[name] = user.mfa[name]
    response["ConfiguredUserAuthFactors"] = configured_factors(tx, pool, user)
    return response


@operation("GetUserAuthFactors")
def get_user_auth_factors(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.read() as tx:
        found = caller(tx, token)
        return _response(tx, found.pool, found.user)


@operation("AdminGetUserAuthFactors")
def admin_get_user_auth_factors(ctx: Context, request: Request) -> Response:
    """Served once the installed botocore's model has the operation (the dispatcher only
    routes operations the model lists)."""
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        return _response(tx, pool, user)
