"""Auth sessions: the state of a sign-in between two calls, sealed into the `Session` string.

The sealed blob (AES-GCM with a key derived from the server key) says which pool, client
and user it is bound to, which challenge it expects and when it expires; it can be opened
on any node. Single use is enforced by a consumed-marker in storage.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from typing import Any

import orjson

from userpool.crypto.sealing import Sealer, SealError
from userpool.domain.errors import NotAuthorizedException
from userpool.storage.repositories import Transaction

INVALID = "Invalid session for the user."
REUSED = "Invalid session for the user, session can only be used once."
EXPIRED = "Invalid session for the user, session is expired."
CONTEXT = b"userpool-auth-session"


@dataclass(frozen=True)
class SessionState:
    pool_id: str
    client_id: str
    username: str
    challenge: str
    expires: float
    sid: str = field(default_factory=lambda: secrets.token_hex(16))
    data: dict[str, Any] = field(default_factory=dict)


class SessionSealer:
    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def seal(self, state: SessionState) -> str:
        payload = orjson.dumps(
            [
                state.sid,
                state.pool_id,
                state.client_id,
                state.username,
                state.challenge,
                state.expires,
                state.data,
            ]
        )
        return base64.b64encode(self._sealer.seal(payload, CONTEXT)).decode()

    def open(self, session: str) -> SessionState:
        """The state inside `session`; NotAuthorizedException if it was not made here."""
        try:
            raw = self._sealer.open(base64.b64decode(session.encode(), validate=True), CONTEXT)
            sid, pool_id, client_id, username, challenge, expires, data = orjson.loads(raw)
        except (SealError, binascii.Error, ValueError, TypeError) as error:
            raise NotAuthorizedException(INVALID) from error
        return SessionState(pool_id, client_id, username, challenge, expires, sid, data)


def check_binding(
    state: SessionState, pool_id: str, client_id: str, challenge: str, now: float
) -> None:
    """The session belongs to this pool and client, expects this challenge, and is live."""
    if state.pool_id != pool_id or state.client_id != client_id or state.challenge != challenge:
        raise NotAuthorizedException(INVALID)
    if now >= state.expires:
        raise NotAuthorizedException(EXPIRED)


def consume(tx: Transaction, state: SessionState) -> None:
    """Use the session up; a second use of it fails."""
    if not tx.session_markers.consume(state.sid, state.expires):
        raise NotAuthorizedException(REUSED)
