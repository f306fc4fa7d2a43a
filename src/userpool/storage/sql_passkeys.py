"""Passkeys and open passkey registrations on SQL (repositories.PasskeyRepository)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.auth_records import Passkey, PasskeyChallenge
from userpool.domain.models import Page
from userpool.storage.database import insert_for
from userpool.storage.prepared import Prepared
from userpool.storage.schema import passkey_challenges, passkeys

# A sign-in reads one passkey and then moves its counter: both on the hot path.
_PASSKEY = Prepared(
    select(passkeys).where(
        passkeys.c.pool_id == bindparam("pool_id"),
        passkeys.c.credential_id == bindparam("credential_id"),
    )
)
_OF_USER = Prepared(
    select(passkeys)
    .where(passkeys.c.pool_id == bindparam("pool_id"), passkeys.c.sub == bindparam("sub"))
    .order_by(passkeys.c.created, passkeys.c.credential_id)
)
# Every USER_AUTH sign-in asks whether the user has a passkey (WEB_AUTHN offered or not).
_COUNT = Prepared(
    select(func.count())
    .select_from(passkeys)
    .where(passkeys.c.pool_id == bindparam("pool_id"), passkeys.c.sub == bindparam("sub"))
)
# The counter still reads what the sign-in verified against: of two sign-ins that verified
# against one value, one moves it and the other finds it moved.
_MOVE_COUNT = Prepared(
    update(passkeys)
    .where(
        passkeys.c.pool_id == bindparam("pool_id"),
        passkeys.c.credential_id == bindparam("credential_id"),
        passkeys.c.sign_count == bindparam("old"),
    )
    .values(sign_count=bindparam("new"))
)


def _passkey(row: Any) -> Passkey:
    values = row._asdict()
    values["transports"] = tuple(orjson.loads(values["transports"]))
    values["public_key"] = bytes(values["public_key"])
    return Passkey(**values)


def _row(passkey: Passkey) -> dict[str, Any]:
    values = asdict(passkey)
    values["transports"] = orjson.dumps(list(passkey.transports)).decode()
    return values


def _mine(pool_id: str, sub: str) -> Any:
    return (passkeys.c.pool_id == pool_id) & (passkeys.c.sub == sub)


def _challenge_of(pool_id: str, sub: str) -> Any:
    return (passkey_challenges.c.pool_id == pool_id) & (passkey_challenges.c.sub == sub)


class SqlPasskeys:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, passkey: Passkey) -> bool:
        # A savepoint, so that a credential id already stored leaves the transaction usable.
        try:
            with self._db.begin_nested():
                self._db.execute(passkeys.insert().values(**_row(passkey)))
        except IntegrityError:
            return False
        return True

    def get(self, pool_id: str, credential_id: str) -> Passkey | None:
        row = _PASSKEY.first(self._db, {"pool_id": pool_id, "credential_id": credential_id})
        return _passkey(row) if row else None

    def of_user(self, pool_id: str, sub: str) -> list[Passkey]:
        return [_passkey(row) for row in _OF_USER.all(self._db, {"pool_id": pool_id, "sub": sub})]

    def count(self, pool_id: str, sub: str) -> int:
        row = _COUNT.first(self._db, {"pool_id": pool_id, "sub": sub})
        return int(row[0]) if row is not None else 0

    def list(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page:
        query = select(passkeys).where(_mine(pool_id, sub))
        if after is not None:
            query = query.where(passkeys.c.credential_id > after)
        rows = self._db.execute(query.order_by(passkeys.c.credential_id).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([_passkey(row) for row in rows], rows[-1].credential_id if more else None)

    def delete(self, pool_id: str, sub: str, credential_id: str) -> bool:
        mine = _mine(pool_id, sub) & (passkeys.c.credential_id == credential_id)
        return self._db.execute(delete(passkeys).where(mine)).rowcount == 1

    def update_sign_count(self, pool_id: str, credential_id: str, old: int, new: int) -> bool:
        values = {"pool_id": pool_id, "credential_id": credential_id, "old": old, "new": new}
        return _MOVE_COUNT.run(self._db, values) == 1

    def put_challenge(self, challenge: PasskeyChallenge) -> None:
        values = asdict(challenge)
        statement = insert_for(self._db, passkey_challenges).values(**values)
        self._db.execute(
            statement.on_conflict_do_update(index_elements=["pool_id", "sub"], set_=values)
        )

    def take_challenge(self, pool_id: str, sub: str) -> PasskeyChallenge | None:
        # DELETE … RETURNING: the one statement that decides which answer gets the challenge.
        statement = (
            delete(passkey_challenges)
            .where(_challenge_of(pool_id, sub))
            .returning(*passkey_challenges.columns)
        )
        row = self._db.execute(statement).first()
        return PasskeyChallenge(**row._asdict()) if row else None

    def purge_expired_challenges(self, now: float) -> None:
        self._db.execute(delete(passkey_challenges).where(passkey_challenges.c.expires < now))
