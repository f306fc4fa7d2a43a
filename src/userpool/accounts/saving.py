"""Writing a user: the row and the values they sign in with, in one step.

A sign-in value (an email or phone number that is the username, an alias) has one holder in
a pool, and storage's unique key decides between two requests that claim one at once. A
value someone else holds is refused as Cognito refuses it: UsernameExistsException where
emails or phone numbers are usernames, AliasExistsException for an alias; unless the caller
forces a verified alias over (ForceAliasCreation), which unverifies it for the other user.
Raising rolls the caller's transaction back, so nothing of a refused write stays.
"""

from __future__ import annotations

from userpool.accounts.lookup import VERIFIED_FLAGS, name_key, sign_in_names
from userpool.domain.errors import AliasExistsException, UsernameExistsException
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import Transaction


def add_user(
    tx: Transaction,
    pool: UserPool,
    user: User,
    *,
    force: bool = False,
    exists_message: str | None = None,
) -> None:
    """Insert a new user; UsernameExistsException (`exists_message`) if the name is taken."""
    clashes = tx.users.add(user, pool.username_key(user.username), sign_in_names(pool, user))
    if clashes is None:
        raise UsernameExistsException(exists_message)
    _settle(tx, pool, user, clashes, force)


def save_user(tx: Transaction, pool: UserPool, user: User, *, force: bool = False) -> None:
    """Write a user read in this (write) transaction back, with the names they now have."""
    _settle(tx, pool, user, tx.users.update(user, sign_in_names(pool, user)), force)


def save_verified(tx: Transaction, pool: UserPool, user: User, attribute: str) -> None:
    """Save `user` with `attribute` (email, phone_number) verified: a code sent there came
    back. Where that value is another user's verified alias it stays unverified here."""
    user.attributes[VERIFIED_FLAGS[attribute]] = "true"
    if tx.users.update(user, sign_in_names(pool, user)):
        user.attributes[VERIFIED_FLAGS[attribute]] = "false"
        save_user(tx, pool, user)


def _settle(tx: Transaction, pool: UserPool, user: User, clashes: list[str], force: bool) -> None:
    if not clashes:
        return
    for attribute in clashes:
        message = f"An account with the given {attribute} already exists."
        if pool.username_attributes:
            raise UsernameExistsException(message)
        if not (force and attribute in VERIFIED_FLAGS):
            raise AliasExistsException(message)
        _unverify_holder(tx, pool, attribute, user.attributes[attribute])
    if tx.users.update(user, sign_in_names(pool, user)):  # taken again meanwhile: refuse
        raise AliasExistsException(f"An account with the given {clashes[0]} already exists.")


def _unverify_holder(tx: Transaction, pool: UserPool, attribute: str, value: str) -> None:
    holder = tx.users.holder(pool.id, attribute, name_key(pool, value))
    if holder is not None:
        holder.attributes[VERIFIED_FLAGS[attribute]] = "false"
        tx.users.update(holder, sign_in_names(pool, holder))


def refuse_taken_names(tx: Transaction, pool: UserPool, user: User) -> None:
    """Before sending a code to a value `user` is about to sign in with: refuse it if it
    is someone else's. (Only a look: `save_user` decides, atomically, when it is stored.)"""
    for attribute, key in sign_in_names(pool, user).items():
        holder = tx.users.holder(pool.id, attribute, key)
        if holder is not None and holder.sub != user.sub:
            _settle(tx, pool, user, [attribute], force=False)
