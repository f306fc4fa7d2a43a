"""What the server gives every request: storage and the long-lived collaborators of one
process, in one bundle (a new collaborator is one field here, wired in app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.auth.sessions import SessionSealer
from userpool.delivery import Sender
from userpool.storage.repositories import Store
from userpool.tokens.issuer import TokenSigner
from userpool.tokens.keys import KeyRing
from userpool.triggers import Triggers


@dataclass(frozen=True)
class Runtime:
    store: Store
    keys: KeyRing
    signer: TokenSigner
    sessions: SessionSealer
    simulation_key: bytes  # makes stand-ins for unknown users stable per (pool, username)
    codes_key: bytes  # keys the stored hashes of one-time codes
    delivery: Sender
    triggers: Triggers  # the pool's Lambda triggers (called from issue 13's hooks)
