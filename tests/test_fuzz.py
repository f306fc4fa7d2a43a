"""A fuzz of every operation the server implements, from botocore's own service model, on SQLite
and PostgreSQL, against servers started with `--credentials` (requests are signed as boto3
signs them). The property: no answer is a 5xx, none hangs (a client timeout), the server still
serves after each batch, and every error is a 4xx whose `__type` the model lists for the
operation or is common to all (tests/fuzz_answers.py).

- test_no_request_answers_5xx: bodies drawn from each operation's input shape, benign or with
  one hostile value (tests/fuzz_requests.py), sent raw so that what botocore would refuse
  client-side still reaches the server.
- test_refused_requests_change_nothing: requests that must be refused (invalid bodies, broken
  envelopes, bad signatures on admin calls, tampered sessions and tokens: tests/fuzz_still.py),
  each followed by a snapshot of the store for the pools they aim at, which must not change.

Runs have a fixed seed and a time budget: `USERPOOL_FUZZ_SECONDS` (30 by default) for all of
it; `USERPOOL_FUZZ_SECONDS=600 python -m pytest tests/test_fuzz.py` fuzzes for ten minutes,
`USERPOOL_FUZZ_SEED` draws other examples. The requests sent, by part, backend and operation,
are printed at the end of the run and kept in test-artifacts/fuzz/summary.json.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.conftest import start_server
from tests.fuzz_answers import allowed_errors, check_answer
from tests.fuzz_envelope import sized_probe, streamed_probe
from tests.fuzz_report import (
    BUDGET_SECONDS,
    MODEL_SHARE,
    SEED,
    TALLY,
    SummaryPlugin,
    backend_seconds,
)
from tests.fuzz_requests import RequestStrategies, encode
from tests.fuzz_signing import SIGNATURE_ERRORS, write_credentials
from tests.fuzz_still import PARTS, SERVED_WITHOUT_EFFECT, Still
from tests.fuzz_store import Snapshot, StoreWatch
from tests.fuzz_support import SERVER_SECRET, FuzzTarget, Probe, make_pool
from tests.pg import fresh_database
from userpool.http.body_limit import MAX_BODY_BYTES
from userpool.protocol.model import service_model
from userpool.services.catalog import OPERATIONS

IMPLEMENTED = sorted(OPERATIONS)
UNIMPLEMENTED = sorted(set(service_model().operation_names) - set(OPERATIONS))
BACKENDS = ("sqlite", "postgres")
# The most a server may grow while it refuses bodies past its limit.
RSS_GROWTH_LIMIT = 64 * 1024 * 1024
pytestmark = pytest.mark.timeout(max(120, int(BUDGET_SECONDS * 2)))


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> None:
    """The tally's summary at the end of the run (fuzz_report.SummaryPlugin)."""
    plugins = request.config.pluginmanager
    if not plugins.has_plugin("userpool-fuzz"):
        plugins.register(SummaryPlugin(), "userpool-fuzz")


def fuzz_target(backend: str, data_dir: Path, *args: str) -> FuzzTarget:
    credentials = write_credentials(data_dir / "iam")
    env = {"USERPOOL_SECRET_KEY": SERVER_SECRET}
    server = start_server(data_dir, "--credentials", str(credentials), *args, env=env)
    return FuzzTarget(server, backend)


def skip_unless_backend(backend: str) -> None:
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")


@pytest.fixture(scope="module")
def sqlite_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    skip_unless_backend("sqlite")
    target = fuzz_target("sqlite", tmp_path_factory.mktemp("fuzz-sqlite"))
    yield target
    target.close()
    target.server.stop()


@pytest.fixture(scope="module")
def postgres_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    skip_unless_backend("postgres")
    with fresh_database() as url:
        target = fuzz_target("postgres", tmp_path_factory.mktemp("fuzz-postgres"), "--db", url)
        yield target
        target.close()
        target.server.stop()


STILL: dict[str, Still] = {}


