"""Where a sign-in's state lives (auth/sessions.py): sealed whole into a Session that fits
botocore's 2,048 characters, else in a stored row the Session names; either opens on any
node that shares the server key and the database, and says nothing to whoever holds it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from userpool.auth.sessions import (
    MAX_SESSION,
    CustomRound,
    Progress,
    SessionSealer,
    SignInState,
    begin,
)
from userpool.crypto.sealing import Sealer
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import AuthFlow, ChallengeName, FactorRole
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

KEY = bytes(range(32))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    yield SqlStore(engine)
    engine.dispose()


def state(rounds: int, private: str = "") -> SignInState:
    """A custom challenge's state after `rounds` rounds, with a private parameter."""
    progress = Progress(
        AuthFlow.CUSTOM_AUTH,
        (ChallengeName.CUSTOM_CHALLENGE,) * rounds,
        "us-east-1_6a2c0a1e-3f4b-4c5d-9e8f-0a1b2c3d4e5f",
        tuple(
            CustomRound("CUSTOM_CHALLENGE", index % 2 == 0, f"round-{index}")
            for index in range(rounds)
        ),
    )
    return begin(
        "us-east-1_AbCdEfGhI",
        "1h2j3k4l5m6n7o8p9q0r1s2t3u",
        "9d0c6f2e-7a1b-4c3d-8e5f-6a7b8c9d0e1f",
        ChallengeName.CUSTOM_CHALLENGE,
        1_793_000_180.0,
        progress,
        FactorRole.FIRST,
        {"private": private},
    )


def test_a_small_state_travels_whole_in_its_session(store: SqlStore) -> None:
    sealer = SessionSealer(Sealer(KEY))
    small = state(rounds=2)
    with store.write() as tx:
        session = sealer.keep(tx, small)
    assert len(session) <= MAX_SESSION
    assert sealer.open(session) == small  # no storage needed
    with store.read() as tx:
        assert tx.sign_in_states.get(small.sid) is None


def test_a_large_state_is_stored_and_its_session_names_it(store: SqlStore) -> None:
    """Ten rounds and a 4 KB private parameter: far past 2,048 characters whole."""
    sealer = SessionSealer(Sealer(KEY))
    large = state(rounds=10, private="x" * 4096)
    assert len(sealer.seal(large)) > MAX_SESSION
    with store.write() as tx:
        session = sealer.keep(tx, large)
    assert len(session) <= 200
    other_node = SessionSealer(Sealer(KEY))  # same server key, same database
    with store.read() as tx:
        assert other_node.open(session, tx) == large
    with pytest.raises(NotAuthorizedException):  # opened without storage: nothing to show
        other_node.open(session)
    with store.write() as tx:
        tx.sign_in_states.purge_expired(large.expires + 1)
    with store.read() as tx, pytest.raises(NotAuthorizedException) as excinfo:
        other_node.open(session, tx)
    assert excinfo.value.message == "Invalid session for the user, session is expired."


def test_a_session_made_under_another_key_opens_nowhere(store: SqlStore) -> None:
    session = SessionSealer(Sealer(KEY)).seal(state(rounds=1))
    with pytest.raises(NotAuthorizedException) as excinfo:
        SessionSealer(Sealer(bytes(32))).open(session)
    assert excinfo.value.message == "Invalid session for the user."
