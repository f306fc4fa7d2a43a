"""A user's device group key: handed out with every new device (NewDeviceMetadata) and kept
with each device ConfirmDevice stores. The devices' SRP uses it where a user's SRP uses the
pool's name."""

from __future__ import annotations

import base64
import hashlib
import hmac


def device_group_key(secret: bytes, pool_id: str, sub: str) -> str:
    """Stable per user and made from the server's secret, so that handing one out needs no
    write; shaped like Cognito's (`-` and eight URL-safe characters)."""
    digest = hmac.new(secret, f"device-group/{pool_id}/{sub}".encode(), hashlib.sha256).digest()
    return "-" + base64.urlsafe_b64encode(digest).decode()[:8]
