"""Managed login's two cookies, both HttpOnly, SameSite=Lax, Secure when the domain is reached
over HTTPS, and scoped to the domain's root (a domain reached by path on this server gets
`Path=/domains/{name}`, so two pools' domains on one host never share them):

- `cognito` (Cognito's name for it): the browser's sign-in, sealed with the server key
  (AES-GCM): the pool, the user's `sub` and `auth_time`, and when it ends (an hour, as
  Cognito's). Nothing else: no token, no password; a remembered authorize mints new tokens
  from it (userpool.auth.sign_in_again).
- `XSRF-TOKEN`: a random value; every managed-login form carries a token sealed from it
  (`csrf_token`), checked against it on POST. A forged cross-site POST has neither, and a
  value planted as a cookie by a sibling host is useless without the server key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson

from userpool.auth import Runtime
from userpool.crypto.sealing import SealError
from userpool.oauth.domains import DomainRequest

SESSION = "cognito"
CSRF = "XSRF-TOKEN"
SESSION_SECONDS = 3600  # Cognito's managed login session lasts an hour
SESSION_CONTEXT = b"userpool-managed-login-session"
CSRF_CONTEXT = b"userpool-managed-login-csrf"


@dataclass(frozen=True)
class Remembered:
    """Who signed in on this browser, in which pool, when, and until when."""

    pool_id: str
    sub: str
    auth_time: float
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def attributes(found: DomainRequest, max_age: int | None) -> str:
    """The cookie attributes for `found`'s domain: its root path, HttpOnly, SameSite=Lax,
    Secure when the browser reaches the domain over HTTPS."""
    base = urlsplit(found.base_url)
    parts = [f"Path={base.path or '/'}", "HttpOnly", "SameSite=Lax"]
    if base.scheme == "https":
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def seal_session(runtime: Runtime, remembered: Remembered) -> str:
    data = orjson.dumps(
        [remembered.pool_id, remembered.sub, remembered.auth_time, remembered.expires]
    )
    return _b64(runtime.sessions.seal_bytes(data, SESSION_CONTEXT))


def open_session(
    runtime: Runtime, value: str | None, pool_id: str, now: float
) -> Remembered | None:
    """The sign-in a `cognito` cookie holds, if it is ours, for this pool and still live."""
    if not value:
        return None
    try:
        data = orjson.loads(runtime.sessions.open_bytes(_unb64(value), SESSION_CONTEXT))
        remembered = Remembered(str(data[0]), str(data[1]), float(data[2]), float(data[3]))
    except (SealError, binascii.Error, ValueError, TypeError, IndexError, orjson.JSONDecodeError):
        return None
    if remembered.pool_id != pool_id or now >= remembered.expires:
        return None
    return remembered


def session_cookie(runtime: Runtime, found: DomainRequest, remembered: Remembered) -> str:
    value = seal_session(runtime, remembered)
    return f"{SESSION}={value}; {attributes(found, SESSION_SECONDS)}"


def cleared(found: DomainRequest, name: str = SESSION) -> str:
    return f"{name}=; {attributes(found, 0)}"


def new_csrf_value() -> str:
    return secrets.token_urlsafe(24)


def csrf_cookie(found: DomainRequest, value: str) -> str:
    return f"{CSRF}={value}; {attributes(found, None)}"


def csrf_token(runtime: Runtime, value: str) -> str:
    """The form's token for the browser whose `XSRF-TOKEN` cookie is `value`."""
    return _b64(runtime.sessions.seal_bytes(value.encode(), CSRF_CONTEXT))


def csrf_holds(runtime: Runtime, cookie: str | None, token: str | None) -> bool:
    """The form's token was made for this browser's cookie (compared in constant time)."""
    if not cookie or not token:
        return False
    try:
        opened = runtime.sessions.open_bytes(_unb64(token), CSRF_CONTEXT)
    except (SealError, binascii.Error, ValueError):
        return False
    return hmac.compare_digest(opened, cookie.encode())
