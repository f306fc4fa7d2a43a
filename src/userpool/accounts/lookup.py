"""Which user a name given to an operation means, and which values sign a user in.

Cognito lets a caller name a user by more than the username. `find_user` resolves, in
this order:

1. the username (case-folded in pools with `UsernameConfiguration.CaseSensitive=false`);
2. a sign-in attribute value:
   - with `UsernameAttributes` (email / phone as username): the `email` or `phone_number`
     listed there, verified or not;
   - with `AliasAttributes`: `preferred_username`, or a *verified* `email` /
     `phone_number` listed there (an unverified one is not an alias);
3. the user's `sub`.

Admin operations and the sign-in engine share these rules, so a user is found the same
way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from userpool.domain.errors import UserNotFoundException
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import Transaction

# Attributes whose value only signs a user in once it is verified, and their flags.
VERIFIED_FLAGS = {"email": "email_verified", "phone_number": "phone_number_verified"}


def sign_in_attributes(pool: UserPool) -> list[str]:
    """The attributes whose values can stand for the username in `pool`."""
    return pool.username_attributes or pool.alias_attributes


def signs_in_with(pool: UserPool, user: User, attribute: str) -> bool:
    """Whether `user`'s value of `attribute` currently identifies them in `pool`."""
    if not user.attributes.get(attribute):
        return False
    if attribute in pool.username_attributes:
        return True
    if attribute not in pool.alias_attributes:
        return False
    flag = VERIFIED_FLAGS.get(attribute)
    return flag is None or user.attributes.get(flag) == "true"


def holders(tx: Transaction, pool: UserPool, attribute: str, value: str) -> list[User]:
    """The users whom `value` identifies as their `attribute` in `pool`."""
    found = tx.users.find_by_attribute(pool.id, attribute, value, folded=not pool.case_sensitive)
    return [user for user in found if signs_in_with(pool, user, attribute)]


def find_user(tx: Transaction, pool: UserPool, name: str) -> User | None:
    """The user that `name` means in `pool` (see the module notes), or None."""
    user = tx.users.get(pool.id, pool.username_key(name))
    if user is not None:
        return user
    for attribute in sign_in_attributes(pool):
        found = holders(tx, pool, attribute, name)
        if found:
            return found[0]
    return tx.users.get_by_sub(pool.id, name)


def require_user(tx: Transaction, pool: UserPool, name: str) -> User:
    """Like `find_user`, but raise Cognito's `UserNotFoundException` when there is none."""
    user = find_user(tx, pool, name)
    if user is None:
        raise UserNotFoundException()
    return user


def taken_identifiers(
    tx: Transaction, pool: UserPool, user: User
) -> Iterator[tuple[str, list[User]]]:
    """Each sign-in attribute of `user` whose value already identifies other users."""
    for attribute in sign_in_attributes(pool):
        if not signs_in_with(pool, user, attribute):
            continue
        others = [
            other
            for other in holders(tx, pool, attribute, user.attributes[attribute])
            if other.sub != user.sub
        ]
        if others:
            yield attribute, others
