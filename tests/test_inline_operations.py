"""Which operations a worker runs on its event loop: on SQLite, all but the senders."""

from __future__ import annotations

from pathlib import Path

from userpool.app import inline_operations
from userpool.services import catalog, registry
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


def test_sqlite_runs_everything_but_the_message_senders_inline(tmp_path: Path) -> None:
    store = SqlStore(database.create(database.sqlite_url(tmp_path)))
    inline = inline_operations(store)
    assert {"InitiateAuth", "RespondToAuthChallenge", "GetUser", "AdminGetUser"} <= inline
    senders = {
        "SignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "GetUserAttributeVerificationCode",
        "AdminCreateUser",
        "AdminResetUserPassword",
        "UpdateUserAttributes",
    }
    assert senders == registry.SENDS_MESSAGES
    assert inline == set(catalog.OPERATIONS) - senders


def test_postgresql_runs_nothing_inline() -> None:
    engine = database.create("postgresql://postgres@127.0.0.1:5432/test")
    assert inline_operations(SqlStore(engine)) == frozenset()
