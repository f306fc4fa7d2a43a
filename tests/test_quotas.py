"""Request rate quotas (serve --quotas): Cognito's categories, its per-user rates and its
domains' endpoints, counted per one-second window by every node at once, in PostgreSQL (two
nodes on one database) or in Redis (two workers).

Cognito counts a category per account and Region across all pools (protocol/quotas.py);
each test here uses one server region, so its bursts meet the quota of that Region. A burst
is only judged when it began and ended in one window of the clock (the server's is the same
machine's): then exactly the quota is answered, whatever the nodes.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.conftest import make_client, start_server
from tests.pg import fresh_database
from tests.race_support import OK, Topology, outcome_of, race
from tests.signin_support import PASSWORD, confirmed_user, new_client, new_pool, unique
from userpool.cli import main as userpool_cli
from userpool.protocol.quota_categories import CATEGORY_OF
from userpool.protocol.quotas import Limiter, TooManyRequestsException, load_quotas
from userpool.services import catalog
from userpool.storage import database
from userpool.storage.quota_counters import SqlWindowCounter

QUOTAS = {"UserAuthentication": 5, "UserCreation": 2, "PerUserRead": 8, "ClientAuthentication": 2}
RATE_EXCEEDED = ("TooManyRequestsException", "Rate exceeded")
BURST = 20
REDIS_URL = "redis://127.0.0.1:6379/0"


def _quotas_file(base: Path) -> str:
    path = base / "quotas.json"
    path.write_text(json.dumps(QUOTAS))
    return str(path)


def _clients(servers: list[Any]) -> list[Any]:
    return [make_client(servers[slot % len(servers)].url) for slot in range(BURST)]


@contextmanager
def postgres_nodes(base: Path) -> Iterator[Topology]:
    """Two nodes on one PostgreSQL database, counting in it."""
    base.mkdir(parents=True, exist_ok=True)
    with fresh_database() as url, ExitStack() as running:
        env = {"USERPOOL_SECRET_KEY": secrets.token_urlsafe(32)}
        servers = []
        for node in ("node-a", "node-b"):
            quotas = ("--quotas", _quotas_file(base), "--quotas-store", "database")
            server = start_server(base / node, "--db", url, *quotas, env=env)
            running.callback(server.stop)
            servers.append(server)
        yield Topology("postgres-nodes", servers, _clients(servers))


@contextmanager
def redis_workers(base: Path) -> Iterator[Topology]:
    """One SQLite node with two workers counting in Redis; its own region, so that its keys
    meet no other server's in the shared Redis."""
    base.mkdir(parents=True, exist_ok=True)
    quotas = ("--quotas", _quotas_file(base), "--quotas-store", REDIS_URL)
    region = ("--region", f"eu-test-{secrets.randbelow(10**6)}")
    server = start_server(base / "node", "--workers", "2", *quotas, *region)
    try:
        yield Topology("redis-workers", [server], _clients([server]))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    pytest.importorskip("psycopg")
    with postgres_nodes(tmp_path_factory.mktemp("quota-nodes")) as topology:
        yield topology


@pytest.fixture(scope="module")
def redis_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with redis_workers(tmp_path_factory.mktemp("quota-redis")) as topology:
        yield topology


@dataclass(frozen=True)
class Timed:
    code: str
    answer: Any
    began: float
    ended: float


def timed_race(
    calls: list[Callable[[], Any]], outcome: Callable[[Callable[[], Any]], Any] = outcome_of
) -> list[Timed]:
    """`race`, with when each request began and ended."""

    def timing(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            began = time.time()
            code, answer = outcome(call)
            return Timed(code, answer, began, time.time())

        return run

    return [answer for _, answer in race([timing(call) for call in calls])]


def next_window() -> None:
    time.sleep(int(time.time()) + 1.01 - time.time())


def assert_at_most(quota: int, outcomes: list[Timed], refusal: Any = RATE_EXCEEDED) -> None:
    """No window answered more than `quota` of `outcomes`: every request counted in a window
    that began and ended in it, and all of them over the windows they span."""
    accepted = [outcome for outcome in outcomes if outcome.code == OK]
    windows = range(int(min(o.began for o in outcomes)), int(max(o.ended for o in outcomes)) + 1)
    for window in windows:
        inside = [o for o in accepted if int(o.began) == int(o.ended) == window]
        assert len(inside) <= quota, f"{len(inside)} answered in second {window}"
    assert len(accepted) <= quota * len(windows), f"{len(accepted)} in {len(windows)} seconds"
    assert 0 < len(accepted) < len(outcomes), [o.code for o in outcomes]
    refusals = {(o.code, o.answer) for o in outcomes if o.code != OK}
    assert refusals == {refusal}


def _signed_up_account(topology: Topology) -> tuple[str, str, str]:
    admin = topology.admin
    pool_id = new_pool(admin)
    client_id = new_client(admin, pool_id)["ClientId"]
    username = unique("user")
    confirmed_user(admin, pool_id, username)
    return pool_id, client_id, username


def _sign_in(cognito: Any, client_id: str, username: str) -> Callable[[], Any]:
    return lambda: cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )


