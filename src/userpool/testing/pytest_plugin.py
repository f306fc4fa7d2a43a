"""userpool's pytest plugin, registered through the `pytest11` entry point: installing
userpool is enough for a test to ask for these fixtures.

    def test_sign_in(userpool_client, userpool_pool, userpool_outbox): ...

- `userpool_server` (session): a real `userpool serve` on a free port of 127.0.0.1 with a fresh
  data dir (SQLite), the development endpoints and the outbox; stopped at the end.
- `userpool_endpoint` (session): its URL, for any other client.
- `userpool_client` (session): a `cognito-idp` client for it (any credentials are accepted).
- `userpool_pool` (function): a fresh pool and app client, deleted after the test.
- `userpool_seeded_pool` (session): the first pool the seed file declares, with its stable
  ids; `userpool_seeded_pools`: all of them, by id.
- `userpool_outbox` (function): the messages sent, codes included: `last_code(username)`.
- `userpool_clock` (function): the server's clock: `advance(seconds)`, `set(epoch)`,
  `reset()`; reset after the test.

Options: `--userpool-seed FILE` (ini `userpool_seed`) starts the server with `--seed FILE`;
`--userpool-serve-args "ARGS"` (ini `userpool_serve_args`) adds flags to `userpool serve`.
Nothing runs until a test asks for a fixture: the plugin only declares options and fixtures.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from userpool.testing.clock import Clock
from userpool.testing.outbox import Outbox
from userpool.testing.pools import Pool, cognito_client, create_fresh_pool, delete_pool
from userpool.testing.seeded import seeded_pools
from userpool.testing.server import RunningServer, ServerFailed, start

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

SEED_INI = "userpool_seed"
SERVE_ARGS_INI = "userpool_serve_args"
# The newest outbox message a test's outbox has no need to see (see userpool_outbox).
_OUTBOX_SEEN = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("userpool", "userpool server for tests (userpool_* fixtures)")
    group.addoption(
        "--userpool-seed",
        metavar="FILE",
        default=None,
        help="seed file the userpool_server fixture's server applies at start (--seed FILE)",
    )
    group.addoption(
        "--userpool-serve-args",
        metavar="ARGS",
        default=None,
        help="more flags for the userpool_server fixture's `userpool serve`, one string",
    )
    parser.addini(SEED_INI, "seed file for the userpool_server fixture (relative to this file)")
    parser.addini(SERVE_ARGS_INI, "more flags for the userpool_server fixture", type="args")


def seed_file(config: pytest.Config) -> Path | None:
    """The seed file: `--userpool-seed` (from where pytest was started) or the ini's
    `userpool_seed` (from the ini file's directory); None without either."""
    given = config.getoption("--userpool-seed")
    if given:
        return config.invocation_params.dir / str(given)
    configured = str(config.getini(SEED_INI) or "")
    if configured:
        base = config.inipath.parent if config.inipath else config.rootpath
        return base / configured
    return None


def serve_args(config: pytest.Config) -> list[str]:
    """`userpool serve`'s extra flags: the seed, the ini's, then the command line's."""
    seed = seed_file(config)
    args = ["--seed", str(seed)] if seed else []
    args += [str(arg) for arg in config.getini(SERVE_ARGS_INI)]
    args += shlex.split(config.getoption("--userpool-serve-args") or "")
    return args


@pytest.fixture(scope="session")
def userpool_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A real `userpool serve` for this session (one per xdist worker): 127.0.0.1, a free
    port, a fresh data dir, `--delivery outbox --dev-endpoints`, the seed and flags of the
    options. Its `url`, `data_dir` and `log` (the server's output) are attributes."""
    data_dir = tmp_path_factory.mktemp("userpool")
    try:
        server = start(data_dir, serve_args(request.config))
    except ServerFailed as failure:  # its log says it all; the plugin's traceback, nothing
        pytest.fail(str(failure), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def userpool_endpoint(userpool_server: RunningServer) -> str:
    """The server's URL, `http://127.0.0.1:PORT`: the `endpoint_url` of any AWS SDK."""
    return userpool_server.url


@pytest.fixture(scope="session")
def userpool_client(userpool_endpoint: str) -> CognitoIdentityProviderClient:
    """A `cognito-idp` client for the server, region us-east-1, its retries off."""
    return cognito_client(userpool_endpoint)


@pytest.fixture
def userpool_pool(
    request: pytest.FixtureRequest,
    userpool_client: CognitoIdentityProviderClient,
    userpool_endpoint: str,
) -> Iterator[Pool]:
    """A new pool for this test alone, deleted after it: users sign up with a username,
    `email` is verified by a code sent to the outbox; its app client `client_id` has no
    secret and allows USER_PASSWORD_AUTH, USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH and
    refresh."""
    pool = create_fresh_pool(userpool_client)
    yield pool
    delete_pool(userpool_client, pool)
    _note_outbox_seen(request.config, userpool_endpoint)


@pytest.fixture(scope="session")
def userpool_seeded_pools(request: pytest.FixtureRequest) -> dict[str, Pool]:
    """Every pool the seed file declares, by id, in the file's order: `Pool`s whose ids are
    the file's, with their app clients by name (`clients`), the first one's as `client_id`.
    They last the session: what a test changes in them, the next test sees."""
    seed = seed_file(request.config)
    if seed is None:
        pytest.fail(
            f"no seed file: pass --userpool-seed FILE or set {SEED_INI} in the pytest ini",
            pytrace=False,
        )
    # asked for here, not as a parameter: without a seed file no server need start
    client: CognitoIdentityProviderClient = request.getfixturevalue("userpool_client")
    return {pool.id: pool for pool in seeded_pools(client, seed)}


@pytest.fixture(scope="session")
def userpool_seeded_pool(userpool_seeded_pools: dict[str, Pool]) -> Pool:
    """The first pool the seed file declares (see `userpool_seeded_pools`)."""
    if not userpool_seeded_pools:
        pytest.fail("the seed file declares no pool", pytrace=False)
    return next(iter(userpool_seeded_pools.values()))


@pytest.fixture
def userpool_outbox(request: pytest.FixtureRequest, userpool_endpoint: str) -> Iterator[Outbox]:
    """The messages the server sent, codes included: `userpool_outbox.last_code("alice")`,
    `userpool_outbox.messages("alice")`. It shows what was sent since the previous test
    that used this fixture or `userpool_pool` ended, so messages sent by this test's other
    fixtures are there whatever their order."""
    yield Outbox(userpool_endpoint, request.config.stash.get(_OUTBOX_SEEN, 0))
    _note_outbox_seen(request.config, userpool_endpoint)


def _note_outbox_seen(config: pytest.Config, endpoint: str) -> None:
    config.stash[_OUTBOX_SEEN] = Outbox.from_now(endpoint, config.stash.get(_OUTBOX_SEEN, 0)).after


@pytest.fixture
def userpool_clock(userpool_endpoint: str) -> Iterator[Clock]:
    """The server's clock, for this test: `advance(seconds)`, `set(epoch)`, `reset()`, `now()`.
    Moving it expires codes, sessions, temporary passwords, tokens and lockouts on demand;
    it is reset to the real time after the test."""
    clock = Clock(userpool_endpoint)
    yield clock
    clock.reset()
