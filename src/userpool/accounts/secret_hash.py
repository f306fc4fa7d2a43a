"""SECRET_HASH: Base64(HMAC-SHA256(client secret, username + client id)), in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac

from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import AppClient


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(client: AppClient, given: str | None, *usernames: str) -> None:
    """For a client with a secret, `given` must be the hash for one of `usernames`."""
    if client.secret is None:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    matches = [
        hmac.compare_digest(secret_hash(client.secret, name, client.id).encode(), given.encode())
        for name in usernames
    ]
    if not any(matches):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")
