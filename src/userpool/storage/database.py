"""Engine creation (SQLite in WAL mode by default, PostgreSQL via psycopg) and migrations."""

from __future__ import annotations

import ipaddress
import threading
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from userpool.storage.schema import metadata
from userpool.storage.writer_lock import writer_lock_for

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "userpool_write"
PG_MIGRATION_LOCK = 0x75736572706F6F6C  # "userpool"
BUSY_TIMEOUT_MS = 30_000
# SQLite's `synchronous` in WAL mode. NORMAL syncs the WAL only at checkpoints: a commit
# survives the process dying (it is in the OS's cache) but not the machine losing power;
# FULL syncs the WAL at every commit, so a commit survives both.
SQLITE_SYNCHRONOUS = ("normal", "full")
PG_PING_AFTER_IDLE = 1.0  # seconds
# Connections a worker process keeps to PostgreSQL, and its most at once. All kept, none
# overflowing: a pool of 8 plus 8 overflow closed a connection at almost every return under
# 32 concurrent sign-ins and opened another (over 400 new sessions in a 30 s bench).
PG_POOL_SIZE = 16
_RETURNED = "userpool_returned"  # when a pooled connection came back (its record's info)


def insert_for(connection: Connection, table: Table) -> Any:
    """An INSERT that can take ON CONFLICT clauses, in the connection's dialect.

    Under PostgreSQL's READ COMMITTED, "look, then insert" lets two transactions insert the
    same key: the second fails on the unique index. ON CONFLICT makes it wait, then yield.
    """
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def is_local(engine: Engine) -> bool:
    """Whether a statement is answered on this machine: SQLite, or PostgreSQL through a
    loopback address or a Unix socket (no host)."""
    if engine.dialect.name == "sqlite":
        return True
    host = engine.url.host
    if not host or host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'userpool.db'}"


def create(url: str, sqlite_synchronous: str = "normal") -> Engine:
    """An engine for `url`; `postgresql://` URLs use psycopg 3. `sqlite_synchronous` (one of
    SQLITE_SYNCHRONOUS) applies to SQLite only."""
    if sqlite_synchronous not in SQLITE_SYNCHRONOUS:  # it goes into a PRAGMA's text
        raise ValueError(f"SQLite synchronous must be one of {SQLITE_SYNCHRONOUS}")
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_synchronous)
    return _postgres_engine(parsed)


def _sqlite_engine(url: Any, synchronous: str) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # A pooled connection per thread that may run a transaction at once (the threadpool's
    # 40 and the event loop), so that none waits for another's connection.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=16,
        max_overflow=32,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the lock up front, so two writers never deadlock on an upgrade.
        # SqlStore queues its writers first (writer_lock.py), so this rarely waits.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        cursor = connection.connection.cursor()  # the driver's: no execution context needed
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        cursor.close()

    return engine


def _postgres_engine(url: Any) -> Engine:
    """Connections that PostgreSQL dropped (a restart, an idle timeout) are found by a ping
    at checkout, as `pool_pre_ping` does, but only for one idle in the pool for over
    PG_PING_AFTER_IDLE seconds: a ping at every checkout is a round trip per transaction,
    ~10% of a password sign-in's server time on one node (bench/signin.py). A connection
    back from its last transaction that recently is as likely to be alive as one just
    pinged; a statement failing as a disconnect invalidates the whole pool anyway."""
    engine = create_engine(url, pool_size=PG_POOL_SIZE, max_overflow=0)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)  # none yet: connected just now
        if returned is None or time.monotonic() - returned < PG_PING_AFTER_IDLE:
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("ping failed") from error  # the pool reconnects
            raise

    return engine


# Alembic's `context` is a module-level proxy: two threads migrating at once would share it.
_MIGRATING = threading.Lock()


def migrate(engine: Engine) -> str | None:
    """Bring the schema to the newest revision; safe when several nodes start at once.

    A schema that a newer version migrated (its revision unknown here) is left as it is, and
    its revision comes back, if it has every table and column this version uses: migrations
    only add, so an older node still starts during a rolling upgrade, or after rolling back
    to it. Without one of them, this raises."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic reads the schema's version once, then commits each step on SQLite: two nodes
    # migrating at once must not interleave, so the whole upgrade holds the writer lock
    # (SQLite) or an advisory lock (PostgreSQL).
    with (
        _MIGRATING,
        writer_lock_for(engine),
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
    ):
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        newer = _newer_revision(connection, ScriptDirectory.from_config(config))
        if newer is None:
            command.upgrade(config, "head")
        connection.commit()
    return newer


def _newer_revision(connection: Connection, scripts: ScriptDirectory) -> str | None:
    """The schema's revision if this version's migrations do not know it, else None; raises
    if the schema then lacks a table or column that this version uses."""
    known = {script.revision for script in scripts.walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = [revision for revision in current if revision not in known]
    if not unknown:
        return None
    found = inspect(connection)
    for table in metadata.sorted_tables:
        has = (
            {c["name"] for c in found.get_columns(table.name)}
            if found.has_table(table.name)
            else set()
        )
        lacks = [
            f"{table.name}.{column.name}" for column in table.columns if column.name not in has
        ]
        if lacks:
            raise RuntimeError(
                f"the schema is at revision {unknown[0]}, which this version does not know, "
                f"and lacks {lacks[0]}"
            )
    return unknown[0]
