"""GET /metrics on real servers, read with prometheus_client's own parser: requests by operation
and error, sign-ins by flow and outcome (password, SRP through pycognito, refresh), challenges,
lockouts, a Lambda trigger's latency, the database pool; summed over `--workers 2`, a node's
own (two servers side by side), a killed worker's gauges forgotten, a killed server's files
removed by the next start; and who may read it.

SQLite only: what is counted does not depend on the backend (the pool gauges read
SQLAlchemy's pool, the same object on both)."""

from __future__ import annotations

import base64
import json
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server, make_client, start_server
from tests.signin_support import PASSWORD, confirmed_user, new_client, new_pool, unique
from userpool.http import metrics_files
from userpool.http.metrics_files import ENV, PREFIX
from userpool.storage import database

TARGET = "AWSCognitoIdentityProviderService."
KEY_ID, SECRET = "AKIDMETRICS", "metrics-secret-key"
GATE = "arn:aws:lambda:us-east-1:123456789012:function:gate"
FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
HANDLER = """
def handler(event, context):
    if event["request"]["validationData"].get("deny"):
        raise Exception("denied by the test")
    return event
"""


def scrape(server: Server, **headers: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(f"{server.url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    """The sum of `name`'s samples that carry `labels` (and any others)."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def run_directory(server: Server) -> Path:
    """The server's metrics files (http/metrics_files.py), named after its process."""
    found = list(Path(tempfile.gettempdir()).glob(f"{PREFIX}{server.process.pid}-*"))
    assert len(found) == 1, found
    return found[0]


def pids_with_files(directory: Path, kind: str) -> set[int]:
    """The processes that wrote `kind` files (counter_123.db, gauge_livesum_123.db)."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob(f"{kind}_*.db")}


def call(server: Server, operation: str, body: dict[str, Any]) -> httpx.Response:
    """One request on a connection of its own, so that the kernel may hand it to any worker."""
    headers = {
        "x-amz-target": TARGET + operation,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-date": "20250101T000000Z",
        "authorization": f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20250101/us-east-1/"
        "cognito-idp/aws4_request, SignedHeaders=host, Signature=0",
    }
    return httpx.post(f"{server.url}/", json=body, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two servers, started side by side: one with two workers and a local Python trigger
    handler; one (one worker) with credentials."""
    data_dir = tmp_path_factory.mktemp("metrics")
    (data_dir / "gate.py").write_text(HANDLER)
    triggers = data_dir / "triggers.json"
    triggers.write_text(json.dumps({GATE: "python:./gate.py#handler"}))
    other_dir = tmp_path_factory.mktemp("metrics-guarded")
    credentials = other_dir / "credentials"
    credentials.write_text(f"{KEY_ID} {SECRET}\n")
    with ThreadPoolExecutor(2) as starting:
        started = [
            starting.submit(start_server, data_dir, "--workers", "2", "--triggers", str(triggers)),
            starting.submit(start_server, other_dir, "--credentials", str(credentials)),
        ]
    running = [future.result() for future in started if future.exception() is None]
    try:
        assert len(running) == 2, [future.exception() for future in started]
        yield running[0], running[1]
    finally:
        for server in running:
            server.stop()


@pytest.fixture(scope="module")
def node(nodes: tuple[Server, Server]) -> Server:
    return nodes[0]


@pytest.fixture(scope="module")
def guarded(nodes: tuple[Server, Server]) -> Server:
    return nodes[1]


def basic(key_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()


def test_every_worker_s_requests_are_summed_and_each_node_counts_its_own(
    node: Server, guarded: Server
) -> None:
    before = scrape(node)
    for _ in range(24):
        assert call(node, "ListUserPools", {"MaxResults": 1}).status_code == 200
    assert call(guarded, "ListUserPools", {"MaxResults": 1}).status_code == 403  # unsigned
    # Both workers served some of them: each wrote counter files of its own.
    assert len(pids_with_files(run_directory(node), "counter")) == 2
    label = {"operation": "ListUserPools", "status": "200", "error": ""}
    for _ in range(4):  # whichever worker answers the scrape, it sums every worker's files
        after = scrape(node)
        requests = value(after, "userpool_requests_total", **label)
        assert requests - value(before, "userpool_requests_total", **label) == 24
        latency = "userpool_request_duration_seconds_count"
        assert value(after, latency, operation="ListUserPools") == requests
    other = scrape(guarded, authorization=basic(KEY_ID, SECRET))
    refused = {"operation": "ListUserPools", "status": "403", "error": "InvalidSignatureException"}
    assert value(other, "userpool_requests_total", **refused) == 1
    assert value(other, "userpool_requests_total", **label) == 0


def test_errors_by_type_and_no_label_a_client_makes_up(node: Server) -> None:
    made_up = unique("zz-made-up")
    missing = call(node, "DescribeUserPool", {"UserPoolId": "us-east-1_Nope0000"})
    assert missing.json()["__type"] == "ResourceNotFoundException"
    assert call(node, made_up, {}).status_code == 400
    assert httpx.get(f"{node.url}/{made_up}", timeout=10).status_code == 404
    assert httpx.get(f"{node.url}/domains/{made_up}/login", timeout=10).status_code == 404
    text = httpx.get(f"{node.url}/metrics", timeout=10).text
    assert made_up not in text
    samples = scrape(node)
    not_found = {"operation": "DescribeUserPool", "status": "400"}
    assert value(samples, "userpool_requests_total", **not_found, error="ResourceNotFoundException")
    unknown = {"operation": "unknown", "status": "400", "error": "UnknownOperationException"}
    assert value(samples, "userpool_requests_total", **unknown) >= 1
    assert value(samples, "userpool_requests_total", operation="unknown", status="404", error="")


def test_sign_ins_by_flow_and_outcome_challenges_lockouts_and_trigger_latency(
    node: Server,
) -> None:
    cognito = make_client(node.url)
    pool_id = new_pool(cognito, LambdaConfig={"PreAuthentication": GATE})
    client_id = new_client(cognito, pool_id, FLOWS)["ClientId"]
    username = unique("counted")
    confirmed_user(cognito, pool_id, username)
    before = scrape(node)

    def password(secret: str, **metadata: str) -> dict[str, Any]:
        parameters = {"USERNAME": username, "PASSWORD": secret}
        return dict(
            cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters=parameters,
                ClientMetadata=metadata,
            )
        )

    refresh = password(PASSWORD)["AuthenticationResult"]["RefreshToken"]
    srp = AWSSRP(username, PASSWORD, pool_id, client_id, client=cognito)
    assert "AccessToken" in srp.authenticate_user()["AuthenticationResult"]
    cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh},
    )
    with pytest.raises(ClientError, match="PreAuthentication failed"):
        password(PASSWORD, deny="yes")
    attempts = 0
    locked = False
    while not locked:  # five failures lock the user, for a second at first: one finds it so
        attempts += 1
        assert attempts <= 10
        with pytest.raises(ClientError) as refused:
            password("Wrong-Passw0rd")
        locked = refused.value.response["Error"]["Message"] == "Password attempts exceeded"
    after = scrape(node)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    sign_ins = "userpool_sign_ins_total"
    assert grew(sign_ins, flow="USER_PASSWORD_AUTH", outcome="success") == 1
    # SRP: InitiateAuth gives PASSWORD_VERIFIER; the answer's flow is read from its session.
    assert grew(sign_ins, flow="USER_SRP_AUTH", outcome="challenge") == 1
    assert grew(sign_ins, flow="USER_SRP_AUTH", outcome="success") == 1
    assert grew("userpool_challenges_issued_total", challenge="PASSWORD_VERIFIER") == 1
    assert grew(sign_ins, flow="REFRESH_TOKEN_AUTH", outcome="success") == 1
    refusals = grew(sign_ins, flow="USER_PASSWORD_AUTH", outcome="NotAuthorizedException")
    assert refusals == attempts
    assert grew("userpool_lockouts_total", flow="USER_PASSWORD_AUTH") == 1
    failed = "UserLambdaValidationException"
    assert grew(sign_ins, flow="USER_PASSWORD_AUTH", outcome=failed) == 1
    calls = "userpool_trigger_duration_seconds_count"
    source = "PreAuthentication_Authentication"
    assert grew(calls, source=source, outcome="raised") == 1
    # The sign-ins that reached the proof: the password one, SRP's, the wrong ones but the
    # last (refused as locked before the trigger).
    assert grew(calls, source=source, outcome="ok") == 2 + attempts - 1
    took = grew("userpool_trigger_duration_seconds_sum", source=source, outcome="ok")
    assert 0 < took < (2 + attempts) * 5


