"""HTTPS for `userpool serve --tls`: a local CA kept in the data dir, and the server
certificate it issues, re-issued when the names it must carry change or it nears expiry.

Files, under DATA_DIR/tls/ (a directory only the owner may enter):
  ca.pem       the CA certificate: what clients are told to trust (`userpool ca`)
  ca-key.pem   its key, mode 0600; it never leaves this directory
  server.pem   the server's key and certificate in one file, mode 0600. One file, replaced
               in one rename, so a worker starting while another node re-issues can never
               read a key with the other certificate.
Writers hold an exclusive lock on tls/.lock: `userpool ca` and two servers on one data
dir may start at once, and must end up with one CA.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from userpool.crypto.certificates import (
    KeyAndCertificate,
    expires_within,
    is_authority_pair,
    issue_server_certificate,
    needs_reissue,
    new_authority,
)

TLS_DIR = "tls"
CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
SERVER_PEM = "server.pem"
LOCK = ".lock"
# Where a browser, a script or a client on this machine reaches the server, whatever its URL.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# A pool's prefix domain in a browser, `myapp.localhost:9230` (Amplify's `oauth.domain`):
# browsers send every *.localhost name here and Chromium and Firefox accept the wildcard.
# Python's ssl and Node refuse a wildcard right below a top-level name; they reach a domain
# by path (/domains/myapp) or by a --public-url that names it.
LOCAL_DOMAINS = "*.localhost"


class TlsError(Exception):
    """A TLS file that cannot be used, with a sentence saying why."""


def ca_path(data_dir: Path) -> Path:
    return (data_dir / TLS_DIR / CA_CERT).absolute()


def server_names(public_url: str) -> list[str]:
    """The names the server certificate carries: the loopback ones, every *.localhost name,
    and the URL's host (unless it is the unspecified address, 0.0.0.0 or ::, which no client
    dials)."""
    names = [*LOOPBACK_NAMES, LOCAL_DOMAINS]
    host = urlsplit(public_url).hostname
    if host and not _is_unspecified(host) and host not in names:
        try:
            host.encode("idna")
        except UnicodeError as error:
            raise TlsError(f"{host!r} cannot be named in a certificate: {error}") from error
        names.append(host)
    return names


def _is_unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


@contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    directory = data_dir / TLS_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (directory / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield directory


def _write(path: Path, content: bytes, mode: int) -> None:
    """Replace `path` at once: readers see the old file or the new, never half of one.
    The temporary file is created with `mode`, so a key is never readable by others."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _read_authority(directory: Path) -> KeyAndCertificate | None:
    cert, key = directory / CA_CERT, directory / CA_KEY
    if not cert.exists() and not key.exists():
        return None
    if not (cert.exists() and key.exists()):
        missing = key if cert.exists() else cert
        raise TlsError(f"{missing} is missing; delete {directory} to make a new local CA")
    authority = KeyAndCertificate(key.read_bytes(), cert.read_bytes())
    try:
        if is_authority_pair(authority):
            return authority
    except ValueError as error:
        raise TlsError(f"cannot read the local CA in {directory}: {error}") from error
    raise TlsError(f"{key} is not the key of {cert}; delete {directory} to make a new local CA")


def _authority(directory: Path, now: datetime) -> KeyAndCertificate:
    """The CA in `directory`, made on first use (or when it has expired: then nothing it
    signs is trusted anyway, and clients must be told to trust the new one)."""
    authority = _read_authority(directory)
    if authority is None or expires_within(authority.cert_pem, now, timedelta(0)):
        authority = new_authority(now)
        # The key first: a CA certificate on disk always has its key beside it.
        _write(directory / CA_KEY, authority.key_pem, 0o600)
        _write(directory / CA_CERT, authority.cert_pem, 0o644)
    return authority


def ensure_authority(data_dir: Path, now: datetime | None = None) -> Path:
    """The path of the data dir's CA certificate, made if there is none yet."""
    with _locked(data_dir) as directory:
        _authority(directory, now or datetime.now(UTC))
    return ca_path(data_dir)


def server_certificate(data_dir: Path, names: list[str], now: datetime | None = None) -> Path:
    """The path of a PEM file holding the server's key and its certificate for `names`,
    issued by the data dir's CA, then the CA's certificate: the whole chain, as a server sends
    it, so that a client pinning the CA's key (Chromium's SPKI list) finds it; kept across
    starts while it still fits."""
    now = now or datetime.now(UTC)
    with _locked(data_dir) as directory:
        authority = _authority(directory, now)
        path = directory / SERVER_PEM
        if path.exists():
            try:
                if not needs_reissue(path.read_bytes(), authority.cert_pem, names, now):
                    return path.absolute()
            except ValueError:
                pass  # unreadable: issue a new one over it
        issued = issue_server_certificate(authority, names, now)
        _write(path, issued.key_pem + issued.cert_pem + authority.cert_pem, 0o600)
        return path.absolute()


class DropIdleOnShutdown(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, but an idle keep-alive connection is dropped at shutdown
    instead of closed. Closing a TLS connection sends close_notify and waits up to 30 s
    (asyncio's ssl_shutdown_timeout) for the peer's; a client that holds idle connections
    without reading them (a boto3 or requests session in a live process) never answers, so
    Ctrl-C or SIGTERM took 30 s. A connection with a request in flight still finishes it."""

    def shutdown(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self.transport.abort()
        else:
            super().shutdown()


def uvicorn_options(
    data_dir: Path, public_url: str, cert: Path | None, key: Path | None
) -> dict[str, object]:
    """uvicorn's options for HTTPS: the user's `cert` and `key`, checked, or a certificate
    from the data dir's CA for the loopback names and `public_url`'s host."""
    if cert is not None:
        check_key_pair(cert, key)
        files = {"ssl_certfile": str(cert), "ssl_keyfile": str(key) if key else None}
    else:
        path = server_certificate(data_dir, server_names(public_url))
        files = {"ssl_certfile": str(path), "ssl_keyfile": None}
    return {**files, "http": DropIdleOnShutdown}


def check_key_pair(cert: Path, key: Path | None) -> None:
    """Raise TlsError unless `cert` (with `key`, or holding its key itself) is a certificate
    and its private key, as the server will load them."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        files = f"{cert} and {key}" if key else str(cert)
        reason = getattr(error, "reason", None) or error.strerror or str(error)
        raise TlsError(f"cannot use {files} for TLS: {reason}") from error
