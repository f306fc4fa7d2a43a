"""The console and outbox backends (the outbox through a real SqlStore on SQLite), and the
router's choice: a pool's `userpool:delivery` tag over the server's default. The smtp and aws
backends: test_delivery_smtp.py, test_delivery_aws.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.delivery_support import (
    NO_EMAIL,
    POOL,
    add_pool,
    message,
    new_store,
    stored,
    tagged,
)
from userpool.delivery import DeliveryError
from userpool.delivery.aws import AwsSettings
from userpool.delivery.console import ConsoleBackend
from userpool.delivery.outbox import OutboxBackend
from userpool.delivery.router import build
from userpool.domain.messages import Medium
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return new_store(tmp_path)


def test_console_logs_the_message_with_its_code(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "userpool.delivery"):
        ConsoleBackend().deliver(message(Medium.SMS), NO_EMAIL)
    assert "SMS to +15555550100 for alice in eu-west-1_TestPool1" in caplog.text
    assert "123456" in caplog.text


def test_outbox_stores_each_message(store: SqlStore) -> None:
    backend = OutboxBackend(store, lambda: 1_800_000_000.5)
    backend.deliver(message(), NO_EMAIL)
    backend.deliver(message(Medium.SMS), NO_EMAIL)
    with store.read() as tx:
        entries = tx.outbox.list(POOL, "alice", 0, 10)
    assert [entry.message for entry in entries] == [message(), message(Medium.SMS)]
    assert entries[0].created == 1_800_000_000.5
    assert entries[0].id < entries[1].id


def test_outbox_on_a_database_it_cannot_write(tmp_path: Path) -> None:
    store = SqlStore(database.create(database.sqlite_url(tmp_path)))  # never migrated
    with pytest.raises(DeliveryError, match="cannot store the message"):
        OutboxBackend(store, lambda: 0.0).deliver(message(), NO_EMAIL)


# --- the router ------------------------------------------------------------------------------


def test_the_pools_tag_wins_over_the_server_default(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    add_pool(store, "eu-west-1_Tagged111", **tagged("outbox"))
    add_pool(store, "eu-west-1_Plain1111", UserPoolTags={"team": "x"})
    sender = build(store, "console", None, AwsSettings())
    with caplog.at_level(logging.WARNING, "userpool.delivery"):
        sender.send(message(pool_id="eu-west-1_Tagged111"))
        sender.send(message(pool_id="eu-west-1_Plain1111"))
    assert stored(store) == [message(pool_id="eu-west-1_Tagged111")]
    assert "in eu-west-1_Plain1111" in caplog.text
    assert "in eu-west-1_Tagged111" not in caplog.text


def test_the_server_default_applies_to_untagged_and_unknown_pools(store: SqlStore) -> None:
    add_pool(store, "eu-west-1_Plain1111")
    sender = build(store, "outbox", None, AwsSettings())
    sender.send(message(pool_id="eu-west-1_Plain1111"))
    sender.send(message(pool_id="eu-west-1_Gone11111"))
    assert [m.pool_id for m in stored(store)] == ["eu-west-1_Plain1111", "eu-west-1_Gone11111"]


def test_a_tag_change_applies_to_the_next_message(store: SqlStore) -> None:
    add_pool(store, POOL, **tagged("console"))
    sender = build(store, "console", None, AwsSettings())
    sender.send(message())
    with store.write() as tx:
        pool = tx.pools.get(POOL)
        assert pool is not None
        pool.settings.update(tagged("outbox"))
        tx.pools.update(pool)
    sender.send(message())
    assert len(stored(store)) == 1


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        ("smtp", "the smtp backend is not configured on this server"),
        ("pigeon", "tag userpool:delivery='pigeon' is not one of console, outbox, smtp, aws"),
    ],
)
def test_a_pool_tag_the_server_cannot_honour(
    store: SqlStore, caplog: pytest.LogCaptureFixture, backend: str, reason: str
) -> None:
    add_pool(store, POOL, **tagged(backend))
    with (
        caplog.at_level(logging.WARNING, "userpool.delivery"),
        pytest.raises(DeliveryError) as refused,
    ):
        build(store, "outbox", None, AwsSettings()).send(message())
    assert str(refused.value) == reason
    assert f"cannot deliver the EMAIL sign-up message for alice in {POOL}: {reason}" in caplog.text
    assert stored(store) == []