def test_the_pool_gauges_and_a_killed_worker(node: Server) -> None:
    engine = database.create(node.db_url)
    per_worker = engine.pool.size()
    engine.dispose()
    samples = scrape(node)
    assert value(samples, "userpool_db_pool_size") == 2 * per_worker
    # At rest only what each worker keeps open for its event loop is out (on SQLite a reader
    # and a writer, storage/kept_connections.py); a checkin not counted would leave more,
    # after the tests before (sign-ins calling a trigger run in threads, on pooled ones).
    assert 1 <= value(samples, "userpool_db_pool_checked_out") <= 2 * 2
    directory = run_directory(node)
    workers = pids_with_files(directory, "gauge_livesum")
    served = value(samples, "userpool_requests_total", operation="/health", status="200", error="")
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(pids_with_files(directory, "gauge_livesum") - workers) < 1:
        assert time.monotonic() < deadline, "no worker took the killed one's place"
        time.sleep(0.2)
    assert victim not in pids_with_files(directory, "gauge_livesum")  # its gauges forgotten
    later = scrape(node)
    assert value(later, "userpool_db_pool_size") == 2 * per_worker
    assert victim in pids_with_files(directory, "counter")  # what it counted still counts
    health = value(later, "userpool_requests_total", operation="/health", status="200", error="")
    assert health >= served


