"""Who may read the server's own pages (/metrics, /console): a loopback client, or one that
presents one of the `--credentials` key pairs by HTTP Basic authentication (the access key id
as user name, the secret as password), since a browser or Prometheus cannot sign SigV4."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Mapping

from starlette.requests import Request


def is_loopback_address(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def presented_key_pair(request: Request) -> tuple[str, str] | None:
    """The key pair of an `Authorization: Basic` header, if it holds one."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key_id, colon, secret = decoded.partition(":")
    return (key_id, secret) if colon else None


def holds_key_pair(request: Request, credentials: Mapping[str, str]) -> bool:
    """Whether `request` presents one of `credentials` by HTTP Basic authentication."""
    presented = presented_key_pair(request)
    if presented is None:
        return False
    key_id, secret = presented
    expected = credentials.get(key_id, "")
    # Compared even for an unknown key id, so that the time taken does not tell.
    matches = hmac.compare_digest(secret.encode(), (expected or secret + "x").encode())
    return matches and bool(expected)
