"""The aws backend against a local stand-in for SNS and SES (AWS's query protocol, started
here: a third party), which records each call: what is sent, to which region and service;
refusals, an unreachable endpoint and missing credentials are DeliveryError."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.conftest import free_port
from tests.delivery_support import NO_EMAIL, POOL, add_pool, message, new_store, stored, tagged
from userpool.delivery import DeliveryError, EmailSettings
from userpool.delivery.aws import AwsBackend, AwsSettings
from userpool.delivery.router import build
from userpool.domain.messages import Medium

PUBLISHED = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
    "<MessageId>m-1</MessageId></PublishResult>"
    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>"
)
SENT = (
    '<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult>'
    "<MessageId>m-2</MessageId></SendEmailResult>"
    "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></SendEmailResponse>"
)
REJECTED = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>MessageRejected</Code>"
    "<Message>Email address is not verified.</Message></Error>"
    "<RequestId>r-3</RequestId></ErrorResponse>"
)


class FakeAws(ThreadingHTTPServer):
    """Answers SNS Publish and SES SendEmail (AWS query protocol) and records each call:
    (Authorization header, form fields)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), AwsHandler)
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.reject = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class AwsHandler(BaseHTTPRequestHandler):
    server: FakeAws

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        form = {key: values[0] for key, values in parse_qs(body).items()}
        self.server.calls.append((self.headers["Authorization"], form))
        status, reply = 200, {"Publish": PUBLISHED, "SendEmail": SENT}[form["Action"]]
        if self.server.reject:
            status, reply = 400, REJECTED
        payload = reply.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials, and nothing from this machine's AWS configuration."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def fake_aws(aws_credentials: None) -> Iterator[FakeAws]:
    server = FakeAws()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def scope(authorization: str) -> str:
    """'region/service' of a SigV4 Authorization header."""
    credential = authorization.split("Credential=")[1].split(",")[0]
    return "/".join(credential.split("/")[2:4])


def test_aws_sms_through_sns_in_the_pools_region(fake_aws: FakeAws) -> None:
    AwsBackend(AwsSettings(fake_aws.url)).deliver(message(Medium.SMS), NO_EMAIL)
    [(authorization, form)] = fake_aws.calls
    assert scope(authorization) == "eu-west-1/sns"
    assert form["Action"] == "Publish"
    assert form["PhoneNumber"] == "+15555550100"
    assert form["Message"] == "Your verification code is 123456. "
    assert form["MessageAttributes.entry.1.Name"] == "AWS.SNS.SMS.SMSType"
    assert form["MessageAttributes.entry.1.Value.StringValue"] == "Transactional"


def test_aws_email_through_ses_with_the_pools_configuration(fake_aws: FakeAws) -> None:
    arn = "arn:aws:ses:us-west-2:123456789012:identity/myapp.example"
    pool_email = EmailSettings("My App <hi@myapp.example>", "help@myapp.example", arn, "codes")
    AwsBackend(AwsSettings(fake_aws.url, "us-west-2")).deliver(message(), pool_email)
    [(authorization, form)] = fake_aws.calls
    assert scope(authorization) == "us-west-2/ses"
    assert form["Action"] == "SendEmail"
    assert form["Source"] == "My App <hi@myapp.example>"
    assert form["SourceArn"] == arn
    assert form["Destination.ToAddresses.member.1"] == "alice@example.com"
    assert form["ReplyToAddresses.member.1"] == "help@myapp.example"
    assert form["ConfigurationSetName"] == "codes"
    assert form["Message.Subject.Data"] == "Your verification code"
    assert form["Message.Body.Text.Data"] == "Your verification code is 123456. "


def test_aws_email_default_sender_and_html(fake_aws: FakeAws) -> None:
    AwsBackend(AwsSettings(fake_aws.url)).deliver(message(body="<b>123456</b>"), NO_EMAIL)
    [(_, form)] = fake_aws.calls
    assert form["Source"] == "no-reply@verificationemail.com"
    assert form["Message.Body.Html.Data"] == "<b>123456</b>"
    assert "SourceArn" not in form


def test_aws_refusal_is_a_delivery_error(fake_aws: FakeAws) -> None:
    fake_aws.reject = True
    with pytest.raises(DeliveryError, match="MessageRejected"):
        AwsBackend(AwsSettings(fake_aws.url)).deliver(message(), NO_EMAIL)


def test_aws_unreachable_endpoint(aws_credentials: None) -> None:
    backend = AwsBackend(AwsSettings(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(DeliveryError, match="SNS in eu-west-1"):
        backend.deliver(message(Medium.SMS), NO_EMAIL)


def test_aws_without_credentials(fake_aws: FakeAws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(DeliveryError, match="credentials"):
        AwsBackend(AwsSettings(fake_aws.url)).deliver(message(), NO_EMAIL)
    assert fake_aws.calls == []


def test_the_router_to_aws_by_tag(tmp_path: Path, fake_aws: FakeAws) -> None:
    store = new_store(tmp_path)
    add_pool(store, POOL, **tagged("aws"))
    build(store, "outbox", None, AwsSettings(fake_aws.url)).send(message(Medium.SMS))
    assert [form["Action"] for _, form in fake_aws.calls] == ["Publish"]
    assert stored(store) == []
