"""What every operation handler is given: the store, the clock, settings, the caller's region."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from userpool.auth.sessions import SessionSealer
from userpool.delivery import Sender
from userpool.storage.repositories import Store
from userpool.tokens.issuer import TokenSigner
from userpool.tokens.keys import KeyRing

Clock = Callable[[], float]
Request = dict[str, Any]
Response = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    account_id: str = "000000000000"


@dataclass(frozen=True)
class Runtime:
    """Long-lived collaborators shared by every request of a process."""

    keys: KeyRing
    signer: TokenSigner
    sessions: SessionSealer
    simulation_key: bytes
    codes_key: bytes  # keys the stored hashes of one-time codes
    delivery: Sender


@dataclass
class Context:
    store: Store
    settings: Settings
    runtime: Runtime
    clock: Clock = field(default=time.time)
    region: str | None = None  # from the request's SigV4 scope, when it had one

    @property
    def effective_region(self) -> str:
        return self.region or self.settings.region
