"""Helpers for the race tests: the two ways of running more than one server process on one
database (two nodes over PostgreSQL, one SQLite node with two workers), requests released
together by a barrier, and rounds whose every failure is collected before the test fails.

A race is only worth something if the requests really overlap, so each thread sends over its
own boto3 client (its own HTTP connection: with `--workers 2` the kernel spreads connections,
not requests, across the workers), and the clients are made once per topology because making
one costs far more than a request.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.codes_support import OUTBOX_FLAGS
from tests.conftest import Server, make_client, start_server
from tests.mfa_support import authenticator_code, away_from_step_edge
from tests.nginx_support import deployed
from tests.pg import fresh_database
from tests.signin_support import confirmed_user, unique, user_auth

OK = "ok"
ROUNDS = 30  # not 20: a window hit one round in five passes 20 rounds 1% of the time, 30 0.1%
SLOTS = 21  # the widest race: twenty wrong passwords and the right one
PUBLIC_URL = "http://idp.races.test"  # nodes behind one name share an issuer

# ("ok", response) for an answer, (error code, message) for a refusal.
Outcome = tuple[str, Any]


@dataclass(frozen=True)
class Topology:
    """Server processes on one database, and one client per thread slot; slot i talks to
    server i mod n, so consecutive threads of a race land on different nodes."""

    name: str
    servers: list[Server]
    clients: list[Any]

    @property
    def admin(self) -> Any:
        """The client for setting a round up and checking it afterwards."""
        return self.clients[0]

    def slots(self, count: int) -> list[Any]:
        assert count <= len(self.clients), f"a race of {count} needs more than {SLOTS} slots"
        return self.clients[:count]


def _clients(servers: list[Server]) -> list[Any]:
    return [make_client(servers[slot % len(servers)].url) for slot in range(SLOTS)]


@contextmanager
def postgres_nodes(base: Path) -> Iterator[Topology]:
    """Two `userpool serve --db` nodes on one fresh PostgreSQL database. They share only what
    the README says nodes must share: the database, the secret key and the public URL (each
    has its own data directory)."""
    with fresh_database() as url, ExitStack() as running:
        env = {"USERPOOL_SECRET_KEY": secrets.token_urlsafe(32)}
        shared = ("--db", url, "--public-url", PUBLIC_URL, *OUTBOX_FLAGS)
        servers = []
        for node in ("node-a", "node-b"):
            server = start_server(base / node, *shared, env=env)
            running.callback(server.stop)
            servers.append(server)
        yield Topology("postgres-nodes", servers, _clients(servers))


@contextmanager
def sqlite_workers(base: Path) -> Iterator[Topology]:
    """One node on SQLite with two worker processes."""
    server = start_server(base / "workers", "--workers", "2", *OUTBOX_FLAGS)
    try:
        yield Topology("sqlite-workers", [server], _clients([server]))
    finally:
        server.stop()


def through(name: str, entry: Server) -> Topology:
    """Every slot through one address: a load balancer that spreads the requests, not the
    connections, over the nodes behind it (tests/nginx_support.py)."""
    return Topology(name, [entry], _clients([entry]))


@contextmanager
def nginx_nodes(base: Path) -> Iterator[Topology]:
    """Three nodes on PostgreSQL behind nginx, as deployed (tests/nginx_support.py); every
    slot goes through nginx."""
    with deployed(base) as deployment:
        yield through("nginx-nodes", deployment.balancer)


TOPOLOGIES = {
    "postgres-nodes": postgres_nodes,
    "sqlite-workers": sqlite_workers,
    "nginx-nodes": nginx_nodes,
}
# USERPOOL_RACES_BEHIND_NGINX=1: every race module runs through nginx too (a long variant;
# the default run races through nginx in test_nginx_nodes.py only).
BEHIND_NGINX = (
    [pytest.param("nginx-nodes", marks=pytest.mark.postgres)]
    if os.environ.get("USERPOOL_RACES_BEHIND_NGINX")
    else []
)


def topology_fixture() -> Any:
    """A race module's `topology` fixture: each of its tests runs on both topologies, one
    set of servers per topology for the whole module."""

    @pytest.fixture(
        scope="module",
        params=[
            pytest.param("postgres-nodes", marks=pytest.mark.postgres),
            "sqlite-workers",
            *BEHIND_NGINX,
        ],
    )
    def topology(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Topology]:
        with TOPOLOGIES[request.param](tmp_path_factory.mktemp(request.param)) as running:
            yield running

    return topology


def outcome_of(call: Callable[[], Any]) -> Outcome:
    try:
        return OK, call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"].get("Message", "")
    except BotoCoreError as error:  # a dropped connection, a timeout: the server fell over
        return type(error).__name__, str(error)


def race(calls: Sequence[Callable[[], Any]]) -> list[Outcome]:
    """Run every call in its own thread, all released at once by one barrier; the outcome of
    each, in the order of `calls`."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def released(call: Callable[[], Any]) -> Outcome:
        barrier.wait()
        return outcome_of(call)

    with ThreadPoolExecutor(len(calls)) as threads:
        return list(threads.map(released, calls))


