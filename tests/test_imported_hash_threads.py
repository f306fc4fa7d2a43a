"""A user's first sign-in with an imported password hash leaves the worker's event loop
(domain/event_loop.py): on SQLite and on a PostgreSQL on this machine most operations run on
the loop (app.inline_operations), and checking a bcrypt hash at cost 12 takes about a quarter
of a second of CPU, which every other request on that worker would otherwise wait out.

On a server with one worker, on both backends, other requests sent while such a sign-in is
being checked all complete before it does, a sign-in of another user of the same pool among
them. And the check itself: on the loop, a password met by an imported hash gives the request
up before checking it (to be run again in a thread); one met by a verifier is checked there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import bcrypt
import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on, server_store
from tests.import_support import import_pool, run_import
from tests.signin_support import confirmed_user, new_client, tokens_of, user_auth
from userpool.accounts.passwords import make_password_verifier, password_matches
from userpool.domain.event_loop import MustLeaveTheLoop, on_the_loop
from userpool.domain.models import ImportedHash, User, UserPool, UserStatus

OLD_PASSWORD = "Their-0ld-Passw0rd!"
HEADER = "cognito:username,email,email_verified,password_hash"
QUICK = 5  # requests sent while the first sign-in is checked


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("hash-threads")
    with server_on(request.param, data_dir, "--workers", "1") as running:
        yield running


def test_other_requests_are_served_while_a_first_sign_in_checks_its_hash(server: Server) -> None:
    cognito = make_client(server.url)
    pool_id = import_pool(cognito)
    client_id = new_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "regular", OLD_PASSWORD)
    # One done beforehand, so that the one below costs what any sign-in costs.
    assert tokens_of(user_auth(cognito, client_id, "regular", OLD_PASSWORD))["AccessToken"]
    hashed = bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(12)).decode()  # the bound
    data = f"{HEADER}\nhashed,hashed@example.com,true,{hashed}\n".encode()
    assert run_import(cognito, pool_id, data, "BCRYPT")["ImportedUsers"] == 1

    # The first sign-in's own client says when its request is on its way; the others are
    # sent from here after that, one after another, each awaited.
    first_client = make_client(server.url)
    sent = threading.Event()
    first_client.meta.events.register(
        "before-send.cognito-idp.InitiateAuth", lambda **_: sent.set()
    )
    finished: list[str] = []
    outcome: dict[str, Any] = {}

    def first_sign_in() -> None:
        try:
            outcome["response"] = user_auth(first_client, client_id, "hashed", OLD_PASSWORD)
        except Exception as error:  # seen below, in the test's thread
            outcome["error"] = error
        finished.append("first sign-in")

    thread = threading.Thread(target=first_sign_in)
    thread.start()
    try:
        assert sent.wait(30)
        signed_in = user_auth(cognito, client_id, "regular", OLD_PASSWORD)
        assert tokens_of(signed_in)["AccessToken"]
        finished.append("quick 0")
        for number in range(1, QUICK):
            user = cognito.admin_get_user(UserPoolId=pool_id, Username="regular")
            assert user["Username"] == "regular"
            finished.append(f"quick {number}")
    finally:
        thread.join(60)
    # Held on the loop, the check would have kept them all waiting until it was done.
    assert finished == [*(f"quick {number}" for number in range(QUICK)), "first sign-in"]
    assert "error" not in outcome, outcome
    assert tokens_of(outcome["response"])["AccessToken"]
    with server_store(server) as store, store.read() as tx:
        user = tx.users.get(pool_id, "hashed")
    assert user is not None and user.imported_hash is None and user.password is not None
    # The second sign-in is proven by the verifier the first one made.
    assert tokens_of(user_auth(cognito, client_id, "hashed", OLD_PASSWORD))["AccessToken"]


POOL = UserPool("us-east-1_hashes", "hashes", 0.0, 0.0)


def a_user(name: str) -> User:
    return User(f"sub-{name}", POOL.id, name, UserStatus.CONFIRMED, True, 0.0, 0.0)


def test_on_the_loop_an_imported_hash_gives_the_request_up_before_it_is_checked() -> None:
    hashed = a_user("hashed")
    hashed.imported_hash = ImportedHash(
        "BCRYPT", bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    )
    plain = a_user("plain")
    plain.password = make_password_verifier(POOL, "plain", OLD_PASSWORD, 0.0, temporary=False)
    with on_the_loop():
        with pytest.raises(MustLeaveTheLoop):
            password_matches(POOL, hashed, OLD_PASSWORD)
        assert password_matches(POOL, plain, OLD_PASSWORD)
        assert not password_matches(POOL, plain, "wrong")
    # Off the loop (the request run again in a thread), the hash is checked.
    assert password_matches(POOL, hashed, OLD_PASSWORD)
    assert not password_matches(POOL, hashed, "wrong")
