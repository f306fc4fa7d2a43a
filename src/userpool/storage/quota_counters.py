"""The request rate quotas' counters (protocol/quotas.py): requests per key per one-second
window, shared by every node and worker, in the database or in Redis.

In the database a count is one statement, an INSERT that adds one to the window's row where
it is there already (ON CONFLICT DO UPDATE ... RETURNING n): two nodes counting at once queue
on the row and each reads its own count, so no window ever admits more than its quota. A
request's keys are counted in one transaction, in the order of their names, so that two
requests sharing keys take their rows' locks in the same order and never deadlock. The table
is defined here rather than in schema.py, as only this module uses it; migration 0015
creates it. When a count opens a new window for a key, the windows before the last one are
deleted, after the counts are committed (holding no count's row lock), so the table holds a
few rows per key.

In Redis a count is INCR and EXPIRE, all of a request's keys in one pipeline (one round
trip): the keys expire on their own two seconds on. Redis is the default: bench/quotas.py
measured AdminGetUser at c=32 with the counts in Redis at 58% (SQLite) and 91% (PostgreSQL)
of the rate without quotas, in the database at 28% and 25% (README, "Quotas").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
from sqlalchemy import BigInteger, Column, Engine, Integer, String, Table, delete

from userpool.storage.database import WRITE_OPTION, insert_for
from userpool.storage.schema import metadata
from userpool.storage.writer_lock import writer_lock_for

quota_windows = Table(
    "quota_windows",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("second", BigInteger, primary_key=True),  # the window: seconds since the epoch
    Column("n", Integer, nullable=False),
)


class SqlWindowCounter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writers = writer_lock_for(engine)  # SQLite's one writer: queue as SqlStore does

    def hit_many(self, keys: Sequence[str], window: int) -> list[int]:
        counts: dict[str, int] = {}
        with (
            self._writers,
            self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        ):
            with connection.begin():
                insert = insert_for(connection, quota_windows)
                for key in sorted(set(keys)):
                    counted = insert.values(key=key, second=window, n=1).on_conflict_do_update(
                        index_elements=["key", "second"], set_={"n": quota_windows.c.n + 1}
                    )
                    returning = counted.returning(quota_windows.c.n)
                    counts[key] = int(connection.execute(returning).scalar_one())
            if 1 in counts.values():
                with connection.begin():
                    old = delete(quota_windows).where(quota_windows.c.second < window - 1)
                    connection.execute(old)
        return [counts[key] for key in keys]


class RedisWindowCounter:
    def __init__(self, url: str) -> None:
        self._redis: Any = redis.Redis.from_url(url)

    def hit_many(self, keys: Sequence[str], window: int) -> list[int]:
        pipeline = self._redis.pipeline(transaction=False)
        for key in keys:
            name = f"userpool:quota:{key}:{window}"
            pipeline.incr(name)
            pipeline.expire(name, 2)
        answers = pipeline.execute()
        return [int(n) for n in answers[::2]]


def counter_for(store: str, engine: Engine) -> SqlWindowCounter | RedisWindowCounter:
    """`store`: "database" (`engine`'s) or a redis:// (rediss://, unix://) URL."""
    if store == "database":
        return SqlWindowCounter(engine)
    return RedisWindowCounter(store)


def store_refusal(store: str) -> str | None:
    """Why `store` cannot hold the counters, or None; a Redis that does not answer too."""
    if store == "database":
        return None
    if not store.startswith(("redis://", "rediss://", "unix://")):
        return f"--quotas-store {store!r} is neither 'database' nor a redis:// URL"
    try:
        redis.Redis.from_url(store, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, ValueError) as error:
        return (
            f"cannot reach Redis at {store} for the quotas' counters: {error} "
            "(--quotas-store database counts in the database instead)"
        )
    return None
