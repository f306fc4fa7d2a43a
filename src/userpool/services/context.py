"""What every operation handler is given: the runtime (storage and collaborators), the clock,
settings, the caller's region."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from userpool.auth import Runtime
from userpool.domain.auth_events import Origin
from userpool.storage.repositories import Store

Clock = Callable[[], float]
Request = dict[str, Any]
Response = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    account_id: str = "000000000000"


@dataclass
class Context:
    settings: Settings
    runtime: Runtime
    clock: Clock = field(default=time.time)
    region: str | None = None  # from the request's SigV4 scope, when it had one
    source_ip: str | None = None  # the peer's, as uvicorn gives it (a trusted proxy applied)

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def effective_region(self) -> str:
        return self.region or self.settings.region

    def origin(self, request: Request) -> Origin:
        """Where the request came from, for its auth event: its source, and the IpAddress
        of its ContextData (admin operations) or UserContextData, if any."""
        named = request.get("ContextData") or request.get("UserContextData") or {}
        return Origin(self.source_ip, named.get("IpAddress"))
