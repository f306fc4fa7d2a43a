"""One batch of an import job's users into the pool, inside the runner's write transaction.

Which rows are SKIPPED (their username is taken, by an earlier row too, or in a pool where
emails or phone numbers are usernames, that value) and which FAILED (an alias another user
holds) is read first, for the whole batch at once; the rest are inserted together
(storage/sql_user_batches.py). Should a name be taken between that read and the insert (on
PostgreSQL, by another request committing meanwhile), the insert writes nothing and the
batch is sorted out again against what is now stored.
"""

from __future__ import annotations

from userpool.accounts.lookup import sign_in_names
from userpool.domain.import_jobs import EXISTS_MESSAGE, Outcome, RowResult
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import SignInNames, Transaction

ATTEMPTS = 5


class BatchRaced(RuntimeError):
    """Names kept being taken under the batch: the runner's transaction is given up."""


def insert_batch(
    tx: Transaction, pool: UserPool, users: list[tuple[int, User]]
) -> tuple[list[int], list[RowResult]]:
    """Insert what can be of `users` (line number, user): the lines imported, and the
    results of those that were not."""
    for _ in range(ATTEMPTS):
        imported, results, entries = _sort_out(tx, pool, users)
        if tx.user_batches.add_all(entries):
            return imported, results
    raise BatchRaced("the batch's names kept being taken while it was written")


def _sort_out(
    tx: Transaction, pool: UserPool, users: list[tuple[int, User]]
) -> tuple[list[int], list[RowResult], list[tuple[User, str, SignInNames]]]:
    keys = [pool.username_key(user.username) for _, user in users]
    names = [sign_in_names(pool, user) for _, user in users]
    taken = tx.user_batches.taken_usernames(pool.id, sorted(set(keys)))
    wanted = sorted({name for held in names for name in held.items()})
    held = tx.user_batches.taken_names(pool.id, wanted) if wanted else set()
    imported: list[int] = []
    results: list[RowResult] = []
    entries: list[tuple[User, str, SignInNames]] = []
    for (line, user), key, claims in zip(users, keys, names, strict=True):
        if key in taken:
            results.append(RowResult(line, Outcome.SKIPPED, EXISTS_MESSAGE))
            continue
        clashes = [attribute for attribute, value in claims.items() if (attribute, value) in held]
        if clashes and clashes[0] in pool.username_attributes:
            results.append(RowResult(line, Outcome.SKIPPED, EXISTS_MESSAGE))
            continue
        if clashes:
            message = f"An account with the given {clashes[0]} already exists."
            results.append(RowResult(line, Outcome.FAILED, message))
            continue
        taken.add(key)  # a later row of the batch with this name is skipped
        held.update(claims.items())
        entries.append((user, key, claims))
        imported.append(line)
    return imported, results, entries