def still_of(target: FuzzTarget) -> Still:
    """The pools of the refused-requests check on `target`, made at its first use."""
    if target.backend not in STILL:
        STILL[target.backend] = Still.make(target)
    return STILL[target.backend]


def cases_marks(backend: str) -> list[Any]:
    return [pytest.mark.postgres] if backend == "postgres" else []


def cases(parts: tuple[str, ...]) -> Iterator[Any]:
    for backend in BACKENDS:
        for part in parts:
            yield pytest.param(backend, part, marks=cases_marks(backend), id=f"{backend}-{part}")


def fuzz_settings(examples: int, batch: int) -> Any:
    def apply(test: Any) -> Any:
        configured = settings(
            max_examples=examples,
            database=None,
            deadline=None,
            # No "explain" phase: it traces the client side of the request, not the server.
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            # Each example is an HTTP request, some of them megabytes: slow and large by design.
            suppress_health_check=list(HealthCheck),
        )
        return configured(seed(SEED + batch)(test))

    return apply


@pytest.mark.parametrize(("backend", "operation"), cases(tuple(IMPLEMENTED)))
def test_no_request_answers_5xx(
    request: pytest.FixtureRequest, backend: str, operation: str
) -> None:
    target: FuzzTarget = request.getfixturevalue(f"{backend}_target")
    share = TALLY.share(backend, "model", backend_seconds() * MODEL_SHARE / len(IMPLEMENTED))
    world = target.world_for(operation)
    bodies = RequestStrategies(world).body(service_model().operation_model(operation).input_shape)
    allowed = allowed_errors(operation)

    def batch(examples: int, number: int) -> int:
        sent = 0

        @fuzz_settings(examples, number)
        @given(body=bodies)
        def answers_below_500(body: dict[str, Any]) -> None:
            nonlocal sent
            sent += 1
            check_answer(target.send("model", operation, encode(body)), allowed)

        answers_below_500()
        target.check_alive()
        return sent

    TALLY.run(share, backend, "model", batch)


