"""UserMigration: a name this pool does not know, signing in with a password (or asking for
a password reset), may be a user of the system the pool replaces. The pool's function is
asked; a user it vouches for is created here, with the attributes and status it gives and,
on a sign-in, the password they just gave kept as their SRP verifier; the sign-in then goes
on as theirs. A function that finds nobody (no userAttributes) leaves the name unknown.
Two requests migrating one name at once both get the user the first stored: the second
one's password is then checked against it like any other.

`enableSMSMFA` turns SMS MFA on for the new user. Not done: the welcome message Cognito
sends a migrated user unless `messageAction` is SUPPRESS (its text and code are not
documented), so `messageAction` and `desiredDeliveryMediums` are read by nobody."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.accounts import mfa
from userpool.accounts.creation import new_user
from userpool.accounts.lookup import find_user
from userpool.accounts.passwords import temporary_password
from userpool.accounts.saving import add_user
from userpool.auth import hooks
from userpool.auth.outcomes import Attempt
from userpool.domain.errors import InvalidLambdaResponseException, UsernameExistsException
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User, UserStatus
from userpool.triggers import UNRECOGNIZABLE
from userpool.triggers.sources import TriggerSource

# The statuses a function may leave a migrated user in.
FINAL_STATUSES = {"CONFIRMED": UserStatus.CONFIRMED, "RESET_REQUIRED": UserStatus.RESET_REQUIRED}


def migrate(
    attempt: Attempt, name: str, password: str | None, source: TriggerSource
) -> User | None:
    answer = hooks.user_migration(attempt, name, password, source)
    if answer is None:
        return None
    attributes = _attributes(answer.get("userAttributes"))
    status = FINAL_STATUSES.get(answer.get("finalUserStatus") or "CONFIRMED")
    if status is None:
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    try:
        return _create(attempt, name, password, answer, attributes, status)
    except UsernameExistsException:
        with attempt.runtime.store.read() as tx:
            return find_user(tx, attempt.pool, name)


def _create(
    attempt: Attempt,
    name: str,
    password: str | None,
    answer: Mapping[str, Any],
    attributes: Mapping[str, str],
    status: UserStatus,
) -> User:
    user = new_user(
        attempt.pool,
        name,
        [{"Name": key, "Value": value} for key, value in attributes.items()],
        password if password is not None else temporary_password(attempt.pool, None),
        attempt.now,
        status=status if password is not None else UserStatus.RESET_REQUIRED,
    )
    if answer.get("enableSMSMFA") is True:
        _require_sms_mfa(user)
    with attempt.runtime.store.write() as tx:
        add_user(tx, attempt.pool, user, force=answer.get("forceAliasCreation") is True)
    return user


def _require_sms_mfa(user: User) -> None:
    """`enableSMSMFA`: the user must answer an SMS code to sign in. Without a phone number
    that could not be: the answer is refused rather than the user let in without it."""
    if not user.attributes.get("phone_number"):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    factors = mfa.read(user)
    factors.enable(ChallengeName.SMS_MFA)
    factors.preferred = factors.preferred or ChallengeName.SMS_MFA
    mfa.write(user, factors)


def _attributes(value: Any) -> Mapping[str, str]:
    """The user's attributes as the function gives them (`username` is the name itself)."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return {key: text for key, text in value.items() if key != "username"}
