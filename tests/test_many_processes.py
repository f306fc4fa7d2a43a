"""Sessions, lockout and tokens hold across server processes that share one database:
two `userpool serve` processes on one data directory stand for two nodes, and a
`--workers 2` server for one node with two worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of, make_client, start_server

PASSWORD = "Many-Proc3sses!"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    data_dir = tmp_path_factory.mktemp("shared")
    public = ("--public-url", "http://idp.example.test")  # nodes behind one name share an issuer
    first = start_server(data_dir, *public)
    second = start_server(data_dir, *public)
    yield first, second
    first.stop()
    second.stop()


def _pool_with_user(cognito: Any, username: str, *, temporary: bool) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="shared")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    if not temporary:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
    return pool_id, client_id


def _sign_in(cognito: Any, client_id: str, username: str, password: str = PASSWORD) -> Any:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_a_challenge_started_on_one_node_is_answered_on_the_other(
    nodes: tuple[Server, Server],
) -> None:
    one, other = (make_client(node.url) for node in nodes)
    _, client_id = _pool_with_user(one, "ada", temporary=True)
    challenge = _sign_in(one, client_id, "ada")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = {"USERNAME": "ada", "NEW_PASSWORD": "Chosen-Passw0rd!"}
    result = other.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses=answer,
    )
    assert result["AuthenticationResult"]["TokenType"] == "Bearer"
    with pytest.raises(ClientError) as excinfo:
        one.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses=answer,
        )
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )


def test_lockout_counted_on_one_node_holds_on_the_other(nodes: tuple[Server, Server]) -> None:
    one, other = (make_client(node.url) for node in nodes)
    _, client_id = _pool_with_user(one, "bob", temporary=False)
    for attempt in range(5):
        node = one if attempt % 2 else other
        with pytest.raises(ClientError):
            _sign_in(node, client_id, "bob", "Wrong-Passw0rd!")
    for node in (one, other):
        with pytest.raises(ClientError) as excinfo:
            _sign_in(node, client_id, "bob")
        assert error_of(excinfo) == ("NotAuthorizedException", "Password attempts exceeded")


def test_tokens_from_one_node_are_accepted_and_revoked_on_the_other(
    nodes: tuple[Server, Server],
) -> None:
    one, other = (make_client(node.url) for node in nodes)
    _, client_id = _pool_with_user(one, "cy", temporary=False)
    tokens = _sign_in(one, client_id, "cy")["AuthenticationResult"]
    assert other.get_user(AccessToken=tokens["AccessToken"])["Username"] == "cy"
    refreshed = other.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert one.get_user(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])
    other.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as excinfo:
        one.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(excinfo) == ("NotAuthorizedException", "Access Token has been revoked")


def test_two_workers_serve_sign_ins_and_challenges(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--workers", "2")
    try:
        cognito = make_client(server.url)
        _, client_id = _pool_with_user(cognito, "dee", temporary=True)
        for _ in range(6):  # several connections, so both workers take part
            fresh = make_client(server.url)
            challenge = _sign_in(fresh, client_id, "dee")
            assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        answered = make_client(server.url).respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "dee", "NEW_PASSWORD": "Chosen-Passw0rd!"},
        )
        assert "AuthenticationResult" in answered
    finally:
        server.stop()


def test_many_threaded_and_inline_calls_at_once_all_succeed(tmp_path: Path) -> None:
    """AdminCreateUser runs in worker threads (it may send a message), sign-in on the event
    loop: 48 of each at once, more than SQLite's pooled connections, all answer."""
    server = start_server(tmp_path)
    try:
        cognito = make_client(server.url)
        pool_id, client_id = _pool_with_user(cognito, "first", temporary=False)
        clients = [make_client(server.url) for _ in range(48)]

        def create(index: int) -> str:
            clients[index].admin_create_user(
                UserPoolId=pool_id, Username=f"u{index}", MessageAction="SUPPRESS"
            )
            return clients[index].admin_get_user(UserPoolId=pool_id, Username=f"u{index}")[
                "Username"
            ]

        def sign_in(index: int) -> str:
            return _sign_in(clients[index], client_id, "first")["AuthenticationResult"]["TokenType"]

        with ThreadPoolExecutor(96) as pool:
            created = [pool.submit(create, i) for i in range(48)]
            signed = [pool.submit(sign_in, i) for i in range(48)]
            assert sorted(f.result() for f in created) == sorted(f"u{i}" for i in range(48))
            assert {f.result() for f in signed} == {"Bearer"}
    finally:
        server.stop()
