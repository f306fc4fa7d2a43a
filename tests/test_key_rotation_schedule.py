"""Rotation on a schedule, and the key endpoints with credentials: a server with `--credentials`
and `--rotate-keys-every 2s` rotates each pool's keys once a period (nodes finding a pool due at
once: tests/test_key_rotation.py); the key endpoints take a valid SigV4 signature and nothing
else."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import Server, make_client, start_server
from tests.key_rotation_support import (
    PUBLIC_URL,
    jwks_kids,
    run_keys_cli,
    short_lived_account,
    sign_in,
    within,
)
from tests.signin_support import new_pool

KEY, SECRET = "AKIDROTATION", "rotation/secret+key"
POOL = "us-east-1_RotateMe1"
SCHEDULES = 4
EVERY_SECONDS = 2.0
LOOKS_EVERY_SECONDS = EVERY_SECONDS / 4  # tokens/rotation.py: schedule


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("rotation-schedule")
    credentials = base / "credentials"
    credentials.write_text(f"{KEY} {SECRET}\n")
    args = ("--credentials", str(credentials), "--rotate-keys-every", "2s")
    running = start_server(base, *args, "--public-url", PUBLIC_URL)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url, aws_access_key_id=KEY, aws_secret_access_key=SECRET)


def _signed(method: str, url: str, key: str, secret: str, body: bytes = b"") -> httpx.Response:
    request = AWSRequest(method, url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), "cognito-idp", "us-east-1").add_auth(request)
    headers = dict(request.prepare().headers.items())
    return httpx.request(method, url, content=body, headers=headers)


def test_the_key_endpoints_take_the_admin_credentials_only(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito)
    allowed = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    listed = run_keys_cli("list", "--pool", pool_id, "--endpoint-url", server.url, env=allowed)
    assert listed.returncode == 0, listed.stderr
    rotate, body = f"{server.url}/_userpool/keys/rotate", orjson.dumps({"UserPoolId": pool_id})
    unsigned = httpx.post(rotate, content=body)
    assert (unsigned.status_code, unsigned.json()["__type"]) == (
        403,
        "MissingAuthenticationTokenException",
    )
    for key, secret, status, error in [
        (KEY, "not-the-secret", 403, "InvalidSignatureException"),
        ("AKIDSOMEONEELSE", SECRET, 400, "UnrecognizedClientException"),
    ]:
        response = _signed("POST", rotate, key, secret, body)
        assert (response.status_code, response.json()["__type"]) == (status, error)
    assert _signed("POST", rotate, KEY, SECRET, body).status_code == 200


def test_keys_rotate_once_a_period(server: Server, cognito: Any) -> None:
    account = short_lived_account(cognito)
    before = sign_in(cognito, account)
    made = jwks_kids(server, account.pool_id)
    rotated = within(
        EVERY_SECONDS + LOOKS_EVERY_SECONDS + 5,
        lambda: len(jwks_kids(server, account.pool_id)) > len(made),
    )
    assert rotated is not None, "no rotation on the schedule"
    time.sleep(2 * LOOKS_EVERY_SECONDS)  # it has looked again meanwhile
    listing = _signed(
        "GET", f"{server.url}/_userpool/keys?UserPoolId={account.pool_id}", KEY, SECRET
    ).json()
    generations = sorted({key["Created"] for key in listing["Keys"]})
    assert len(generations) >= 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(generations)]
    assert min(gaps) >= EVERY_SECONDS, f"rotated twice in one period: {generations}"
    assert len(listing["Keys"]) == 2 * len(generations)
    cognito.get_user(AccessToken=before["AccessToken"])  # the tokens signed before keep working
