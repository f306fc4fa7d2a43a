"""What every operation handler is given: the runtime (storage and collaborators), the clock,
settings, the caller's region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from userpool.auth import Runtime
from userpool.domain.auth_events import Origin
from userpool.storage.repositories import Store

Clock = Callable[[], float]
Request = dict[str, Any]
Response = dict[str, Any]


def _the_runtimes() -> float:
    """Stands for "the runtime's clock" as Context's default (replaced on construction)."""
    raise AssertionError("replaced by the runtime's clock")


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    account_id: str = "000000000000"
    public_url: str = "http://127.0.0.1:9230"  # where clients reach this server (upload URLs)


@dataclass
class Context:
    settings: Settings
    runtime: Runtime
    clock: Clock = _the_runtimes  # by default the runtime's: the real time, or the dev clock
    region: str | None = None  # from the request's SigV4 scope, when it had one
    source_ip: str | None = None  # the peer's, as uvicorn gives it (a trusted proxy applied)

    def __post_init__(self) -> None:
        if self.clock is _the_runtimes:
            self.clock = self.runtime.clock

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
