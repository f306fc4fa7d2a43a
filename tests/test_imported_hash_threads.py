"""A user's first sign-in with an imported password hash leaves the worker's event loop
(services/request_routing.py): on SQLite and on a PostgreSQL on this machine most operations
run on the loop (app.inline_operations), and checking a bcrypt hash at cost 12 takes about a
quarter of a second of CPU, which every other request on that worker would otherwise wait out.

On a server with one worker, on both backends, other requests sent while such a sign-in is
being checked all complete before it does. The routing itself, against a real SQLite store:
a pool's password sign-ins leave the loop while any of its users holds an imported hash, and
come back to it once none does (a second later: what a pool holds is remembered that long)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on, server_store
from tests.import_support import import_pool, run_import
from tests.signin_support import confirmed_user, new_client, tokens_of, user_auth
from userpool.domain.models import (
    AppClient,
    ImportedHash,
    PasswordVerifier,
    User,
    UserPool,
    UserStatus,
)
from userpool.services.request_routing import RequestRouting
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

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
    # A pool without imported users, whose sign-ins stay on the loop; one done beforehand, so
    # that the one below costs what any sign-in costs.
    other_pool_id = import_pool(cognito)
    other_client_id = new_client(cognito, other_pool_id)["ClientId"]
    confirmed_user(cognito, other_pool_id, "regular", OLD_PASSWORD)
    assert tokens_of(user_auth(cognito, other_client_id, "regular", OLD_PASSWORD))["AccessToken"]
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
        signed_in = user_auth(cognito, other_client_id, "regular", OLD_PASSWORD)
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


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


POOL = UserPool("us-east-1_hashes", "hashes", 0.0, 0.0)
CLIENT = f"client-{POOL.id}"


def password_requests(username: str) -> list[tuple[str, dict[str, Any]]]:
    """Every request that may check `username`'s password against an imported hash."""
    auth = {"AuthParameters": {"USERNAME": username}}
    answer = {"ChallengeResponses": {"USERNAME": username, "ANSWER": "PASSWORD"}}
    return [
        ("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", **auth}),
        ("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_AUTH", **auth}),
        (
            "AdminInitiateAuth",
            {"UserPoolId": POOL.id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", **auth},
        ),
        ("AdminInitiateAuth", {"UserPoolId": POOL.id, "AuthFlow": "ADMIN_NO_SRP_AUTH", **auth}),
        (
            "RespondToAuthChallenge",
            {"ClientId": CLIENT, "ChallengeName": "SELECT_CHALLENGE", **answer},
        ),
        (
            "AdminRespondToAuthChallenge",
            {
                "UserPoolId": POOL.id,
                "ClientId": CLIENT,
                "ChallengeName": "SELECT_CHALLENGE",
                **answer,
            },
        ),
    ]


PASSWORD_REQUESTS = password_requests("hashed")
# Requests that never check a password against a hash, whatever the pool holds.
OTHER_REQUESTS = [
    ("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH"}),
    ("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH"}),
    ("RespondToAuthChallenge", {"ClientId": CLIENT, "ChallengeName": "SOFTWARE_TOKEN_MFA"}),
    ("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": ["USER_PASSWORD_AUTH"]}),  # refused later
    ("AdminGetUser", {"UserPoolId": POOL.id, "Username": "hashed"}),
    # Not an id (a NUL once failed PostgreSQL's query): not looked up, refused by validation.
    ("InitiateAuth", {"ClientId": f"{CLIENT}\x00", "AuthFlow": "USER_PASSWORD_AUTH"}),
]


def routed(routing: RequestRouting, requests: list[tuple[str, dict[str, Any]]]) -> list[bool]:
    return [routing.may_wait(operation, params) for operation, params in requests]


def test_sign_ins_of_a_user_holding_an_imported_hash_leave_the_loop(tmp_path: Path) -> None:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    with store.write() as tx:
        tx.pools.add(POOL)
        tx.clients.add(AppClient(CLIENT, POOL.id, "app", None, 0.0, 0.0))
        plain = User("sub-plain", POOL.id, "plain", UserStatus.CONFIRMED, True, 0.0, 0.0)
        plain.password = PasswordVerifier("00", "00", 1.0, False)
        assert tx.users.add(plain, plain.username, {}) == []
    clock = Clock()
    routing = RequestRouting(store, frozenset(), clock, ttl=1.0)
    assert routed(routing, PASSWORD_REQUESTS) == [False] * len(PASSWORD_REQUESTS)

    user = User("sub-hashed", POOL.id, "hashed", UserStatus.CONFIRMED, True, 0.0, 0.0)
    user.imported_hash = ImportedHash("BCRYPT", bcrypt.hashpw(b"x", bcrypt.gensalt(4)).decode())
    with store.write() as tx:
        assert tx.users.add(user, user.username, {}) == []
    assert routed(routing, PASSWORD_REQUESTS) == [False] * len(PASSWORD_REQUESTS)  # remembered
    clock.now += 1.1
    assert routed(routing, PASSWORD_REQUESTS) == [True] * len(PASSWORD_REQUESTS)
    assert routed(routing, OTHER_REQUESTS) == [False] * len(OTHER_REQUESTS)
    # In that pool, the users who hold no hash (or who do not exist) stay on the loop.
    for name in ("plain", "nobody", ""):
        assert routed(routing, password_requests(name)) == [False] * len(PASSWORD_REQUESTS)

    # The user's first sign-in replaces the hash: their next sign-in stays on the loop at once.
    with store.write() as tx:
        assert tx.users.adopt_verifier(user, PasswordVerifier("00", "00", 1.0, False))
    assert routed(routing, PASSWORD_REQUESTS) == [False] * len(PASSWORD_REQUESTS)
