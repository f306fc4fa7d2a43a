"""Delivery end to end, through the wire: a server whose default is the outbox and which also
has an SMTP server (aiosmtpd, started here); SignUp in an untagged pool lands in the outbox,
in a pool tagged `userpool:delivery=smtp` it arrives by email from the pool's sender and its
code confirms the user; a refused recipient is Cognito's CodeDeliveryFailureException."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of, make_client, start_server
from tests.delivery_support import SmtpServers

PASSWORD = "Passw0rd!"
BY_SMTP = {"userpool:delivery": "smtp"}


@pytest.fixture(scope="module")
def mail() -> Iterator[SmtpServers]:
    servers = SmtpServers()
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mail: SmtpServers) -> Iterator[Server]:
    smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(mail.start()), "--smtp-tls", "none"]
    flags = ["--delivery", "outbox", "--dev-endpoints", *smtp]
    running = start_server(tmp_path_factory.mktemp("delivery"), *flags)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url)


def pool_and_client(cognito: Any, **settings: Any) -> tuple[str, str]:
    name = f"pool-{uuid.uuid4().hex[:8]}"
    pool = cognito.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"], **settings)
    pool_id = pool["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")
    return pool_id, client["UserPoolClient"]["ClientId"]


def sign_up(cognito: Any, client_id: str, username: str, email: str) -> Any:
    attributes = [{"Name": "email", "Value": email}]
    return cognito.sign_up(
        ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attributes
    )


def outbox(server: Server, pool_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/_userpool/outbox", params={"pool": pool_id}, timeout=10)
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_the_pool_tag_routes_sign_up_codes(cognito: Any, server: Server, mail: SmtpServers) -> None:
    plain_pool, plain_client = pool_and_client(cognito)
    sign_up(cognito, plain_client, "ann", "ann@example.com")
    [stored] = outbox(server, plain_pool)
    assert (stored["username"], stored["destination"]) == ("ann", "ann@example.com")
    assert mail.mailbox.received == []

    sender = {"EmailSendingAccount": "DEVELOPER", "From": "My App <codes@myapp.example>"}
    mail_pool, mail_client = pool_and_client(
        cognito, UserPoolTags=BY_SMTP, EmailConfiguration=sender
    )
    sign_up(cognito, mail_client, "bob", "bob@example.com")
    assert outbox(server, mail_pool) == []
    [(envelope, email)] = mail.mailbox.received
    assert envelope.mail_from == "codes@myapp.example"
    assert envelope.rcpt_tos == ["bob@example.com"]
    assert email["Subject"] == "Your verification code"
    code = re.findall(r"\d{6}", email.get_content())[0]
    cognito.confirm_sign_up(ClientId=mail_client, Username="bob", ConfirmationCode=code)
    user = cognito.admin_get_user(UserPoolId=mail_pool, Username="bob")
    assert user["UserStatus"] == "CONFIRMED"


def test_a_refused_recipient_is_a_code_delivery_failure(cognito: Any) -> None:
    _, client_id = pool_and_client(cognito, UserPoolTags=BY_SMTP)
    with pytest.raises(ClientError) as refused:
        sign_up(cognito, client_id, "cy", "cy@bounce.example")
    assert error_of(refused)[0] == "CodeDeliveryFailureException"