@pytest.mark.parametrize(("backend", "part"), cases(PARTS))
def test_refused_requests_change_nothing(
    request: pytest.FixtureRequest, backend: str, part: str
) -> None:
    target: FuzzTarget = request.getfixturevalue(f"{backend}_target")
    still = still_of(target)
    share = TALLY.share(backend, part, backend_seconds() * (1 - MODEL_SHARE) / len(PARTS))
    watch = StoreWatch(target.server.db_url, still.pool_ids)
    rss_before = server_rss(target)
    groups = still.probe_groups(part, IMPLEMENTED, UNIMPLEMENTED)

    def batch(examples: int, number: int) -> int:
        nonlocal groups
        if part == "sessions":  # made now (they live 3 minutes), the last one answered
            still.renew_sessions()
            groups = still.probe_groups(part, IMPLEMENTED, UNIMPLEMENTED)
        each = max(1, examples // len(groups))
        baseline = watch.snapshot()
        sent = sum(
            refuse_batch(target, watch, baseline, part, probes, each, number) for probes in groups
        )
        target.check_alive()
        genuine_still_works(still, part)
        return sent

    try:
        TALLY.run(share, backend, part, batch)
    finally:
        watch.close()
    if part == "envelope":
        grown = server_rss(target) - rss_before
        assert grown < RSS_GROWTH_LIMIT, f"the server grew by {grown} bytes refusing large bodies"


def refuse_batch(
    target: FuzzTarget,
    watch: StoreWatch,
    baseline: Snapshot,
    part: str,
    probes: Any,
    examples: int,
    number: int,
) -> int:
    """A batch of the part's requests, each of them refused and leaving the store as it was
    (`baseline`)."""
    sent = 0

    @fuzz_settings(examples, number)
    @given(probe=probes)
    def refused_and_unchanged(probe: Probe) -> None:
        nonlocal sent
        sent += 1
        outcome = target.send_raw(part, probe.operation, probe.headers, probe.content, probe.how)
        allowed = (
            SIGNATURE_ERRORS
            if part == "unsigned"
            else allowed_errors(probe.operation, probe.operation in OPERATIONS)
        )
        served_anyway = part == "tokens" and probe.operation in SERVED_WITHOUT_EFFECT
        check_answer(outcome, allowed, refused=not served_anyway)
        changed = watch.changes(baseline, watch.snapshot())
        if changed:
            raise AssertionError(f"a refused request changed {changed}:\n{outcome.describe()}")

    refused_and_unchanged()
    return sent


def genuine_still_works(still: Still, part: str) -> None:
    """What the refused requests imitated works when done right: they spoilt nothing."""
    cognito = still.target.cognito
    if part == "sessions":
        assert "AuthenticationResult" in still.answer_genuine_session()
    elif part == "tokens":
        user = cognito.get_user(AccessToken=still.tokens.access_token)
        assert user["Username"] == still.world.username
    elif part == "unsigned":
        user = cognito.admin_get_user(UserPoolId=still.pool.id, Username=still.world.username)
        assert user["Enabled"]


def server_rss(target: FuzzTarget) -> int:
    """The resident memory of the server's process, in bytes."""
    status = Path(f"/proc/{target.server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def test_a_body_past_the_limit_is_refused_unread(sqlite_target: FuzzTarget) -> None:
    """A body over the server's limit gets a clear AWS error (413, SerializationException,
    the limit in words, CORS as every answer on /), whether it declares its length or streams
    without one; a body at the limit is read (and refused by validation, its one member being
    far too long). The server's memory stays flat: nothing past the limit is kept."""
    target = sqlite_target
    before = server_rss(target)
    refused = [
        target.send_raw("limits", probe.operation, probe.headers, probe.content, probe.how)
        for probe in (
            sized_probe(target.url, MAX_BODY_BYTES + 1),
            sized_probe(target.url, 16 * MAX_BODY_BYTES),
            streamed_probe(),
        )
    ]
    for outcome in refused:
        assert outcome.status == 413, outcome.describe()
        assert outcome.error_type == "SerializationException"
        assert str(MAX_BODY_BYTES) in orjson.loads(outcome.response)["message"]
        assert outcome.headers["access-control-allow-origin"] == "*"
        assert outcome.headers["x-amzn-errortype"] == "SerializationException"
    assert server_rss(target) - before < RSS_GROWTH_LIMIT
    probe = sized_probe(target.url, MAX_BODY_BYTES)
    read = target.send_raw("limits", "AdminGetUser", probe.headers, probe.content, probe.how)
    assert (read.status, read.error_type) == (400, "InvalidParameterException")
    assert "Member must have length less than or equal to 55" in read.response
    target.check_alive()


@pytest.mark.parametrize("backend", [pytest.param(b, marks=cases_marks(b)) for b in BACKENDS])
def test_a_client_secret_of_the_longest_length_is_kept(
    request: pytest.FixtureRequest, backend: str
) -> None:
    """Found by the fuzz: a 64-character ClientSecret, the longest the model allows, sealed at
    rest did not fit the secret column on PostgreSQL, and CreateUserPoolClient answered 500
    (migration 0016): 131 characters sealed. The model's `[\\w+]+` is ASCII, as Java reads it:
    64 letters of four UTF-8 bytes (MATHEMATICAL BOLD CAPITAL A), which the server took while
    it read `\\w` as Unicode, are refused."""
    target: FuzzTarget = request.getfixturevalue(f"{backend}_target")
    pool = make_pool(target.cognito)
    secret = "Fuzz+Secret_" + "x" * 52
    client = target.cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="longest-secret", ClientSecret=secret
    )["UserPoolClient"]
    assert client["ClientSecret"] == secret
    described = target.cognito.describe_user_pool_client(
        UserPoolId=pool.id, ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described["ClientSecret"] == secret
    with pytest.raises(ClientError) as refused:
        target.cognito.create_user_pool_client(
            UserPoolId=pool.id, ClientName="wide-secret", ClientSecret="\U0001d400" * 64
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
