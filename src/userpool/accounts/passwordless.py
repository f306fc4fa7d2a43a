"""Who may sign up without a password (SignUp with no `Password`).

The Developer Guide ("Signing up and confirming user accounts", Passwords at sign-up) lets a
user omit the password only when all of these hold: passwordless sign-in is active in the
user pool (its SignInPolicy allows a first factor besides PASSWORD) and in the app client
(ALLOW_USER_AUTH); the user gives a value for an attribute a passwordless factor uses (email
for EMAIL_OTP, phone_number for SMS_OTP); and the pool auto-verifies that attribute. The last
two are what make the account usable: the confirmation code proves the address, which is
then the user's way in. A pool that allows passkeys only has no such attribute of its own;
there any auto-verified address will do, because the Session ConfirmSignUp returns signs the
user in once, long enough to register a passkey.
"""

from __future__ import annotations

from userpool.accounts.attributes import auto_verified
from userpool.domain.client_rules import allowed_flows
from userpool.domain.models import AppClient, User, UserPool
from userpool.domain.sign_in_policy import EMAIL_OTP, SMS_OTP, WEB_AUTHN, first_factors

USER_AUTH = "ALLOW_USER_AUTH"
CODE_ATTRIBUTES = {EMAIL_OTP: "email", SMS_OTP: "phone_number"}


def signs_in_by_choice(client: AppClient) -> bool:
    """Whether the client takes choice-based sign-in (USER_AUTH), where a new user's
    confirmation can sign them in."""
    return USER_AUTH in allowed_flows(client.settings)


def passwordless_allowed(pool: UserPool, client: AppClient) -> bool:
    """Whether the pool and the client let anyone sign in without a password."""
    factors = set(first_factors(pool.settings))
    return bool(factors & {EMAIL_OTP, SMS_OTP, WEB_AUTHN}) and signs_in_by_choice(client)


def has_way_in(pool: UserPool, user: User) -> bool:
    """Whether `user`, given no password, has an auto-verified address a passwordless factor
    of the pool can use (see the module's docstring for passkey-only pools)."""
    factors = set(first_factors(pool.settings))
    usable = {attribute for factor, attribute in CODE_ATTRIBUTES.items() if factor in factors}
    if WEB_AUTHN in factors:
        usable |= set(CODE_ATTRIBUTES.values())
    return any(
        user.attributes.get(attribute) for attribute in auto_verified(pool) if attribute in usable
    )
