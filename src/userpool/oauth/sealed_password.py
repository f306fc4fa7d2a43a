"""The password a person chose on `/signup`, kept for the `/confirmUser` page that follows, so
that once the code is confirmed they are signed in at once (as Cognito's pages do) without
typing it again.

It is sealed with the server key (AES-GCM, under a context of its own, so that nothing else
sealed with that key opens as one) into a hidden field of the confirmation form: never in
clear in a page, a URL or a cookie. The seal binds it to the pool, the app client and the
username it was chosen for, and it lasts an hour (the managed-login session's own span); a
field that does not open so is ignored, and the page asks for the password instead."""

from __future__ import annotations

import base64
import binascii

import orjson

from userpool.auth import Runtime
from userpool.crypto.sealing import SealError

FIELD = "sealed"  # the hidden field's name on the confirmation form
CONTEXT = b"userpool-managed-login-sign-up-password"
SECONDS = 3600


def seal(
    runtime: Runtime, pool_id: str, client_id: str, username: str, password: str, now: float
) -> str:
    data = orjson.dumps([pool_id, client_id, username, password, now + SECONDS])
    sealed = runtime.sessions.seal_bytes(data, CONTEXT)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def open_sealed(
    runtime: Runtime, value: str | None, pool_id: str, client_id: str, username: str, now: float
) -> str | None:
    """The password `value` holds, if it is ours, for this pool, client and username, and
    still live; None otherwise."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        items = orjson.loads(runtime.sessions.open_bytes(raw, CONTEXT))
        pool, client, name, password, expires = items
    except (SealError, binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        return None
    if (pool, client, name) != (pool_id, client_id, username) or now >= float(expires):
        return None
    return str(password)
