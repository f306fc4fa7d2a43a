"""Which operations a worker runs on its event loop: with a database on this machine, all but
the senders; with one elsewhere, none."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgresql://postgres@localhost/test",
        "postgresql://postgres@[::1]:5432/test",
        "postgresql:///test",  # a Unix socket
        "postgresql://postgres@/test?host=/var/run/postgresql",
    ],
)
def test_a_postgresql_on_this_machine_runs_them_inline_too(url: str) -> None:
    local = inline_operations(SqlStore(database.create(url)))
    assert local == set(catalog.OPERATIONS) - registry.SENDS_MESSAGES


@pytest.mark.parametrize(
    "url", ["postgresql://postgres@db.internal:5432/test", "postgresql://u@10.0.0.7/test"]
)
def test_a_postgresql_elsewhere_runs_nothing_inline(url: str) -> None:
    assert inline_operations(SqlStore(database.create(url))) == frozenset()
