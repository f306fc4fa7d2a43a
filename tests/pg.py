"""Throw-away PostgreSQL databases for tests, on 127.0.0.1:5432 or `$USERPOOL_TEST_PG`.

Each database is created with an ICU `en-US` collation, as most production servers sort by
a language collation rather than by bytes, and dropped afterwards. When PostgreSQL cannot
be reached, a test that needs it fails in CI (`$CI` set) and is skipped elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("USERPOOL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)


def require_postgres() -> None:
    """Fail (in CI) or skip (elsewhere) unless PostgreSQL answers."""
    try:
        with _admin() as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        message = f"PostgreSQL unreachable at {ADMIN_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create `userpool_test_<random>`, yield its SQLAlchemy URL, drop it at the end."""
    require_postgres()
    name = f"userpool_test_{uuid.uuid4().hex[:12]}"
    with _admin() as connection:
        connection.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        )
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
