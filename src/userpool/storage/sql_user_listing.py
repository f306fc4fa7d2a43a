"""ListUsers' pages on SQL: each filter read along an index, in that index's order, and each page
continued from the last row's key (a keyset, never an offset).

A page then reads about as many rows as it returns, whether the pool holds a hundred users or a
million, and a token stays valid when users are added or removed between pages: it names a
place in the order, not a count of rows. The order is the index's, hence per filter:

- no filter, `cognito:user_status`, `status`: by username key (folded in case-insensitive
  pools);
- `username`: by username (the filter is case-sensitive in every pool);
- `sub`: by sub;
- a searchable attribute: by the value's indexed head, then by sub.

A page has one lower bound on the order: past the token's key, or the filter's prefix,
whichever is later. Given both, SQLite bounds its walk along the index by one of them, not
always the later, and a walk from the prefix to the token reads every row in between.

Ranges and orders on text compare code points on both backends: SQLite's BINARY, PostgreSQL's
"C" (the columns ranged on are C-collated there: migration 0020), and Python's own `<`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Select, select, true, tuple_

from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import Page, User, UserStatus
from userpool.storage.repositories import FilterOp
from userpool.storage.schema import SEARCH_HEAD, user_search, users

RowToUser = Callable[[Any], User]
Start = Callable[[str | None], Any]  # a token's key -> a page's lower bound; None: no more rows
_ENABLED_LABELS = (("Enabled", True), ("Disabled", False))
_STATUS_LABELS = tuple((status.value.lower(), status.value) for status in UserStatus)
_TOP = "\U0010ffff"  # the highest code point: every string starting with p sorts below p + _TOP


def by_code_point(column: Any, dialect: str) -> Any:
    """PostgreSQL compares text by the column's collation, under which ``"carl" < "Carl" <
    "carl\\U0010ffff"`` may hold (en_US, ICU); comparing under "C" keeps ranges exact."""
    return column.collate("C") if dialect == "postgresql" else column


@dataclass
class _Listing:
    """A filter's query (its conditions but the lower bound on the order), the columns it is
    ordered by, a row's key in that order (a token's content), and where a page starts."""

    query: Select[Any]
    order: Sequence[Any]
    key_of: Callable[[Any], str]
    start: Start

    def page(self, after: str | None, limit: int) -> Select[Any] | None:
        start = self.start(after)
        return None if start is None else self.query.where(start).order_by(*self.order).limit(limit)


def list_users(
    db: Connection,
    pool_id: str,
    limit: int,
    after: str | None,
    where: tuple[str, FilterOp, str] | None,
    to_user: RowToUser,
) -> Page:
    listing = _listing(pool_id, where, db.dialect.name)
    query = listing.page(after, limit + 1) if listing is not None else None
    if listing is None or query is None:  # no user can meet the filter, or be past the token
        return Page([], None)
    rows = db.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([to_user(row) for row in rows], listing.key_of(rows[-1]) if more else None)


def _listing(
    pool_id: str, where: tuple[str, FilterOp, str] | None, dialect: str
) -> _Listing | None:
    mine = select(users).where(users.c.pool_id == pool_id)
    if where is None:
        return _along(mine, users.c.username_key, "username_key", dialect)
    name, op, value = where
    if name == "username":  # case-sensitive in every pool (the API reference)
        return _along(mine, users.c.username, "username", dialect, op, value)
    if name == "cognito:user_status":  # case-insensitive, as on Cognito
        return _flag_listing(mine, users.c.status, _STATUS_LABELS, op, value.lower(), dialect)
    if name == "status":  # "Enabled" / "Disabled", case-sensitive
        return _flag_listing(mine, users.c.enabled, _ENABLED_LABELS, op, value, dialect)
    if name == "sub":
        return _along(mine, users.c.sub, "sub", dialect, op, value)
    return _by_value(pool_id, name, op, value, dialect)


def _along(
    query: Select[Any],
    column: Any,
    field: str,
    dialect: str,
    op: FilterOp | None = None,
    value: str = "",
) -> _Listing:
    """Ordered by `column`, which the filter (if any) compares with `value`."""
    if op == "=":  # one user at most, its key's own order: no sort, no collation to match
        return _Listing(query.where(column == value), (column,), _field(field), lambda _: true())
    ordered = by_code_point(column, dialect)
    floor = value if op == "^=" else ""
    if op == "^=":
        query = query.where(ordered < value + _TOP)

    def start(after: str | None) -> Any:
        if after is not None and after >= floor:
            return ordered > after
        return ordered >= floor if floor else true()

    return _Listing(query, (ordered,), _field(field), start)


def _field(name: str) -> Callable[[Any], str]:
    return lambda row: str(getattr(row, name))


def _flag_listing(
    query: Select[Any],
    column: Any,
    labels: Sequence[tuple[str, Any]],
    op: FilterOp,
    value: str,
    dialect: str,
) -> _Listing | None:
    """A filter on a column of few values, through the index on (pool, column, username key).
    Any `^=` value but "" names at most one of them (their initials differ), and "" names all."""
    stored = [flag for label, flag in labels if _matches(label, op, value)]
    if not stored:
        return None
    if len(stored) < len(labels):
        query = query.where(column == stored[0] if len(stored) == 1 else column.in_(stored))
    return _along(query, users.c.username_key, "username_key", dialect)


def _matches(candidate: str, op: FilterOp, value: str) -> bool:
    return candidate == value if op == "=" else candidate.startswith(value)


@dataclass
class _ValueListing(_Listing):
    """The page is taken from `user_search` alone, along its index, and only then joined to
    `users`: a join planned before the LIMIT may read the whole pool's users to find the
    page's few (PostgreSQL chose a hash join over the pool for a page of 61)."""

    dialect: str = "sqlite"

    def page(self, after: str | None, limit: int) -> Select[Any] | None:
        found = super().page(after, limit)
        if found is None:
            return None
        page = found.subquery()
        head, sub = page.c.search_head, page.c.sub
        ordered = (by_code_point(head, self.dialect), sub)
        return select(users, head).join(page, sub == users.c.sub).order_by(*ordered)


