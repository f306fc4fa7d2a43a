"""No request answers 5xx: every operation of botocore's model, fuzzed on SQLite and PostgreSQL.

Bodies are drawn from each operation's input shape with hostile values mixed with real ids
(tests/fuzz_requests.py) and sent raw, so that what botocore would refuse client-side still
reaches the server. Runs are derandomized: the same examples every time. A longer run:
`USERPOOL_FUZZ_EXAMPLES=200 python -m pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import start_server
from tests.fuzz_requests import RequestStrategies, encode
from tests.fuzz_support import FuzzTarget
from tests.pg import fresh_database
from userpool.protocol.model import service_model

EXAMPLES = int(os.environ.get("USERPOOL_FUZZ_EXAMPLES", "12"))
OPERATIONS = sorted(service_model().operation_names)
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def sqlite_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    target = FuzzTarget(start_server(tmp_path_factory.mktemp("fuzz-sqlite")))
    yield target
    target.close()
    target.server.stop()


@pytest.fixture(scope="session")
def postgres_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    with fresh_database() as url:
        target = FuzzTarget(start_server(tmp_path_factory.mktemp("fuzz-postgres"), "--db", url))
        yield target
        target.close()
        target.server.stop()


def cases() -> Iterator[Any]:
    for backend in BACKENDS:
        marks = [pytest.mark.postgres] if backend == "postgres" else []
        for operation in OPERATIONS:
            yield pytest.param(backend, operation, marks=marks, id=f"{backend}-{operation}")


@pytest.mark.parametrize(("backend", "operation"), cases())
def test_no_request_answers_5xx(
    request: pytest.FixtureRequest, backend: str, operation: str
) -> None:
    target: FuzzTarget = request.getfixturevalue(f"{backend}_target")
    world = target.world_for(operation)
    bodies = RequestStrategies(world).body(service_model().operation_model(operation).input_shape)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # No "explain" phase: it traces the client side of the request, not the server.
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        # Each example is an HTTP request, some of them hundreds of kilobytes: slow and large
        # by design.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(body=bodies)
    def answers_below_500(body: dict[str, Any]) -> None:
        outcome = target.send(operation, encode(body))
        # Raised rather than asserted, so that the report is the description alone.
        if outcome.status >= 500:
            raise AssertionError(outcome.describe())
        if outcome.status >= 400 and "__type" not in orjson.loads(outcome.response):
            raise AssertionError(f"an error without __type: {outcome.describe()}")

    answers_below_500()
