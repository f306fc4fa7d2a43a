"""Users and their searchable attributes on SQLAlchemy Core."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.models import Page, PasswordVerifier, User, UserStatus
from userpool.storage.prepared import Prepared
from userpool.storage.repositories import SEARCHABLE_ATTRIBUTES, FilterOp
from userpool.storage.schema import (
    codes,
    group_members,
    refresh_tokens,
    sign_in_failures,
    user_lookup,
    users,
)

# Filters on columns of `users` rather than on the lookup index.
_COLUMN_FILTERS = {"username": users.c.username, "sub": users.c.sub}
_ENABLED_LABELS = (("Enabled", True), ("Disabled", False))


def _row_values(user: User) -> dict[str, Any]:
    password = user.password
    return {
        "username": user.username,
        "status": user.status.value,
        "enabled": user.enabled,
        "created": user.created,
        "modified": user.modified,
        "attributes": orjson.dumps(user.attributes).decode(),
        "password_salt": password.salt if password else None,
        "password_verifier": password.verifier if password else None,
        "password_set_at": password.set_at if password else None,
        "password_temporary": password.temporary if password else None,
        "mfa": orjson.dumps(user.mfa).decode(),
    }


def user_from_row(row: Any) -> User:
    password = None
    if row.password_verifier is not None:
        password = PasswordVerifier(
            salt=row.password_salt,
            verifier=row.password_verifier,
            set_at=row.password_set_at,
            temporary=bool(row.password_temporary),
        )
    return User(
        sub=row.sub,
        pool_id=row.pool_id,
        username=row.username,
        status=UserStatus(row.status),
        enabled=bool(row.enabled),
        created=row.created,
        modified=row.modified,
        attributes=orjson.loads(row.attributes),
        password=password,
        mfa=orjson.loads(row.mfa),
    )


def _matches(candidate: str, op: FilterOp, value: str) -> bool:
    return candidate == value if op == "=" else candidate.startswith(value)


def _prefix_range(column: Any, prefix: str, dialect: str) -> Any:
    """`column` starts with `prefix`, code point by code point, as a range.

    PostgreSQL compares text by the database's collation, under which ``"carl" < "Carl" <
    "carl\U0010ffff"`` may hold (en_US, ICU); comparing under "C" keeps the range exact.
    """
    if dialect == "postgresql":
        column = column.collate("C")
    return and_(column >= prefix, column < prefix + "\U0010ffff")


# Prebuilt statements for the hot paths (sign-in, token checks): building an expression
# costs more than running the cached, compiled query.
_BY_KEY = Prepared(
    select(users).where(
        users.c.pool_id == bindparam("pool_id"), users.c.username_key == bindparam("key")
    )
)
_BY_SUB = Prepared(
    select(users).where(users.c.sub == bindparam("sub"), users.c.pool_id == bindparam("pool_id"))
)


class SqlUsers:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, user: User, username_key: str) -> bool:
        values = _row_values(user)
        values.update(sub=user.sub, pool_id=user.pool_id, username_key=username_key)
        try:
            with self._db.begin_nested():
                self._db.execute(insert(users).values(**values))
        except IntegrityError:
            return False
        self._write_lookup(user)
        return True

    def get(self, pool_id: str, username_key: str) -> User | None:
        row = _BY_KEY.first(self._db, {"pool_id": pool_id, "key": username_key})
        return user_from_row(row) if row else None

    def get_by_sub(self, pool_id: str, sub: str) -> User | None:
        row = _BY_SUB.first(self._db, {"sub": sub, "pool_id": pool_id})
        return user_from_row(row) if row else None

    def update(self, user: User) -> None:
        self._db.execute(update(users).where(users.c.sub == user.sub).values(**_row_values(user)))
        self._db.execute(delete(user_lookup).where(user_lookup.c.sub == user.sub))
        self._write_lookup(user)

    def delete(self, user: User) -> None:
        """The user and all that hangs off them: lookups, memberships, tokens, lockout."""
        for table in (user_lookup, group_members, refresh_tokens, sign_in_failures, codes, users):
            self._db.execute(delete(table).where(table.c.sub == user.sub))

    def find_by_attribute(self, pool_id: str, name: str, value: str, folded: bool) -> list[User]:
        column = user_lookup.c.folded if folded else user_lookup.c.value
        wanted = value.lower() if folded else value
        rows = self._db.execute(
            select(users)
            .join(user_lookup, user_lookup.c.sub == users.c.sub)
            .where(user_lookup.c.pool_id == pool_id, user_lookup.c.name == name, column == wanted)
            .order_by(users.c.username_key)
        ).all()
        return [user_from_row(row) for row in rows]

    def list(
        self,
        pool_id: str,
        limit: int,
        after: str | None,
        where: tuple[str, FilterOp, str] | None = None,
    ) -> Page:
        query = select(users).where(users.c.pool_id == pool_id)
        if where is not None:
            query = self._filtered(query, pool_id, *where)
        if after is not None:
            query = query.where(users.c.username_key > after)
        rows = self._db.execute(query.order_by(users.c.username_key).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([user_from_row(r) for r in rows], rows[-1].username_key if more else None)

    def _filtered(self, query: Any, pool_id: str, name: str, op: FilterOp, value: str) -> Any:
        if name in _COLUMN_FILTERS:
            column = _COLUMN_FILTERS[name]
            prefix = _prefix_range(column, value, self._db.dialect.name)
            return query.where(column == value if op == "=" else prefix)
        if name == "cognito:user_status":  # case-insensitive, as on Cognito
            statuses = [s.value for s in UserStatus if _matches(s.value.lower(), op, value.lower())]
            return query.where(users.c.status.in_(statuses))
        if name == "status":  # "Enabled" / "Disabled", case-sensitive
            states = [flag for label, flag in _ENABLED_LABELS if _matches(label, op, value)]
            return query.where(users.c.enabled.in_(states))
        column = user_lookup.c.value
        match = (
            column == value if op == "=" else _prefix_range(column, value, self._db.dialect.name)
        )
        subs = select(user_lookup.c.sub).where(
            user_lookup.c.pool_id == pool_id, user_lookup.c.name == name, match
        )
        return query.where(users.c.sub.in_(subs))

    def count(self, pool_id: str) -> int:
        return int(
            self._db.execute(
                select(func.count()).select_from(users).where(users.c.pool_id == pool_id)
            ).scalar_one()
        )

    def _write_lookup(self, user: User) -> None:
        rows = [
            {
                "pool_id": user.pool_id,
                "name": name,
                "value": value,
                "sub": user.sub,
                "folded": value.lower(),
            }
            for name, value in user.attributes.items()
            if name in SEARCHABLE_ATTRIBUTES and value
        ]
        if rows:
            self._db.execute(insert(user_lookup), rows)
