"""Users and their searchable attributes on SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    Connection,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from userpool.domain.models import ImportedHash, Page, PasswordVerifier, User, UserStatus
from userpool.storage.database import insert_for
from userpool.storage.prepared import Prepared
from userpool.storage.repositories import SEARCHABLE_ATTRIBUTES, FilterOp, SignInNames
from userpool.storage.schema import (
    SEARCH_HEAD,
    codes,
    devices,
    group_members,
    passkey_challenges,
    passkeys,
    refresh_tokens,
    sign_in_failures,
    sign_in_names,
    user_search,
    users,
)
from userpool.storage.sql_auth_events import auth_events
from userpool.storage.sql_user_listing import list_users


def _row_values(user: User) -> dict[str, Any]:
    password = user.password
    # An imported hash is dropped the moment the user has a verifier, whatever set it
    # (a first sign-in, a reset, AdminSetUserPassword): they prove their password one way.
    imported = user.imported_hash if password is None else None
    return {
        "password_hash": imported.value if imported else None,
        "password_hash_algorithm": imported.algorithm if imported else None,
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


class SearchRow(NamedTuple):
    """A `user_search` row: one searchable attribute's value of one user."""

    pool_id: str
    name: str
    value_head: str
    sub: str
    value: str


def search_rows(pool_id: str, sub: str, attributes: Mapping[str, str]) -> set[SearchRow]:
    """What `user_search` holds for a user with these attributes."""
    return {
        SearchRow(pool_id, name, value[:SEARCH_HEAD], sub, value)
        for name, value in attributes.items()
        if name in SEARCHABLE_ATTRIBUTES and value
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
    imported = None
    if row.password_hash is not None:
        imported = ImportedHash(row.password_hash_algorithm, row.password_hash)
    return User(
        imported_hash=imported,
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


def _locked(statement: Any) -> Prepared:
    return Prepared(statement.with_for_update(of=users))


# Prebuilt statements for the hot paths (sign-in, token checks): building an expression
# costs more than running the cached, compiled query. Each in two forms: as read, and
# holding the row (FOR UPDATE on PostgreSQL; the same statement on SQLite) for writers.
_BY_KEY_QUERY = select(users).where(
    users.c.pool_id == bindparam("pool_id"), users.c.username_key == bindparam("key")
)
_BY_SUB_QUERY = select(users).where(
    users.c.sub == bindparam("sub"), users.c.pool_id == bindparam("pool_id")
)
_HOLDER_QUERY = (
    select(users)
    .join(sign_in_names, sign_in_names.c.sub == users.c.sub)
    .where(
        sign_in_names.c.pool_id == bindparam("pool_id"),
        sign_in_names.c.attribute == bindparam("attribute"),
        sign_in_names.c.key == bindparam("key"),
    )
)
_BY_KEY = (Prepared(_BY_KEY_QUERY), _locked(_BY_KEY_QUERY))
_BY_SUB = (Prepared(_BY_SUB_QUERY), _locked(_BY_SUB_QUERY))
_HOLDER = (Prepared(_HOLDER_QUERY), _locked(_HOLDER_QUERY))
_FIND: dict[tuple[int, bool], Prepared] = {}


def _find_statement(alias_count: int, locking: bool) -> Prepared:
    """`find` as one statement: the sub that each way a name can mean a user gives, ranked,
    the first one's row (held, when `locking`: FOR UPDATE cannot take a UNION itself, but it
    can take the row a subquery over one picks). A name that means nobody then costs what
    one that means someone does, one round trip, rather than one per way tried."""
    if (alias_count, locking) not in _FIND:
        pool_id: Any = bindparam("pool_id")
        ways = [
            select(users.c.sub, literal_column("0", Integer).label("rank")).where(
                users.c.pool_id == pool_id, users.c.username_key == bindparam("key")
            )
        ]
        for index in range(alias_count):
            ways.append(
                select(sign_in_names.c.sub, literal_column(str(index + 1), Integer)).where(
                    sign_in_names.c.pool_id == pool_id,
                    sign_in_names.c.attribute == bindparam(f"attribute{index}"),
                    sign_in_names.c.key == bindparam(f"key{index}"),
                )
            )
        ways.append(
            select(users.c.sub, literal_column(str(alias_count + 1), Integer)).where(
                users.c.pool_id == pool_id, users.c.sub == bindparam("sub")
            )
        )
        ranked = union_all(*ways).subquery()
        first = select(ranked.c.sub).order_by(ranked.c.rank).limit(1).scalar_subquery()
        query = select(users).where(users.c.pool_id == pool_id, users.c.sub == first)
        _FIND[alias_count, locking] = Prepared(query.with_for_update() if locking else query)
    return _FIND[alias_count, locking]


_NAMES_OF = Prepared(
    select(sign_in_names.c.attribute, sign_in_names.c.key).where(
        sign_in_names.c.sub == bindparam("sub")
    )
)
_STORED_ATTRIBUTES = Prepared(
    select(users.c.pool_id, users.c.attributes).where(users.c.sub == bindparam("sub"))
)
_UNSEARCH = Prepared(
    delete(user_search).where(
        user_search.c.pool_id == bindparam("pool_id"),
        user_search.c.name == bindparam("name"),
        user_search.c.value_head == bindparam("value_head"),
        user_search.c.sub == bindparam("sub"),
    )
)
_RELEASE_NAME = Prepared(
    delete(sign_in_names).where(
        sign_in_names.c.sub == bindparam("sub"), sign_in_names.c.attribute == bindparam("attribute")
    )
)
_CLAIM: dict[str, Prepared] = {}


def _claim_statement(connection: Connection) -> Prepared:
    """INSERT ... ON CONFLICT DO NOTHING: under PostgreSQL's READ COMMITTED a claim waits
    for a concurrent claim of the same key to end, then yields to it (no row inserted)."""
    name = connection.dialect.name
    if name not in _CLAIM:
        values: dict[str, Any] = {c.name: bindparam(c.name) for c in sign_in_names.columns}
        statement = insert_for(connection, sign_in_names).values(values)
        _CLAIM[name] = Prepared(statement.on_conflict_do_nothing())
    return _CLAIM[name]


class SqlUsers:
    """`locking`: reads hold the rows they return until commit (in write transactions)."""

    def __init__(self, connection: Connection, *, locking: bool = False) -> None:
        self._db = connection
        self._form = 1 if locking else 0

    def add(self, user: User, username_key: str, names: SignInNames) -> list[str] | None:
        values = _row_values(user)
        values.update(sub=user.sub, pool_id=user.pool_id, username_key=username_key)
        try:
            with self._db.begin_nested():
                self._db.execute(insert(users).values(**values))
        except IntegrityError:
            return None
        self._add_search(search_rows(user.pool_id, user.sub, user.attributes))
        return self._claim(user, names, held={})

    def adopt_verifier(self, user: User, verifier: PasswordVerifier) -> bool:
        """Replace `user`'s imported hash by `verifier` in one statement, if the hash is
        still theirs: of two first sign-ins at once, one writes (see repositories.py)."""
        assert user.imported_hash is not None
        result = self._db.execute(
            update(users)
            .where(
                users.c.sub == user.sub,
                users.c.pool_id == user.pool_id,
                users.c.password_hash == user.imported_hash.value,
                users.c.password_verifier.is_(None),
            )
            .values(
                password_salt=verifier.salt,
                password_verifier=verifier.verifier,
                password_set_at=verifier.set_at,
                password_temporary=verifier.temporary,
                password_hash=None,
                password_hash_algorithm=None,
                modified=verifier.set_at,
            )
        )
        return bool(result.rowcount == 1)

    def get(self, pool_id: str, username_key: str) -> User | None:
        row = _BY_KEY[self._form].first(self._db, {"pool_id": pool_id, "key": username_key})
        return user_from_row(row) if row else None

    def get_by_sub(self, pool_id: str, sub: str) -> User | None:
        row = _BY_SUB[self._form].first(self._db, {"sub": sub, "pool_id": pool_id})
        return user_from_row(row) if row else None

    def find(
        self, pool_id: str, username_key: str, names: Sequence[tuple[str, str]], sub: str
    ) -> User | None:
        values = {"pool_id": pool_id, "key": username_key, "sub": sub}
        for index, (attribute, key) in enumerate(names):
            values.update({f"attribute{index}": attribute, f"key{index}": key})
        row = _find_statement(len(names), bool(self._form)).first(self._db, values)
        return user_from_row(row) if row else None

    def holder(self, pool_id: str, attribute: str, key: str) -> User | None:
        values = {"pool_id": pool_id, "attribute": attribute, "key": key}
        row = _HOLDER[self._form].first(self._db, values)
        return user_from_row(row) if row else None

    def update(self, user: User, names: SignInNames) -> list[str]:
        before = self._stored_search_rows(user.sub)
        self._db.execute(update(users).where(users.c.sub == user.sub).values(**_row_values(user)))
        after = search_rows(user.pool_id, user.sub, user.attributes)
        for row in before - after:
            _UNSEARCH.run(self._db, row._asdict())
        self._add_search(after - before)
        held = {row.attribute: row.key for row in _NAMES_OF.all(self._db, {"sub": user.sub})}
        return self._claim(user, names, held)

    def _claim(self, user: User, names: SignInNames, held: dict[str, str]) -> list[str]:
        """Release the names `user` no longer has, claim the new ones; the attributes whose
        value someone else holds."""
        for attribute in held.keys() - names.keys():
            _RELEASE_NAME.run(self._db, {"sub": user.sub, "attribute": attribute})
        clashes = []
        claim = _claim_statement(self._db)
        for attribute, key in names.items():
            if held.get(attribute) == key:
                continue
            if attribute in held:
                _RELEASE_NAME.run(self._db, {"sub": user.sub, "attribute": attribute})
            row = {"pool_id": user.pool_id, "attribute": attribute, "key": key, "sub": user.sub}
            if claim.run(self._db, row) != 1:
                clashes.append(attribute)
        return clashes

    def delete(self, user: User) -> None:
        """The user and all that hangs off them: search rows, names, memberships, tokens,
        devices, passkeys, lockout, auth events."""
        for row in self._stored_search_rows(user.sub):
            _UNSEARCH.run(self._db, row._asdict())
        tables = (
            sign_in_names,
            group_members,
            refresh_tokens,
            devices,
            passkeys,
            passkey_challenges,
            sign_in_failures,
            codes,
            auth_events,
            users,
        )
        for table in tables:
            mine = table.c.sub == user.sub
            if table is passkey_challenges:  # its key is (pool_id, sub)
                mine = mine & (table.c.pool_id == user.pool_id)
            self._db.execute(delete(table).where(mine))

    def list(
        self,
        pool_id: str,
        limit: int,
        after: str | None,
        where: tuple[str, FilterOp, str] | None = None,
    ) -> Page:
        return list_users(self._db, pool_id, limit, after, where, user_from_row)

    def count(self, pool_id: str) -> int:
        return int(
            self._db.execute(
                select(func.count()).select_from(users).where(users.c.pool_id == pool_id)
            ).scalar_one()
        )

    def _add_search(self, rows: set[SearchRow]) -> None:
        if rows:
            self._db.execute(insert(user_search), [row._asdict() for row in rows])

    def _stored_search_rows(self, sub: str) -> set[SearchRow]:
        """The search rows of the user as stored: `user_search` is keyed by value, not by
        sub, so a user's rows are found from their stored attributes."""
        row = _STORED_ATTRIBUTES.first(self._db, {"sub": sub})
        if row is None:
            return set()
        return search_rows(row.pool_id, sub, orjson.loads(row.attributes))