def at_once(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run setup calls side by side (no race intended) and return their results; any
    refusal fails the test, as the round could not be set up."""
    with ThreadPoolExecutor(len(calls)) as threads:
        return list(threads.map(lambda call: call(), calls))


def winners(outcomes: Sequence[Outcome]) -> list[int]:
    """Which threads got an answer rather than a refusal."""
    return [index for index, (code, _) in enumerate(outcomes) if code == OK]


def tally(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many threads got each answer, for a failure message."""
    return dict(Counter(code if code == OK else f"{code}: {message}" for code, message in outcomes))


def one_winner(outcomes: Sequence[Outcome], *losing_codes: str) -> list[str]:
    """The problems of a race that exactly one thread must win, every other one refused with
    one of `losing_codes`."""
    problems = []
    won = winners(outcomes)
    if len(won) != 1:
        problems.append(f"{len(won)} winners")
    wrong = [outcome for outcome in outcomes if outcome[0] not in (OK, *losing_codes)]
    if wrong:
        problems.append(f"unexpected refusals {tally(wrong)}")
    return problems


def play_rounds(topology: Topology, play: Callable[[int], list[str]], rounds: int = ROUNDS) -> None:
    """Play every round (each on fresh state), then fail listing the rounds lost and why: one
    lost round is a defect, and how often it is lost tells how wide the window is."""
    lost = {}
    for index in range(rounds):
        problems = play(index)
        if problems:
            lost[index] = problems
    summary = "\n".join(f"  round {index}: {'; '.join(why)}" for index, why in lost.items())
    assert not lost, f"{topology.name}: lost {len(lost)} of {rounds} rounds\n{summary}"


def answer_challenge(
    client: Any, client_id: str, challenge: dict[str, Any], username: str, **answers: str
) -> dict[str, Any]:
    """RespondToAuthChallenge to `challenge` (a response naming it and its Session)."""
    response: dict[str, Any] = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, **answers},
    )
    return response


def user_with_authenticator(cognito: Any, pool_id: str, client_id: str) -> tuple[str, str]:
    """A new user of a pool that requires MFA, who set up an authenticator at their first
    sign-in (MFA_SETUP) and prefers it; their username and its secret. The setup is verified
    with the previous step's code, so no code of the current step or a later one is used."""
    username = unique("totp")
    confirmed_user(cognito, pool_id, username)
    setup = user_auth(cognito, client_id, username)
    assert setup["ChallengeName"] == "MFA_SETUP"
    associated = cognito.associate_software_token(Session=setup["Session"])
    secret = str(associated["SecretCode"])
    away_from_step_edge()
    verified = cognito.verify_software_token(
        Session=associated["Session"], UserCode=authenticator_code(secret, -1)
    )
    step = {"ChallengeName": "MFA_SETUP", "Session": verified["Session"]}
    assert "AuthenticationResult" in answer_challenge(cognito, client_id, step, username)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username=username,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return username, secret
