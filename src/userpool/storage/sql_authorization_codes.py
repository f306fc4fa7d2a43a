"""OAuth 2.0 authorization codes on SQL (repositories.AuthorizationCodeRepository).

The table is defined here rather than in schema.py: only this module reads or writes it (and
the pool's deletion, which imports it). Migration 0011 creates it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy import Column, Connection, Float, LargeBinary, String, Table, Text, delete, insert

from userpool.domain.auth_records import AuthorizationCode
from userpool.storage.schema import metadata

authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("client_id", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("redirect_uri", String(1024), nullable=False),
    Column("scopes", Text, nullable=False),  # a JSON list
    Column("sealed_tokens", LargeBinary, nullable=False),
    Column("expires", Float, nullable=False, index=True),
    Column("code_challenge", String(128)),
    Column("code_challenge_method", String(8)),
)


def _code(row: Any) -> AuthorizationCode:
    values = row._asdict()
    values["scopes"] = tuple(orjson.loads(values["scopes"]))
    return AuthorizationCode(**values)


class SqlAuthorizationCodes:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, code: AuthorizationCode) -> None:
        values = asdict(code) | {"scopes": orjson.dumps(list(code.scopes)).decode()}
        self._db.execute(insert(authorization_codes).values(**values))

    def take(self, code_hash: str) -> AuthorizationCode | None:
        # DELETE … RETURNING: the one statement that decides which exchange gets the code.
        statement = (
            delete(authorization_codes)
            .where(authorization_codes.c.code_hash == code_hash)
            .returning(*authorization_codes.columns)
        )
        row = self._db.execute(statement).first()
        return _code(row) if row else None

    def purge_expired(self, now: float) -> None:
        self._db.execute(delete(authorization_codes).where(authorization_codes.c.expires < now))
