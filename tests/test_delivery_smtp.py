"""The smtp backend against a real SMTP server (aiosmtpd, started here): in the clear, over
STARTTLS and TLS with a self-signed certificate made here, with a login; refusals and an
unreachable server are DeliveryError; text messages go to the console."""

from __future__ import annotations

import datetime
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import free_port
from tests.delivery_support import (
    NO_EMAIL,
    POOL,
    SmtpServers,
    add_pool,
    message,
    new_store,
    tagged,
)
from userpool.delivery import DeliveryError, EmailSettings
from userpool.delivery.aws import AwsSettings
from userpool.delivery.console import ConsoleBackend
from userpool.delivery.router import build
from userpool.delivery.smtp import SmtpBackend, SmtpSettings
from userpool.domain.messages import Medium


def login_check(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cr3t")
    return AuthResult(success=good, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def trust(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients made from now on trust the test certificate (as an operator's private CA)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


@pytest.fixture
def smtp() -> Iterator[SmtpServers]:
    servers = SmtpServers()
    yield servers
    servers.stop()


def smtp_backend(port: int, tls: str = "none", **options: Any) -> SmtpBackend:
    return SmtpBackend(SmtpSettings("127.0.0.1", port, tls, **options), ConsoleBackend())


def test_smtp_in_the_clear(smtp: SmtpServers) -> None:
    port = smtp.start()
    smtp_backend(port, from_address="codes@example.org").deliver(message(), NO_EMAIL)
    [(envelope, mail)] = smtp.mailbox.received
    assert envelope.mail_from == "codes@example.org"
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "Your verification code"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Your verification code is 123456."
    assert mail["Message-ID"].endswith("@example.org>")


def test_smtp_uses_the_pools_sender_and_sends_html_as_html(smtp: SmtpServers) -> None:
    port = smtp.start()
    pool_email = EmailSettings(
        from_address="My App <hello@myapp.example>", reply_to="help@myapp.example"
    )
    html = "<p>Your code is <b>123456</b></p>"
    smtp_backend(port).deliver(message(body=html), pool_email)
    [(envelope, mail)] = smtp.mailbox.received
    assert envelope.mail_from == "hello@myapp.example"
    assert mail["From"] == "My App <hello@myapp.example>"
    assert mail["Reply-To"] == "help@myapp.example"
    assert mail.get_content_type() == "text/html"
    assert html in mail.get_content()


def test_smtp_sender_from_the_pools_ses_identity(smtp: SmtpServers) -> None:
    port = smtp.start()
    arn = "arn:aws:ses:eu-west-1:123456789012:identity/noreply@myapp.example"
    smtp_backend(port).deliver(message(), EmailSettings(source_arn=arn))
    assert smtp.mailbox.received[0][0].mail_from == "noreply@myapp.example"


@pytest.mark.usefixtures("trust")
def test_smtp_starttls(smtp: SmtpServers, server_tls: ssl.SSLContext) -> None:
    port = smtp.start(tls_context=server_tls, require_starttls=True)
    smtp_backend(port, "starttls").deliver(message(), NO_EMAIL)
    assert len(smtp.mailbox.received) == 1


@pytest.mark.usefixtures("trust")
def test_smtp_implicit_tls(smtp: SmtpServers, server_tls: ssl.SSLContext) -> None:
    port = smtp.start(ssl_context=server_tls)
    smtp_backend(port, "tls").deliver(message(), NO_EMAIL)
    assert len(smtp.mailbox.received) == 1


def test_smtp_starttls_refuses_an_untrusted_certificate(
    smtp: SmtpServers, server_tls: ssl.SSLContext
) -> None:
    port = smtp.start(tls_context=server_tls, require_starttls=True)
    with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
        smtp_backend(port, "starttls").deliver(message(), NO_EMAIL)
    assert smtp.mailbox.received == []


def test_smtp_starttls_is_never_skipped(smtp: SmtpServers) -> None:
    port = smtp.start()  # offers no STARTTLS
    with pytest.raises(DeliveryError, match="STARTTLS"):
        smtp_backend(port, "starttls").deliver(message(), NO_EMAIL)
    assert smtp.mailbox.received == []


@pytest.mark.usefixtures("trust")
def test_smtp_login(smtp: SmtpServers, server_tls: ssl.SSLContext) -> None:
    port = smtp.start(
        tls_context=server_tls, require_starttls=True, auth_required=True, authenticator=login_check
    )
    with pytest.raises(DeliveryError, match="535"):
        smtp_backend(port, "starttls", username="mailer", password="wrong").deliver(
            message(), NO_EMAIL
        )
    with pytest.raises(DeliveryError, match="530"):  # no login at all
        smtp_backend(port, "starttls").deliver(message(), NO_EMAIL)
    smtp_backend(port, "starttls", username="mailer", password="s3cr3t").deliver(
        message(), NO_EMAIL
    )
    assert len(smtp.mailbox.received) == 1


def test_smtp_refused_recipient(smtp: SmtpServers) -> None:
    port = smtp.start()
    bounced = replace(message(), destination="alice@bounce.example")
    with pytest.raises(DeliveryError, match="No such mailbox"):
        smtp_backend(port).deliver(bounced, NO_EMAIL)


def test_smtp_unreachable() -> None:
    with pytest.raises(DeliveryError, match=r"SMTP server 127\.0\.0\.1:\d+: .*refused"):
        smtp_backend(free_port()).deliver(message(), NO_EMAIL)


def test_smtp_sends_text_messages_to_the_console(
    smtp: SmtpServers, caplog: pytest.LogCaptureFixture
) -> None:
    port = smtp.start()
    with caplog.at_level(logging.WARNING, "userpool.delivery"):
        smtp_backend(port).deliver(message(Medium.SMS), NO_EMAIL)
    assert smtp.mailbox.received == []
    assert "SMS to +15555550100" in caplog.text


# --- through the router ----------------------------------------------------------------------


def test_the_router_hands_the_pools_email_configuration_to_smtp(
    tmp_path: Path, smtp: SmtpServers
) -> None:
    port = smtp.start()
    store = new_store(tmp_path)
    add_pool(store, POOL, EmailConfiguration={"From": "team@myapp.example"}, **tagged("smtp"))
    smtp_settings = SmtpSettings("127.0.0.1", port, "none")
    build(store, "console", smtp_settings, AwsSettings()).send(message())
    assert smtp.mailbox.received[0][0].mail_from == "team@myapp.example"


def test_a_failing_backend_is_a_delivery_error_through_the_router(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_pool(store, POOL)
    sender = build(store, "smtp", SmtpSettings("127.0.0.1", free_port(), "none"), AwsSettings())
    with pytest.raises(DeliveryError, match="refused"):
        sender.send(message())
