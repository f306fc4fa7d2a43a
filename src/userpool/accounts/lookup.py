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
way everywhere. The values of step 2 are kept, one holder each, as the user's sign-in names
(`sign_in_names`, claimed when the user is saved: accounts/saving.py).
"""

from __future__ import annotations

import hashlib
import hmac

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


def name_key(pool: UserPool, value: str) -> str:
    """How a sign-in value is keyed in storage: hashed (so a value of any length fits an
    index), case-folded where the pool's names are case-insensitive."""
    folded = value if pool.case_sensitive else value.lower()
    return hashlib.sha256(folded.encode()).hexdigest()


def sign_in_names(pool: UserPool, user: User) -> dict[str, str]:
    """The values `user` signs in with besides the username: attribute -> key."""
    return {
        attribute: name_key(pool, user.attributes[attribute])
        for attribute in sign_in_attributes(pool)
        if signs_in_with(pool, user, attribute)
    }


def stand_in_seed(simulation_key: bytes, pool: UserPool, name: str) -> str:
    """Secret and stable per (pool, name as the pool compares names): what stands in for a
    user that `name` does not mean, where a client hides that no such user exists."""
    message = f"{pool.id}/{pool.username_key(name)}".encode()
    return hmac.new(simulation_key, message, hashlib.sha256).hexdigest()


def find_user(tx: Transaction, pool: UserPool, name: str) -> User | None:
    """The user that `name` means in `pool` (see the module notes), or None."""
    key = name_key(pool, name)
    names = [(attribute, key) for attribute in sign_in_attributes(pool)]
    return tx.users.find(pool.id, pool.username_key(name), names, name)


def require_user(tx: Transaction, pool: UserPool, name: str) -> User:
    """Like `find_user`, but raise Cognito's `UserNotFoundException` when there is none."""
    user = find_user(tx, pool, name)
    if user is None:
        raise UserNotFoundException()
    return user