def test_who_may_read_metrics(node: Server, guarded: Server) -> None:
    forwarded = httpx.get(f"{node.url}/metrics", headers={"x-forwarded-for": "203.0.113.9"})
    assert forwarded.status_code == 403  # a proxy on this machine forwarded a remote client
    assert httpx.get(f"{node.url}/metrics").status_code == 200  # a loopback client
    url = f"{guarded.url}/metrics"
    for authorization in (
        None,
        basic(KEY_ID, "not-the-secret"),
        basic("AKIDSOMEONE", SECRET),
        basic(KEY_ID, ""),
        "Basic !!!",
        f"Bearer {SECRET}",
    ):
        headers = {"authorization": authorization} if authorization else {}
        refused = httpx.get(url, headers=headers)
        assert refused.status_code == 401, authorization
        assert refused.headers["www-authenticate"].startswith("Basic")
    samples = scrape(guarded, authorization=basic(KEY_ID, SECRET))
    assert value(samples, "userpool_requests_total", operation="/metrics", status="401") == 6


def test_a_stopped_server_removes_its_files(node: Server) -> None:
    directory = run_directory(node)
    node.stop()  # SIGTERM, as a service manager stops it
    assert not directory.exists()


def test_a_killed_server_s_files_go_at_the_next_start(
    guarded: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    left = run_directory(guarded)
    guarded.process.send_signal(signal.SIGKILL)
    guarded.process.wait()
    assert left.is_dir()  # nobody could remove it
    monkeypatch.setenv(ENV, "")  # what `serve` does at its start, here in the test's process
    with metrics_files.run_directory() as mine:
        assert not left.exists()
        assert mine.is_dir() and os.environ[ENV] == str(mine)
    assert not mine.exists()