def _by_value(pool_id: str, name: str, op: FilterOp, value: str, dialect: str) -> _Listing:
    """A searchable attribute, through `user_search`'s index on (pool, name, head, sub): a
    range of heads for a short prefix, else one head (whose whole values are then compared)."""
    head, whole, sub = (
        by_code_point(user_search.c.value_head, dialect),
        user_search.c.value,
        user_search.c.sub,
    )
    query = select(sub, user_search.c.value_head.label("search_head")).where(
        user_search.c.pool_id == pool_id, user_search.c.name == name
    )
    one_head = value[:SEARCH_HEAD]
    if op == "=" or len(value) > SEARCH_HEAD:
        query = query.where(user_search.c.value_head == one_head)
        whole = by_code_point(whole, dialect)
        query = query.where(whole == value if op == "=" else _prefix(whole, value))

        def start(after: str | None) -> Any:
            if after is None:
                return true()
            after_head, after_sub = _position(after)
            if after_head == one_head:
                return sub > after_sub
            return true() if after_head < one_head else None

    else:
        query = query.where(head < value + _TOP)

        def start(after: str | None) -> Any:
            position = _position(after) if after is not None else None
            if position is not None and position[0] >= value:
                return tuple_(head, sub) > tuple_(*position)
            return head >= value

    def key_of(row: Any) -> str:
        return orjson.dumps([row.search_head, row.sub]).decode()

    return _ValueListing(query, (head, sub), key_of, start, dialect)


def _prefix(column: Any, prefix: str) -> Any:
    return (column >= prefix) & (column < prefix + _TOP)


def _position(token: str) -> tuple[str, str]:
    try:
        head, sub = orjson.loads(token)
    except (orjson.JSONDecodeError, TypeError, ValueError) as error:
        raise InvalidParameterException("Invalid pagination token.") from error
    if not (isinstance(head, str) and isinstance(sub, str)) or "\x00" in head + sub:
        raise InvalidParameterException("Invalid pagination token.")
    return head, sub
