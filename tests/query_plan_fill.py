"""A database with a few thousand users in three pools, their search values and sign-in names,
and for each user of the main pool what a user gathers (group memberships, refresh tokens,
devices, passkeys, codes, lockout records, auth events, sign-in states, consumed-session
markers, authorization codes): bulk INSERTs, a second or two on either backend.

Most values are shared by many users (every email starts with "user", two given names in three
start with "Al", everyone is a Smith), so that a filter read through the wrong index, or sorted
after reading, reads thousands of rows; a few rows are expired, so that a purge has little to
delete and much to skip.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, Table, insert, text

from userpool.storage.schema import (
    clients,
    codes,
    consumed_sessions,
    devices,
    group_members,
    groups,
    passkey_challenges,
    passkeys,
    pools,
    refresh_tokens,
    sign_in_failures,
    sign_in_names,
    sign_in_states,
    signing_keys,
    user_search,
    users,
)
from userpool.storage.sql_auth_events import auth_events
from userpool.storage.sql_authorization_codes import authorization_codes

NOW = 1_800_000_000.0
ALIASES = ["email", "preferred_username"]
POOLS = {  # id: (users, settings)
    "us-east-1_Plans": (3000, {"AliasAttributes": ALIASES}),
    "us-east-1_Folded": (1500, {"UsernameConfiguration": {"CaseSensitive": False}}),
    "us-east-1_Others": (300, {"AliasAttributes": ALIASES}),  # where cases add and delete
}
MAIN, FOLDED, OTHERS = POOLS
GIVEN_NAMES = ("Alice", "Alfred", "Bob")
VERIFIED = {"email_verified": "true"}  # a verified email is an alias
SMALL_GROUP = 12  # members of "small"; "big" has every user of MAIN


def sub_of(pool_id: str, number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pool_id}/{number}"))


def username_of(pool_id: str, number: int) -> str:
    return f"User{number:05d}" if pool_id == FOLDED else f"user{number:05d}"


def status_of(number: int) -> str:
    return "RESET_REQUIRED" if number % 37 == 0 else "CONFIRMED"


def name_key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def attributes_of(pool_id: str, number: int) -> dict[str, str]:
    return {
        "email": f"user{number:05d}@example.com",
        "phone_number": f"+1555{number:07d}",
        "name": f"User Number {number}",
        "given_name": GIVEN_NAMES[number % 3],
        "family_name": "Smith",
        "preferred_username": f"pref{number:05d}",
    }


@dataclass
class Fill:
    """What `fill` wrote: pools of users numbered from 0, subs and names derived from them."""

    counts: dict[str, int]

    def sub(self, number: int, pool_id: str = MAIN) -> str:
        return sub_of(pool_id, number)


def fill(engine: Engine) -> Fill:
    rows: dict[Table, list[dict[str, Any]]] = {table: [] for table in _TABLES}
    for pool_id, (count, settings) in POOLS.items():
        stored = orjson.dumps(settings).decode()
        rows[pools].append(
            {"id": pool_id, "name": pool_id, "created": NOW, "modified": NOW, "settings": stored}
        )
        rows[clients].append(_client(pool_id))
        rows[signing_keys].append(_signing_key(pool_id))
        for number in range(count):
            _user_rows(rows, pool_id, number)
    rows[groups].extend(_group(MAIN, name) for name in ("big", "small"))
    rows[group_members].extend(
        {"pool_id": MAIN, "group_name": "small", "sub": sub_of(MAIN, number)}
        for number in range(0, SMALL_GROUP * 100, 100)
    )
    with engine.begin() as connection:
        for table, values in rows.items():
            if not values:
                continue
            if engine.dialect.name == "postgresql":  # COPY: a few times quicker than INSERTs
                _copy(connection.connection.cursor(), table, values)
            else:
                connection.execute(insert(table), values)
        # PostgreSQL plans with statistics, which a server has (autovacuum, or the import's
        # ANALYZE); SQLite without them, as a server's database is: nothing runs ANALYZE there,
        # and with them the planner chose differently (a prefix of sub along the key on sub
        # here, the pool's whole index and a sort at a million users).
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    return Fill({pool_id: count for pool_id, (count, _) in POOLS.items()})


def _copy(cursor: Any, table: Table, values: list[dict[str, Any]]) -> None:
    columns = list(values[0])
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row([row[column] for column in columns])


_TABLES = (
    pools,
    clients,
    signing_keys,
    users,
    user_search,
    sign_in_names,
    groups,
    group_members,
    refresh_tokens,
    devices,
    passkeys,
    passkey_challenges,
    codes,
    sign_in_failures,
    sign_in_states,
    consumed_sessions,
    authorization_codes,
    auth_events,
)


def _user_rows(rows: dict[Table, list[dict[str, Any]]], pool_id: str, number: int) -> None:
    sub, username = sub_of(pool_id, number), username_of(pool_id, number)
    attributes = attributes_of(pool_id, number)
    rows[users].append(
        {
            "sub": sub,
            "pool_id": pool_id,
            "username": username,
            "username_key": username.lower() if pool_id == FOLDED else username,
            "status": status_of(number),
            "enabled": number % 41 != 0,
            "created": NOW,
            "modified": NOW,
            "attributes": orjson.dumps({"sub": sub, **attributes, **VERIFIED}).decode(),
            "password_salt": "00",
            "password_verifier": "00",
            "password_set_at": NOW,
            "password_temporary": False,
            "mfa": "{}",
        }
    )
    rows[user_search].extend(
        {"sub": sub, "name": name, "pool_id": pool_id, "value": value, "value_head": value}
        for name, value in attributes.items()
    )
    if pool_id != FOLDED:
        rows[sign_in_names].extend(
            {"pool_id": pool_id, "attribute": name, "key": name_key(attributes[name]), "sub": sub}
            for name in ALIASES
        )
    if pool_id == MAIN:
        rows[group_members].append({"pool_id": pool_id, "group_name": "big", "sub": sub})
        _belongings(rows, pool_id, number, sub, username)


def _belongings(
    rows: dict[Table, list[dict[str, Any]]], pool_id: str, number: int, sub: str, username: str
) -> None:
    """What a user of MAIN has besides: 3,000 rows in each table, a few of them expired."""
    expired = number % 100 == 1
    until = NOW - 86_400 * 3 if expired else NOW + 86_400
    rows[refresh_tokens].append(
        {
            "token_hash": f"hash-{sub}",
            "jti": f"jti-{sub}",
            "pool_id": pool_id,
            "client_id": f"client-{pool_id}",
            "sub": sub,
            "auth_time": NOW,
            "created": NOW,
            "expires": until,
            "revoked": False,
        }
    )
    rows[devices].append(
        {
            "key": f"{pool_id.split('_')[0]}_{sub}",
            "pool_id": pool_id,
            "sub": sub,
            "group_key": "group",
            "salt": "00",
            "verifier": "00",
            "remembered": True,
            "created": NOW,
            "modified": NOW,
        }
    )
    rows[passkeys].append(
        {
            "pool_id": pool_id,
            "credential_id": f"credential-{sub}",
            "sub": sub,
            "public_key": b"key",
            "sign_count": 1,
            "transports": "[]",
            "relying_party_id": "example.com",
            "created": NOW,
        }
    )
    rows[passkey_challenges].append(
        {
            "pool_id": pool_id,
            "sub": sub,
            "client_id": "client",
            "challenge": "challenge",
            "relying_party_id": "example.com",
            "user_verification": "preferred",
            "expires": NOW - 1 if expired else NOW + 300,
        }
    )
    rows[codes].append(
        {
            "sub": sub,
            "purpose": "verify:email",
            "pool_id": pool_id,
            "code_hash": "hash",
            "expires": NOW - 1 if expired else NOW + 3600,
            "attempts": 0,
            "created": NOW,
        }
    )
    rows[sign_in_failures].append(
        {
            "sub": sub,
            "pool_id": pool_id,
            "failures": 1,
            "last_failure": NOW - 3600 if expired else NOW,
            "locked_until": 0.0,
        }
    )
    rows[sign_in_states].append(
        {"sid": f"sid-{sub}", "pool_id": pool_id, "expires": until, "state": "{}"}
    )
    rows[consumed_sessions].append({"sid": f"sid-{sub}", "expires": until})
    rows[authorization_codes].append(
        {
            "code_hash": f"code-{sub}",
            "pool_id": pool_id,
            "client_id": "client",
            "sub": sub,
            "redirect_uri": "https://example.com/",
            "scopes": "[]",
            "sealed_tokens": b"sealed",
            "expires": until,
        }
    )
    rows[auth_events].extend(
        {
            "event_id": f"{sub}-{index}",
            "pool_id": pool_id,
            "sub": sub,
            "username": username,
            "event_type": "SignIn",
            "created": int(NOW * 1_000_000) + index,
            "response": "Pass",
            "challenges": "Password:Success;",
            "context": "{}",
        }
        for index in range(2)
    )


def _client(pool_id: str) -> dict[str, Any]:
    return {
        "id": f"client-{pool_id}",
        "pool_id": pool_id,
        "name": "app",
        "secret": None,
        "created": NOW,
        "modified": NOW,
        "settings": "{}",
    }


def _signing_key(pool_id: str) -> dict[str, Any]:
    return {
        "kid": f"kid-{pool_id}",
        "pool_id": pool_id,
        "use": "sig",
        "private_sealed": b"sealed",
        "public_jwk": "{}",
        "created": NOW,
    }


def _group(pool_id: str, name: str) -> dict[str, Any]:
    return {"pool_id": pool_id, "name": name, "created": NOW, "modified": NOW}
