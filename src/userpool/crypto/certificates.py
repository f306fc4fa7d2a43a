"""A local certificate authority and the server certificates it issues, as PEM bytes.

Pure: no files, time passed in. `userpool.http.tls` keeps the results in the data dir.

The extensions are the ones strict verifiers insist on (OpenSSL's X509_STRICT, which
Python 3.13 turns on by default; browsers; Node): a CA marked critical, key identifiers on
both sides, serverAuth for the leaf. Keys are ECDSA P-256: every TLS client in use speaks
it, and a key takes microseconds to make where RSA-2048 takes tens of milliseconds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AUTHORITY_LIFETIME = timedelta(days=3650)
# Apple's clients refuse a server certificate valid for longer than 825 days even under a
# root the user added, and public CAs stop at 398: 397 days is accepted everywhere.
SERVER_LIFETIME = timedelta(days=397)
RENEW_BEFORE = timedelta(days=30)  # re-issued when it expires sooner than this
CLOCK_SKEW = timedelta(hours=1)  # valid from a little before now: a client's clock may lag

KeyUsageFlags = dict[str, bool]
_NO_USAGE: KeyUsageFlags = dict.fromkeys(
    (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ),
    False,
)


@dataclass(frozen=True)
class KeyAndCertificate:
    key_pem: bytes  # PKCS#8, unencrypted
    cert_pem: bytes


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _usage(**flags: bool) -> x509.KeyUsage:
    return x509.KeyUsage(**{**_NO_USAGE, **flags})


def new_authority(now: datetime) -> KeyAndCertificate:
    """A self-signed CA that may sign server certificates and nothing below them."""
    key = _new_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    # A distinct name per CA: a browser's trust store may hold several (one per data dir).
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "userpool"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"userpool local CA {ski.digest.hex()[:8]}"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + AUTHORITY_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyAndCertificate(_key_pem(key), cert.public_bytes(serialization.Encoding.PEM))


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        # A DNS name goes into a certificate in its ASCII (IDNA) form.
        return x509.DNSName(name.lower().encode("idna").decode("ascii"))


def normalised(names: Iterable[str]) -> frozenset[str]:
    """`names` as they read back from a certificate: IPs in canonical form, DNS names in
    lower-case ASCII."""
    return frozenset(_as_text(_general_name(name)) for name in names)


def _as_text(name: x509.GeneralName) -> str:
    return str(name.value)


def issue_server_certificate(
    authority: KeyAndCertificate, names: Iterable[str], now: datetime
) -> KeyAndCertificate:
    """A server certificate for `names` (DNS names or IP addresses), signed by `authority`,
    valid for SERVER_LIFETIME but never beyond the authority's own expiry."""
    ca_key = serialization.load_pem_private_key(authority.key_pem, password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the CA key is not an ECDSA key")
    ca_cert = x509.load_pem_x509_certificate(authority.cert_pem)
    key = _new_key()
    alt_names = [_general_name(name) for name in sorted(normalised(names))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "userpool server")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return KeyAndCertificate(_key_pem(key), cert.public_bytes(serialization.Encoding.PEM))


def subject_alt_names(cert_pem: bytes) -> frozenset[str]:
    """The DNS names and IP addresses a certificate is for, as text."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        alt_names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return frozenset()
    return frozenset(_as_text(name) for name in alt_names.value)


def is_authority_pair(authority: KeyAndCertificate) -> bool:
    """Whether the key is the one the certificate is for."""
    key = serialization.load_pem_private_key(authority.key_pem, password=None)
    cert = x509.load_pem_x509_certificate(authority.cert_pem)
    return key.public_key() == cert.public_key()


def expires_within(cert_pem: bytes, now: datetime, margin: timedelta) -> bool:
    return x509.load_pem_x509_certificate(cert_pem).not_valid_after_utc <= now + margin


def needs_reissue(
    server_cert_pem: bytes, authority_cert_pem: bytes, names: Iterable[str], now: datetime
) -> bool:
    """Whether a server certificate must be replaced: it names other hosts, another CA
    signed it, or it expires within RENEW_BEFORE."""
    if subject_alt_names(server_cert_pem) != normalised(names):
        return True
    if expires_within(server_cert_pem, now, RENEW_BEFORE):
        return True
    cert = x509.load_pem_x509_certificate(server_cert_pem)
    try:
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(authority_cert_pem))
    except (ValueError, TypeError, InvalidSignature):
        return True
    return False
