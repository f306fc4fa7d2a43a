"""App client secrets at rest: sealed with a key derived from the server key (AES-256-GCM),
each bound to its client's id, so that a sealed secret copied onto another client's row does
not open.

A stored value is `sealed:` and base64(nonce, ciphertext, tag): 115 characters for Cognito's
51-character secret, up to 387 for the longest a client may be given (64 characters, of up to
four bytes each), in a text column (migration 0016). A value without that prefix is a secret
stored in clear, by a version before this one or by a store given no key (tests that never
make a client with a secret); `seal_stored` seals those when the server starts.
"""

from __future__ import annotations

import base64

from sqlalchemy import Engine, select, update

from userpool.crypto.sealing import Sealer, SealError, derive
from userpool.storage.schema import clients

PREFIX = "sealed:"
PURPOSE = "client-secrets"


class ClientSecrets:
    """Seals secrets on their way into storage and opens them on the way out. Without a
    sealer, secrets are kept as given and a sealed one cannot be read."""

    def __init__(self, sealer: Sealer | None) -> None:
        self._sealer = sealer

    @classmethod
    def from_server_key(cls, server_key: bytes) -> ClientSecrets:
        return cls(Sealer(derive(server_key, PURPOSE)))

    def seal(self, client_id: str, secret: str | None) -> str | None:
        if secret is None or self._sealer is None:
            return secret
        sealed = self._sealer.seal(secret.encode(), client_id.encode())
        return PREFIX + base64.b64encode(sealed).decode()

    def open(self, client_id: str, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored
        if self._sealer is None:
            raise SealError("a sealed client secret, and no server key to open it with")
        sealed = base64.b64decode(stored[len(PREFIX) :])
        return self._sealer.open(sealed, client_id.encode()).decode()


PLAIN = ClientSecrets(None)


def seal_stored(engine: Engine, secrets: ClientSecrets) -> int:
    """Seal every client secret still stored in clear; how many were. Each row is sealed by
    an UPDATE that holds only if it still has the value read, so nodes starting at once
    seal each secret once."""
    sealed = 0
    with engine.begin() as connection:
        rows = connection.execute(
            select(clients.c.id, clients.c.secret).where(
                clients.c.secret.is_not(None), clients.c.secret.not_like(PREFIX + "%")
            )
        ).all()
        for row in rows:
            statement = (
                update(clients)
                .where(clients.c.id == row.id, clients.c.secret == row.secret)
                .values(secret=secrets.seal(row.id, row.secret))
            )
            sealed += connection.execute(statement).rowcount
    return sealed
