"""The local CA in the data dir (userpool.http.tls) and the certificates it issues
(userpool.crypto.certificates), in-process: what is kept, what is re-issued and when, who may
read the keys, and what refuses to start. tests/test_tls.py serves them to real clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509

from userpool.cli import main
from userpool.crypto.certificates import (
    RENEW_BEFORE,
    SERVER_LIFETIME,
    issue_server_certificate,
    needs_reissue,
    new_authority,
    subject_alt_names,
)
from userpool.http.tls import (
    TlsError,
    check_key_pair,
    ensure_authority,
    server_certificate,
    server_names,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LOOPBACK = ["localhost", "127.0.0.1", "::1"]
SERVED = [*LOOPBACK, "*.localhost"]  # and every pool's prefix domain in a browser


def leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())  # the one after the key


def test_the_server_certificate_is_kept_while_it_fits(tmp_path: Path) -> None:
    path = server_certificate(tmp_path, LOOPBACK, NOW)
    first = path.read_bytes()
    later = NOW + SERVER_LIFETIME - RENEW_BEFORE - timedelta(days=1)
    assert server_certificate(tmp_path, list(reversed(LOOPBACK)), later).read_bytes() == first


def test_it_is_reissued_when_the_names_change(tmp_path: Path) -> None:
    server_certificate(tmp_path, LOOPBACK, NOW)
    path = server_certificate(tmp_path, [*LOOPBACK, "idp.example.test"], NOW)
    assert subject_alt_names(path.read_bytes()) == {*LOOPBACK, "idp.example.test"}


def test_it_is_reissued_when_it_nears_expiry(tmp_path: Path) -> None:
    first = leaf(server_certificate(tmp_path, LOOPBACK, NOW))
    soon = NOW + SERVER_LIFETIME - RENEW_BEFORE + timedelta(hours=1)
    second = leaf(server_certificate(tmp_path, LOOPBACK, soon))
    assert second.serial_number != first.serial_number
    assert second.not_valid_after_utc > first.not_valid_after_utc


def test_it_is_reissued_by_a_new_ca_when_the_old_one_is_deleted(tmp_path: Path) -> None:
    server_certificate(tmp_path, LOOPBACK, NOW)
    for name in ("ca.pem", "ca-key.pem"):
        (tmp_path / "tls" / name).unlink()
    path = server_certificate(tmp_path, LOOPBACK, NOW)
    authority = x509.load_pem_x509_certificate((tmp_path / "tls" / "ca.pem").read_bytes())
    leaf(path).verify_directly_issued_by(authority)


def test_the_ca_is_made_once_and_its_key_is_for_the_owner_only(tmp_path: Path) -> None:
    ca = ensure_authority(tmp_path, NOW)
    made = ca.read_bytes()
    server_certificate(tmp_path, LOOPBACK, NOW)
    assert ensure_authority(tmp_path, NOW + timedelta(days=400)).read_bytes() == made
    directory = tmp_path / "tls"
    assert directory.stat().st_mode & 0o777 == 0o700
    assert (directory / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    assert (directory / "server.pem").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in directory.iterdir()) == [
        ".lock",
        "ca-key.pem",
        "ca.pem",
        "server.pem",
    ]  # no temporary file left behind


def test_a_ca_without_its_key_is_refused_not_replaced(tmp_path: Path) -> None:
    ca = ensure_authority(tmp_path, NOW)
    (tmp_path / "tls" / "ca-key.pem").unlink()
    with pytest.raises(TlsError, match=r"ca-key\.pem is missing"):
        server_certificate(tmp_path, LOOPBACK, NOW)
    assert ca.exists()


def test_a_ca_with_another_key_is_refused(tmp_path: Path) -> None:
    ensure_authority(tmp_path, NOW)
    (tmp_path / "tls" / "ca-key.pem").write_bytes(new_authority(NOW).key_pem)
    with pytest.raises(TlsError, match="is not the key of"):
        ensure_authority(tmp_path, NOW)


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("https://127.0.0.1:9230", SERVED),
        ("https://[::1]:9230", SERVED),
        ("https://0.0.0.0:9230", SERVED),  # the unspecified address: no client dials it
        ("https://IdP.Example.test/", [*SERVED, "idp.example.test"]),
        ("https://192.168.1.20:9230", [*SERVED, "192.168.1.20"]),
    ],
)
def test_server_names(url: str, names: list[str]) -> None:
    assert server_names(url) == names


def test_names_read_back_as_given() -> None:
    authority = new_authority(NOW)
    names = [*LOOPBACK, "2001:db8::1", "bücher.example"]
    issued = issue_server_certificate(authority, names, NOW)
    assert subject_alt_names(issued.cert_pem) == {*LOOPBACK, "2001:db8::1", "xn--bcher-kva.example"}
    assert not needs_reissue(issued.cert_pem, authority.cert_pem, names, NOW)
    other = new_authority(NOW)
    assert needs_reissue(issued.cert_pem, other.cert_pem, names, NOW)


def test_a_certificate_never_outlives_its_ca() -> None:
    authority = new_authority(NOW - timedelta(days=3650 - 10))
    issued = issue_server_certificate(authority, LOOPBACK, NOW)
    ca_end = x509.load_pem_x509_certificate(authority.cert_pem).not_valid_after_utc
    assert x509.load_pem_x509_certificate(issued.cert_pem).not_valid_after_utc == ca_end


def test_check_key_pair_refuses_a_key_of_another_certificate(tmp_path: Path) -> None:
    authority = new_authority(NOW)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(issue_server_certificate(authority, LOOPBACK, NOW).cert_pem)
    key.write_bytes(issue_server_certificate(authority, LOOPBACK, NOW).key_pem)
    with pytest.raises(TlsError, match="KEY_VALUES_MISMATCH"):
        check_key_pair(cert, key)


def test_userpool_ca_makes_the_ca_in_a_new_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    result = CliRunner().invoke(main, ["ca", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{(data_dir / 'tls' / 'ca.pem').absolute()}\n"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--tls-cert", "{cert}"], "userpool: --tls-cert and --tls-key go together\n"),
        (["--tls-key", "{key}"], "userpool: --tls-cert and --tls-key go together\n"),
        (["--tls-cert", "{cert}", "--tls-key", "{cert}"], "userpool: cannot serve HTTPS: "),
    ],
    ids=["a certificate without its key", "a key without its certificate", "no key in the file"],
)
def test_unusable_tls_flags_are_one_line(tmp_path: Path, flags: list[str], message: str) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued = issue_server_certificate(new_authority(NOW), LOOPBACK, NOW)
    cert.write_bytes(issued.cert_pem)
    key.write_bytes(issued.key_pem)
    args = [flag.format(cert=cert, key=key) for flag in flags]
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path), "--port", "0", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
