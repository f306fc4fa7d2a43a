"""Making a user: the username a pool stores, checked attributes, a password verifier. Shared
by AdminCreateUser, SignUp and UserMigration, which show the new user to a trigger and then
store it (accounts/saving.add_user, which claims their sign-in names)."""

from __future__ import annotations

from collections.abc import Iterable

from userpool.accounts.attributes import has_valid_format, new_user_attributes
from userpool.accounts.passwords import make_password_verifier
from userpool.crypto import ids
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User, UserPool, UserStatus

_USERNAME_REFUSALS = {
    "email": "Username should be an email.",
    "phone_number": "Username should be a phone number.",
}
_USERNAME_REFUSAL_EITHER = "Username should be either an email or a phone number."
_ALIAS_SHAPED_REFUSALS = {
    "email": "Username cannot be of email format, since user pool is configured for email alias.",
    "phone_number": "Username cannot be of phone number format, since user pool is configured "
    "for phone number alias.",
}


def username_attribute(pool: UserPool, username: str) -> str:
    """Which of the pool's `UsernameAttributes` the given username is a value of."""
    for attribute in pool.username_attributes:
        if has_valid_format(attribute, username):
            return attribute
    if len(pool.username_attributes) == 1:
        raise InvalidParameterException(_USERNAME_REFUSALS[pool.username_attributes[0]])
    raise InvalidParameterException(_USERNAME_REFUSAL_EITHER)


def refuse_alias_shaped_username(pool: UserPool, username: str) -> None:
    """A username must not look like an email (phone) where emails (phones) are aliases."""
    for attribute in pool.alias_attributes:
        refusal = _ALIAS_SHAPED_REFUSALS.get(attribute)
        if refusal is not None and has_valid_format(attribute, username):
            raise InvalidParameterException(refusal)


def new_user(
    pool: UserPool,
    username: str,
    supplied: Iterable[dict[str, str]],
    password: str,
    now: float,
    *,
    status: UserStatus,
) -> User:
    """A user to store, checked but not yet stored (PreSignUp sees it first); in
    email/phone-as-username pools the stored username is the sub and the given name becomes
    the email or phone attribute. The password is temporary for FORCE_CHANGE_PASSWORD users."""
    user = new_user_without_password(pool, username, supplied, now, status=status)
    temporary = status == UserStatus.FORCE_CHANGE_PASSWORD
    user.password = make_password_verifier(pool, user.username, password, now, temporary=temporary)
    return user


def new_user_without_password(
    pool: UserPool,
    username: str,
    supplied: Iterable[dict[str, str]],
    now: float,
    *,
    status: UserStatus,
) -> User:
    """As `new_user`, for a user who signs in without a password (a passwordless SignUp):
    `password` stays None, so no password factor is ever offered to them."""
    attributes = new_user_attributes(pool, supplied)
    sub = ids.sub()
    refuse_alias_shaped_username(pool, username)
    if pool.username_attributes:
        attributes[username_attribute(pool, username)] = username
        username = sub
    return User(
        sub=sub,
        pool_id=pool.id,
        username=username,
        status=status,
        enabled=True,
        created=now,
        modified=now,
        attributes=attributes,
    )
