"""What every step of applying a seed shares: the one transaction the operations run in, the
tally of what changed, and the refusals, named by the file's line and field.

The operations' own handlers (services/) create and update the resources, so that a setting
is defaulted, checked and refused exactly as the API does it; they run inside the seed's one
write transaction, through a store that hands them that transaction for every read and
write, so that a refusal anywhere rolls back everything the file did.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from userpool.auth import Runtime
from userpool.domain.errors import CognitoError
from userpool.seed.document import Problem, SeedError
from userpool.seed.layout import Part
from userpool.services.context import Context, Settings
from userpool.storage.repositories import Transaction


class OneTransaction:
    """A Store whose every read and write is the transaction it was given."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def read(self) -> AbstractContextManager[Transaction, Any]:
        return nullcontext(self._tx)

    def write(self) -> AbstractContextManager[Transaction, Any]:
        return nullcontext(self._tx)


@dataclass
class Tally:
    """What applying the file did, by kind of resource (`pool`, `client`, ...)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    pruned_pools: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, dict[str, int]]:
        return {
            "Created": dict(self.created),
            "Updated": dict(self.updated),
            "Deleted": dict(self.deleted),
            "Unchanged": dict(self.unchanged),
        }

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class Step:
    """What each part's step is given: the operations' context over the one transaction."""

    ctx: Context
    tx: Transaction
    tally: Tally
    prune: bool

    @classmethod
    def over(cls, tx: Transaction, runtime: Runtime, settings: Settings, prune: bool) -> Step:
        ctx = Context(settings, replace(runtime, store=OneTransaction(tx)))
        return cls(ctx, tx, Tally(), prune)

    def now(self) -> float:
        return self.ctx.clock()


@contextmanager
def blamed(part: Part, field_name: str | None = None) -> Iterator[None]:
    """A refusal raised inside, as a problem of `part`: at `field_name`, or at the first of
    its fields that the refusal's message names."""
    try:
        yield
    except CognitoError as error:
        named = field_name or _field_named_in(part, error.message)
        where = part.at(named) if named else part.where
        path = f"{part.path}.{named}" if named else part.path
        message = " ".join(error.message.split()) or "refused"
        raise SeedError([Problem(where, path, f"{error.type_name}: {message}")]) from error


def _field_named_in(part: Part, message: str) -> str | None:
    for name in sorted(part.fields, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", message, re.IGNORECASE):
            return name
    return None


def refuse(part: Part, field_name: str | None, message: str) -> SeedError:
    where = part.at(field_name) if field_name else part.where
    path = f"{part.path}.{field_name}" if field_name else part.path
    return SeedError([Problem(where, path, message)])
