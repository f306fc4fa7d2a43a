"""`userpool serve --tls` and `userpool ca`, with real clients over real TLS: httpx, boto3,
Python's ssl, and aws-jwt-verify's own JWKS fetcher (which speaks only https).

The local CA's files, re-issuing rules and bad flags are tested in-process in
test_tls_files.py.
"""

from __future__ import annotations

import ipaddress
import json
import os
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.conftest import Server, make_client, start_server
from tests.test_node_clients import INSTALL, NODE_DIR, node_setup_problem
from userpool.crypto.certificates import subject_alt_names

LOOPBACK = {"localhost", "127.0.0.1", "::1", "*.localhost"}


def userpool(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    return subprocess.run(
        [sys.executable, "-m", "userpool", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def trusting(ca: Path) -> ssl.SSLContext:
    """A client context that trusts `ca`, as strict as Python 3.13's default (X509_STRICT)."""
    context = ssl.create_default_context(cafile=str(ca))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context


def served_certificate(url: str) -> bytes:
    """The certificate the server presents, as PEM, read without verifying it."""
    parts = urlsplit(url)
    return ssl.get_server_certificate((parts.hostname or "", parts.port or 443)).encode()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("tls"), "--tls")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ca(tls_server: Server) -> Path:
    """The CA certificate's path, as `userpool ca` prints it."""
    done = userpool("ca", "--data-dir", str(tls_server.data_dir))
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_userpool_ca_prints_the_path_of_the_ca_the_server_made(
    tls_server: Server, ca: Path
) -> None:
    assert ca.is_absolute()
    assert ca == (tls_server.data_dir / "tls" / "ca.pem").absolute()
    authority = x509.load_pem_x509_certificate(ca.read_bytes())
    constraints = authority.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.value.ca is True and constraints.critical
    # the CA's key stays in the data dir, readable by its owner only
    assert (ca.parent / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    assert ca.parent.stat().st_mode & 0o777 == 0o700
    assert b"PRIVATE KEY" not in ca.read_bytes()


def test_health_and_boto3_over_https_trusting_the_ca(tls_server: Server, ca: Path) -> None:
    port = urlsplit(tls_server.url).port
    for host in ("127.0.0.1", "localhost"):
        response = httpx.get(f"https://{host}:{port}/health", verify=trusting(ca))
        assert response.status_code == 200

    cognito = make_client(tls_server.url, verify=str(ca))
    pool_id = cognito.create_user_pool(PoolName="over-tls")["UserPool"]["Id"]
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "over-tls"
    # With TLS on, the default public URL, hence the issuer, is https://
    discovery = httpx.get(
        f"{tls_server.url}/{pool_id}/.well-known/openid-configuration", verify=trusting(ca)
    ).json()
    assert discovery["issuer"] == f"https://127.0.0.1:{port}/{pool_id}"


def test_a_client_without_the_ca_is_refused(tls_server: Server) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{tls_server.url}/health", verify=ssl.create_default_context())
    with pytest.raises(botocore.exceptions.SSLError, match="certificate verify failed"):
        make_client(tls_server.url).list_user_pools(MaxResults=1)


def test_the_certificate_names_the_loopback_addresses_and_localhost_domains(
    tls_server: Server, ca: Path
) -> None:
    pem = served_certificate(tls_server.url)
    assert subject_alt_names(pem) == LOOPBACK
    leaf = x509.load_pem_x509_certificate(pem)
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.read_bytes()))
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= timedelta(days=398)


def run_jwt_verify(extra_env: dict[str, str], **options: str) -> dict[str, Any]:
    """tests/node/jwt_verify_https.mjs with `extra_env`; its parsed output line."""
    command = ["node", str(NODE_DIR / "jwt_verify_https.mjs")]
    for name, value in options.items():
        command.append(f"--{name.replace('_', '-')}={value}")  # a value may start with "-"
    env = {k: v for k, v in os.environ.items() if k != "NODE_EXTRA_CA_CERTS"} | extra_env
    done = subprocess.run(
        command, cwd=NODE_DIR, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"printed nothing (exit {done.returncode}):\n{done.stderr}"
    output: dict[str, Any] = json.loads(lines[-1])
    assert output["ok"] and output["blocked"] == [], json.dumps(output, indent=1)
    result: dict[str, Any] = output["result"]
    return result


def test_aws_jwt_verify_fetches_the_jwks_over_https_with_its_own_fetcher(
    tls_server: Server, ca: Path
) -> None:
    problem = node_setup_problem()
    if problem is not None:
        message = f"Node clients unavailable: {problem}; install them with `{INSTALL}`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    cognito = make_client(tls_server.url, verify=str(ca))
    pool_id = cognito.create_user_pool(PoolName="jwt-over-tls")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    password = f"Passw0rd!{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=password, Permanent=True
    )
    tokens = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": "alice", "PASSWORD": password},
    )["AuthenticationResult"]
    issuer = f"{tls_server.url}/{pool_id}"
    options = {"issuer": issuer, "client_id": client_id, "access_token": tokens["AccessToken"]}

    trusted = run_jwt_verify({"NODE_EXTRA_CA_CERTS": str(ca)}, **options)
    assert trusted.get("refused") is None, trusted["refused"]
    assert trusted["access"]["iss"] == issuer
    assert trusted["access"]["client_id"] == client_id
    assert trusted["access"]["username"] == "alice"

    untrusted = run_jwt_verify({}, **options)
    assert "certificate" in untrusted["refused"]["message"]


