"""One authorization code exchanged by twenty requests at once, on two PostgreSQL nodes and on
two SQLite workers (tests/race_support.py's shape): exactly one gets the tokens, every other
one `invalid_grant`. The topologies are made here rather than by race_support, since the codes
are issued in-process and so need the nodes' server key (the tokens are sealed with it)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.conftest import Server, make_client, server_store, start_server
from tests.oauth_support import Site, code_form, issue_code, oauth_client
from tests.pg import fresh_database
from tests.race_support import Topology, play_rounds, race
from userpool.app import build_runtime
from userpool.auth import Runtime
from userpool.config import ServerConfig

THREADS = 20
PUBLIC_URL = "http://idp.races.test"
SECRET = secrets.token_urlsafe(32)


class Nodes:
    """Server processes on one database with one server key, and this process's runtime on
    that database with the same key."""

    def __init__(self, name: str, servers: list[Server], runtime: Runtime) -> None:
        self.name, self.servers, self.runtime = name, servers, runtime


def _started(base: Path, backend: str, stack: ExitStack) -> list[Server]:
    env = {"USERPOOL_SECRET_KEY": SECRET}
    if backend == "postgres-nodes":
        shared = ("--db", stack.enter_context(fresh_database()), "--public-url", PUBLIC_URL)
        nodes = [start_server(base / node, *shared, env=env) for node in ("node-a", "node-b")]
    else:
        nodes = [start_server(base / "workers", "--workers", "2", env=env)]
    for node in nodes:
        stack.callback(node.stop)
    return nodes


@pytest.fixture(
    scope="module",
    params=[pytest.param("postgres-nodes", marks=pytest.mark.postgres), "sqlite-workers"],
)
def nodes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Nodes]:
    with ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        servers = _started(tmp_path_factory.mktemp(request.param), request.param, stack)
        store = stack.enter_context(server_store(servers[0]))
        patch.setenv("USERPOOL_SECRET_KEY", SECRET)
        config = ServerConfig(data_dir=servers[0].data_dir, public_url=PUBLIC_URL)
        yield Nodes(request.param, servers, build_runtime(config, store))


def test_a_code_exchanged_twenty_times_at_once_gives_tokens_once(nodes: Nodes) -> None:
    first = nodes.servers[0]
    site = Site.make(first.url, make_client(first.url))
    client = oauth_client(make_client(first.url), site.pool_id)
    path = site.base.removeprefix(first.url)
    sessions = [requests.Session() for _ in range(THREADS)]
    urls = [
        f"{nodes.servers[i % len(nodes.servers)].url}{path}/oauth2/token" for i in range(THREADS)
    ]

    def play(_round: int) -> list[str]:
        form = code_form(client, issue_code(nodes.runtime, site, client))
        calls = [
            lambda session=session, url=url: session.post(url, data=form, timeout=30)
            for session, url in zip(sessions, urls, strict=True)
        ]
        answers = [response for _, response in race(calls)]
        won = [answer for answer in answers if answer.status_code == 200]
        lost = [answer.json() for answer in answers if answer.status_code != 200]
        problems = [] if len(won) == 1 else [f"{len(won)} exchanges got tokens"]
        if any(body != {"error": "invalid_grant"} for body in lost):
            problems.append(f"refused otherwise: {lost}")
        return problems

    try:
        play_rounds(Topology(nodes.name, nodes.servers, []), play)
    finally:
        for session in sessions:
            session.close()