def _sign_in_burst(topology: Topology) -> None:
    """BURST sign-ins with the right password, spread over the nodes."""
    _, client_id, username = _signed_up_account(topology)
    next_window()  # the setup's window is over
    outcomes = timed_race([_sign_in(c, client_id, username) for c in topology.slots(BURST)])
    assert_at_most(QUOTAS["UserAuthentication"], outcomes)
    assert all("AuthenticationResult" in o.answer for o in outcomes if o.code == OK)


@pytest.mark.postgres
def test_a_burst_over_two_postgres_nodes_gets_the_quota_and_no_more(nodes: Topology) -> None:
    _sign_in_burst(nodes)


def test_a_burst_over_two_workers_counting_in_redis(redis_node: Topology) -> None:
    _sign_in_burst(redis_node)


def _one_user_limited_while_another_is_not(topology: Topology) -> None:
    """Reads of one user, by AdminGetUser and by GetUser with the user's access token, share
    that user's PerUserRead quota; another user's read, sent with them, is answered."""
    admin = topology.admin
    next_window()  # the setup's two users fit in one window of UserCreation
    pool_id = new_pool(admin)
    client_id = new_client(admin, pool_id)["ClientId"]
    limited, other = unique("limited"), unique("other")
    for username in (limited, other):
        confirmed_user(admin, pool_id, username)
    signed_in = _sign_in(admin, client_id, limited)()["AuthenticationResult"]
    *clients, by_token, for_other = topology.slots(BURST)
    reads: list[Callable[[], Any]] = [
        partial(c.admin_get_user, UserPoolId=pool_id, Username=limited) for c in clients
    ]
    reads.append(lambda: by_token.get_user(AccessToken=signed_in["AccessToken"]))
    reads.append(lambda: for_other.admin_get_user(UserPoolId=pool_id, Username=other))
    next_window()  # the sign-in's window is over
    outcomes = timed_race(reads)
    assert_at_most(QUOTAS["PerUserRead"], outcomes[:-1])
    assert outcomes[-1].code == OK and outcomes[-1].answer["Username"] == other


@pytest.mark.postgres
def test_one_user_is_limited_and_another_is_not_over_two_nodes(nodes: Topology) -> None:
    _one_user_limited_while_another_is_not(nodes)


def test_one_user_is_limited_and_another_is_not_counting_in_redis(redis_node: Topology) -> None:
    _one_user_limited_while_another_is_not(redis_node)


def _token_outcome(call: Callable[[], httpx.Response]) -> tuple[str, Any]:
    response = call()
    if response.status_code == 200:
        return OK, response.json()
    body = tuple(sorted(response.json().items()))
    return "refused", (response.status_code, response.headers.get("retry-after"), body)


def test_the_token_endpoint_counts_client_credentials_and_answers_429(
    redis_node: Topology,
) -> None:
    """The client_credentials grant counts towards ClientAuthentication (2 a second here);
    past it, HTTP 429 with OAuth 2.0's error JSON."""
    admin, server = redis_node.admin, redis_node.servers[0]
    pool_id, domain = new_pool(admin), unique("quota")
    admin.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    scopes = [{"ScopeName": "read", "ScopeDescription": "r"}]
    admin.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API", Scopes=scopes)
    client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    url = f"{server.url}/domains/{domain}/oauth2/token"
    auth = (client["ClientId"], client["ClientSecret"])
    form = {"grant_type": "client_credentials"}
    calls: list[Callable[[], httpx.Response]] = [
        lambda: httpx.post(url, data=form, auth=auth, timeout=10) for _ in range(6)
    ]
    next_window()  # the setup's window is over
    outcomes = timed_race(calls, _token_outcome)
    body = (("error", "temporarily_unavailable"), ("error_description", "Rate exceeded"))
    assert_at_most(QUOTAS["ClientAuthentication"], outcomes, ("refused", (429, "1", body)))
    assert all(o.answer["token_type"] == "Bearer" for o in outcomes if o.code == OK)