def test_the_ca_is_kept_across_restarts_and_the_certificate_follows_the_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(tmp_path, env={"USERPOOL_TLS": "1"})
    ca = tmp_path / "tls" / "ca.pem"
    first_ca = ca.read_bytes()
    try:
        first = served_certificate(server.url)
        # A client that keeps its connection open, idle, and never reads it again: the
        # server must not wait for its TLS close_notify (30 s) to stop.
        with httpx.Client(verify=trusting(ca)) as idle:
            assert idle.get(f"{server.url}/health").status_code == 200
            server.process.terminate()
            server.process.wait(timeout=5)  # uvicorn ends by re-raising SIGTERM: no code
    finally:
        server.stop()
    assert subject_alt_names(first) == LOOPBACK

    server = start_server(tmp_path, "--tls", "--public-url", "https://idp.example.test/")
    try:
        second = served_certificate(server.url)
        assert httpx.get(f"{server.url}/health", verify=trusting(ca)).status_code == 200
        monkeypatch.setenv("AWS_CA_BUNDLE", str(ca))  # as the README says for the AWS CLI
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
        discovery = f"{server.url}/{pool_id}/.well-known/openid-configuration"
        issuer = httpx.get(discovery, verify=trusting(ca)).json()["issuer"]
    finally:
        server.stop()
    assert ca.read_bytes() == first_ca
    assert subject_alt_names(second) == LOOPBACK | {"idp.example.test"}
    assert issuer == f"https://idp.example.test/{pool_id}"


def own_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed RSA certificate for the loopback names, as a user might bring (made
    unlike the server's own: RSA, no CA above it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "my own")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:`port` (one per worker, SO_REUSEPORT)."""
    local = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1] == local and row.split()[3] == "0A")


def test_own_certificate_and_key_served_by_every_worker(tmp_path: Path) -> None:
    cert, key = own_certificate(tmp_path)
    data_dir = tmp_path / "data"
    server = start_server(
        data_dir, "--tls-cert", str(cert), "--tls-key", str(key), "--workers", "2"
    )
    try:
        port = urlsplit(server.url).port or 0
        deadline = time.monotonic() + 30
        while listening_sockets(port) < 2:  # the second worker may still be starting
            assert time.monotonic() < deadline, "the second worker never listened"
            time.sleep(0.05)
        # A new connection each time, spread by the kernel over both workers' sockets
        # (all 20 on one: odds 1 in 2**19): each worker must speak TLS with this certificate.
        for _ in range(20):
            with httpx.Client(verify=trusting(cert), timeout=30) as client:
                assert client.get(f"{server.url}/health").status_code == 200
        assert served_certificate(server.url) == cert.read_bytes()
    finally:
        server.stop()
    assert not (data_dir / "tls").exists()  # no local CA made when the user brings theirs
