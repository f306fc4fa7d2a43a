"""Helpers for the tests of the flows that send codes: a server whose messages go to the
outbox, what it delivered (read back over `GET /_userpool/outbox`), and the stored codes."""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on, server_store
from userpool.domain.messages import StoredCode
from userpool.http.tls import ca_path

OUTBOX_FLAGS = ("--delivery", "outbox", "--dev-endpoints")
# A pool tagged so makes delivery fail: this server has no SMTP host for the smtp backend.
UNDELIVERABLE = {"userpool:delivery": "smtp"}
VERIFICATION_MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
UNKNOWN_USER = "Username/client id combination not found."
HOUR = 3600


def outbox_fixtures(name: str) -> tuple[Any, Any]:
    """A test module's `server` (its own, started with OUTBOX_FLAGS) and `cognito` fixtures:
    `server, cognito = outbox_fixtures("sign-up")`."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def server(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Server]:
        data_dir = tmp_path_factory.mktemp(f"{name}-{request.param}")
        with server_on(request.param, data_dir, *OUTBOX_FLAGS) as running:
            yield running

    @pytest.fixture(scope="module")
    def cognito(server: Server) -> Any:
        return make_client(server.url)

    return server, cognito


def delivered(server: Server, pool_id: str, username: str) -> list[dict[str, Any]]:
    """Every message sent to `username` (the stored username) in `pool_id`, oldest first."""
    # A server started with --tls is trusted through its data dir's local CA.
    tls = server.url.startswith("https:")
    verify = ssl.create_default_context(cafile=str(ca_path(server.data_dir))) if tls else True
    response = httpx.get(
        f"{server.url}/_userpool/outbox",
        params={"pool": pool_id, "user": username},
        timeout=10,
        verify=verify,
    )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def last_message(server: Server, pool_id: str, username: str) -> dict[str, Any]:
    messages = delivered(server, pool_id, username)
    assert messages, f"nothing was delivered to {username}"
    return messages[-1]


def last_code(server: Server, pool_id: str, username: str) -> str:
    code: str = last_message(server, pool_id, username)["code"]
    return code


def stored_code(server: Server, sub: str, purpose: str) -> StoredCode:
    with server_store(server) as store, store.read() as tx:
        code = tx.codes.get(sub, purpose)
    assert code is not None
    return code


def expire_code(server: Server, sub: str, purpose: str) -> None:
    """Move a stored code's expiry into the past, as if its lifetime had run out."""
    code = stored_code(server, sub, purpose)
    with server_store(server) as store, store.write() as tx:
        tx.codes.put(dataclasses.replace(code, expires=code.created - 1))


def tag_pool(cognito: Any, pool_id: str, tags: dict[str, str]) -> None:
    arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags=tags)


def untag_pool(cognito: Any, pool_id: str, keys: list[str]) -> None:
    arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    cognito.untag_resource(ResourceArn=arn, TagKeys=keys)