def test_challenge_answers_and_other_categories_have_their_own_quota(tmp_path: Path) -> None:
    """The counting itself, on a real SQLite database, one second of a clock held still."""
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    limiter = Limiter(
        load_quotas(str(_quotas_file(tmp_path))), SqlWindowCounter(engine), lambda: 7.5
    )
    pool = {"UserPoolId": "us-east-1_abc"}

    def refused(operation: str, params: dict[str, str] = pool) -> bool:
        try:
            limiter.admit(operation, params, "us-east-1")
        except TooManyRequestsException as error:
            return error.message == "Rate exceeded"
        return False

    assert [refused("InitiateAuth", {}) for _ in range(6)] == [False] * 5 + [True]
    assert not refused("AdminGetUser")  # UserRead: UserAuthentication at its limit or not
    assert not refused("InitiateAuth", {"UserPoolId": "eu-west-1_abc"})  # another Region
    # The answers' own quota, three times UserAuthentication's; past it they count towards
    # UserAuthentication, which is spent.
    assert [refused("RespondToAuthChallenge", {}) for _ in range(15)] == [False] * 15
    assert refused("AdminRespondToAuthChallenge")
    # The pools' resources: 5 a second per operation and pool, within the category's 20.
    assert [refused("GetGroup") for _ in range(6)] == [False] * 5 + [True]
    assert not refused("GetGroup", {"UserPoolId": "us-east-1_other"})
    # As the quotas page lists them: a refresh is an authentication, a machine's token a
    # ClientAuthentication, an answer to NEW_PASSWORD_REQUIRED an account recovery.
    assert refused("GetTokensFromRefreshToken")
    assert not refused("GetClientToken")
    assert not refused("RespondToAuthChallenge", {"ChallengeName": "NEW_PASSWORD_REQUIRED"})


def test_every_operation_served_has_a_quota_category() -> None:
    assert set(catalog.OPERATIONS) <= set(CATEGORY_OF)


@pytest.mark.postgres
def test_a_refused_request_changes_nothing(nodes: Topology) -> None:
    pool_id, client_id, _ = _signed_up_account(nodes)
    names = [unique("signup") for _ in range(5)]
    next_window()  # the setup's window is over
    outcomes = timed_race(
        [
            partial(cognito.sign_up, ClientId=client_id, Username=name, Password=PASSWORD)
            for name, cognito in zip(names, nodes.slots(len(names)), strict=True)
        ]
    )
    assert_at_most(QUOTAS["UserCreation"], outcomes)
    listed = nodes.admin.list_users(UserPoolId=pool_id)["Users"]
    stored = {user["Username"] for user in listed}
    accepted = {name for name, o in zip(names, outcomes, strict=True) if o.code == OK}
    assert stored & set(names) == accepted


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"UserAuthentications": 5}', "unknown quota 'UserAuthentications'"),
        ('{"PerUserRead": 0}', "PerUserRead must be a whole number"),
        ('{"UserAuthentication": 0}', "UserAuthentication must be a whole number"),
        ('{"UserAuthentication": 2.5}', "UserAuthentication must be a whole number"),
        ('{"UserAuthentication": "5"}', "UserAuthentication must be a whole number"),
        ('["UserAuthentication"]', "must hold a JSON object"),
        ("{UserAuthentication: 5", "is not JSON"),
    ],
)
def test_a_bad_quotas_file_is_refused_at_start(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "quotas.json"
    path.write_text(content)
    result = _serve(tmp_path, "--quotas", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("userpool: bad --quotas: ") and reason in result.stderr


def test_a_missing_quotas_file_and_a_bad_store_are_refused_at_start(tmp_path: Path) -> None:
    missing = _serve(tmp_path, "--quotas", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    store = _serve(tmp_path, "--quotas", "cognito", "--quotas-store", "memcached://x")
    assert store.exit_code == 2
    assert "--quotas-store 'memcached://x' is neither 'database' nor a redis:// URL" in store.stderr
    nobody = _serve(tmp_path, "--quotas", "cognito", "--quotas-store", "redis://127.0.0.1:1/0")
    assert nobody.exit_code == 2
    assert nobody.stderr.startswith("userpool: cannot reach Redis at redis://127.0.0.1:1/0")


def _serve(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(userpool_cli, ["serve", "--data-dir", str(data_dir), *args])
