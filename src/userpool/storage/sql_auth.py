"""Signing keys, refresh tokens, consumed-session markers and lockout state on SQL."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Float, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from userpool.domain.auth_records import Lockout, RefreshRecord, StoredSigningKey
from userpool.storage.database import insert_for
from userpool.storage.prepared import Prepared
from userpool.storage.schema import (
    consumed_sessions,
    refresh_tokens,
    sign_in_failures,
    sign_in_states,
    signing_keys,
)


class SqlSigningKeys:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, key: StoredSigningKey) -> None:
        self._db.execute(insert(signing_keys).values(**asdict(key)))

    def get(self, kid: str) -> StoredSigningKey | None:
        row = self._db.execute(select(signing_keys).where(signing_keys.c.kid == kid)).first()
        return StoredSigningKey(**row._asdict()) if row else None

    def for_pool(self, pool_id: str) -> list[StoredSigningKey]:
        rows = self._db.execute(
            select(signing_keys)
            .where(signing_keys.c.pool_id == pool_id)
            .order_by(signing_keys.c.created, signing_keys.c.kid)
        ).all()
        return [StoredSigningKey(**row._asdict()) for row in rows]

    def sample(self) -> StoredSigningKey | None:
        row = self._db.execute(select(signing_keys).limit(1)).first()
        return StoredSigningKey(**row._asdict()) if row else None

    def retire(self, pool_id: str, at: float, *, sooner: bool) -> int:
        signing = signing_keys.c.retires.is_(None)
        retiring = or_(signing, signing_keys.c.retires > at) if sooner else signing
        statement = (
            update(signing_keys)
            .where(signing_keys.c.pool_id == pool_id, retiring)
            .values(retires=at)
        )
        return self._db.execute(statement).rowcount

    def purge_retired(self, now: float, pool_id: str | None = None) -> int:
        statement = delete(signing_keys).where(signing_keys.c.retires <= now)
        if pool_id is not None:
            statement = statement.where(signing_keys.c.pool_id == pool_id)
        return self._db.execute(statement).rowcount

    def due(self, made_before: float) -> list[str]:
        newest = func.max(signing_keys.c.created)
        rows = self._db.execute(
            select(signing_keys.c.pool_id)
            .where(signing_keys.c.retires.is_(None))
            .group_by(signing_keys.c.pool_id)
            .having(newest <= made_before)
            .order_by(signing_keys.c.pool_id)
        ).all()
        return [row.pool_id for row in rows]


def _refresh(row: Any) -> RefreshRecord:
    values = row._asdict()
    values["revoked"] = bool(values["revoked"])
    if values["scopes"] is not None:  # OAuth scopes hold no spaces (RFC 6749 §3.3)
        values["scopes"] = tuple(values["scopes"].split())
    return RefreshRecord(**values)


_REFRESH_BY_HASH_QUERY = select(refresh_tokens).where(
    refresh_tokens.c.token_hash == bindparam("hash")
)
_REFRESH_BY_HASH = (
    Prepared(_REFRESH_BY_HASH_QUERY),
    Prepared(_REFRESH_BY_HASH_QUERY.with_for_update()),
)
# Rotated out now, or (`since` not NULL) rotated out since `since`, within the grace period
# of an earlier rotation; never once revoked. Without a grace period `since` is NULL and
# only a token never rotated passes: two requests' clocks are read before either writes, so
# "rotated less than 0 s before mine" could let a second one in.
_ROTATE = Prepared(
    update(refresh_tokens)
    .where(
        refresh_tokens.c.token_hash == bindparam("hash"),
        refresh_tokens.c.revoked.is_(False),
        or_(
            refresh_tokens.c.rotated_at.is_(None),
            refresh_tokens.c.rotated_at > bindparam("since", type_=Float),
        ),
    )
    .values(rotated_at=func.coalesce(refresh_tokens.c.rotated_at, bindparam("at", type_=Float)))
)
_REFRESH_BY_JTI = Prepared(select(refresh_tokens).where(refresh_tokens.c.jti == bindparam("jti")))
_ADD_REFRESH = Prepared(
    insert(refresh_tokens).values(
        {column.name: bindparam(column.name) for column in refresh_tokens.columns}
    )
)
_LOCKOUT_QUERY = select(
    sign_in_failures.c.failures,
    sign_in_failures.c.last_failure,
    sign_in_failures.c.locked_until,
).where(sign_in_failures.c.sub == bindparam("sub"))
_LOCKOUT = (Prepared(_LOCKOUT_QUERY), Prepared(_LOCKOUT_QUERY.with_for_update()))
_CLEAR_LOCKOUT = Prepared(
    delete(sign_in_failures).where(sign_in_failures.c.sub == bindparam("sub"))
)


class SqlRefreshTokens:
    def __init__(self, connection: Connection, *, locking: bool = False) -> None:
        self._db = connection
        self._form = 1 if locking else 0

    def add(self, record: RefreshRecord) -> None:
        scopes = None if record.scopes is None else " ".join(record.scopes)
        _ADD_REFRESH.run(self._db, vars(record) | {"scopes": scopes})

    def get(self, token_hash: str) -> RefreshRecord | None:
        row = _REFRESH_BY_HASH[self._form].first(self._db, {"hash": token_hash})
        return _refresh(row) if row else None

    def get_by_jti(self, jti: str) -> RefreshRecord | None:
        row = _REFRESH_BY_JTI.first(self._db, {"jti": jti})
        return _refresh(row) if row else None

    def revoke(self, jti: str) -> None:
        self._db.execute(
            update(refresh_tokens).where(refresh_tokens.c.jti == jti).values(revoked=True)
        )

    def revoke_user(self, pool_id: str, sub: str) -> None:
        self._db.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.sub == sub, refresh_tokens.c.pool_id == pool_id)
            .values(revoked=True)
        )

    def mark_rotated(self, token_hash: str, at: float, grace: float) -> bool:
        since = at - grace if grace > 0 else None
        return _ROTATE.run(self._db, {"hash": token_hash, "at": at, "since": since}) == 1

    def purge_expired(self, now: float) -> None:
        self._db.execute(delete(refresh_tokens).where(refresh_tokens.c.expires < now))


_CONSUME: dict[str, Prepared] = {}


def _consume_statement(connection: Connection) -> Prepared:
    """INSERT … ON CONFLICT DO NOTHING: one statement, no savepoint; 0 rows when used."""
    name = connection.dialect.name
    if name not in _CONSUME:
        dialect: Any = postgresql if name == "postgresql" else sqlite
        statement = dialect.insert(consumed_sessions).values(
            sid=bindparam("sid"), expires=bindparam("expires")
        )
        _CONSUME[name] = Prepared(statement.on_conflict_do_nothing(index_elements=["sid"]))
    return _CONSUME[name]


class SqlSessionMarkers:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def consume(self, sid: str, expires: float) -> bool:
        """Mark a session used; False when it already was."""
        marker = {"sid": sid, "expires": expires}
        return _consume_statement(self._db).run(self._db, marker) == 1

    def purge_expired(self, now: float) -> None:
        self._db.execute(delete(consumed_sessions).where(consumed_sessions.c.expires < now))


_STATE = Prepared(select(sign_in_states.c.state).where(sign_in_states.c.sid == bindparam("sid")))


class SqlSignInStates:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def put(self, sid: str, pool_id: str, expires: float, state: str) -> None:
        self._db.execute(
            insert(sign_in_states).values(sid=sid, pool_id=pool_id, expires=expires, state=state)
        )

    def get(self, sid: str) -> str | None:
        row = _STATE.first(self._db, {"sid": sid})
        return str(row.state) if row else None

    def purge_expired(self, now: float) -> None:
        self._db.execute(delete(sign_in_states).where(sign_in_states.c.expires < now))


class SqlLockouts:
    def __init__(self, connection: Connection, *, locking: bool = False) -> None:
        self._db = connection
        self._form = 1 if locking else 0

    def get(self, sub: str) -> Lockout | None:
        row = _LOCKOUT[self._form].first(self._db, {"sub": sub})
        return Lockout(*row) if row else None

    def get_for_update(self, pool_id: str, sub: str) -> Lockout | None:
        # A row to lock, even for a first failure (failures=0 counts as none: long forgotten).
        # A transaction that waited for the row's lock while another deleted it (a right
        # password clears the record) finds no row and holds nothing: it makes the row anew
        # and waits its turn on that, rather than count itself as the first failure beside
        # every other waiter.
        placeholder = {"pool_id": pool_id, "failures": 0, "last_failure": 0.0, "locked_until": 0.0}
        statement = insert_for(self._db, sign_in_failures).values(sub=sub, **placeholder)
        while True:
            self._db.execute(statement.on_conflict_do_nothing(index_elements=["sub"]))
            row = _LOCKOUT[1].first(self._db, {"sub": sub})
            if row is not None:
                return Lockout(*row) if row.failures else None

    def save(self, pool_id: str, sub: str, lockout: Lockout) -> None:
        values = {"pool_id": pool_id, **asdict(lockout)}
        statement = insert_for(self._db, sign_in_failures).values(sub=sub, **values)
        self._db.execute(statement.on_conflict_do_update(index_elements=["sub"], set_=values))

    def clear(self, sub: str) -> None:
        _CLEAR_LOCKOUT.run(self._db, {"sub": sub})

    def purge_forgotten(self, before: float) -> None:
        self._db.execute(delete(sign_in_failures).where(sign_in_failures.c.last_failure < before))
