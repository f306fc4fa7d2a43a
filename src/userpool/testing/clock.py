"""The server's clock (`/_userpool/clock`, with `--dev-endpoints`): moved by tests so that
codes, sessions, tokens and lockouts expire without sleeping."""

from __future__ import annotations

from typing import Any

from userpool.testing._http import call


class Clock:
    """The clock of the server at `url`: `advance`, `set`, `reset`, and read it with `now`."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") + "/_userpool/clock"

    def now(self) -> float:
        """The server's time now, in seconds since the epoch."""
        return float(call("GET", self.url)["now"])

    def offset(self) -> float:
        """How far the server's time is ahead of the real time, in seconds."""
        return float(call("GET", self.url)["offset"])

    def advance(self, seconds: float) -> float:
        """Move the server's time `seconds` forward; its new time."""
        return self._now_after(call("POST", self.url, {"advance": seconds}))

    def set(self, epoch: float) -> float:
        """Set the server's time to `epoch` (seconds since the epoch); its new time."""
        return self._now_after(call("POST", self.url, {"set": epoch}))

    def reset(self) -> None:
        """Back to the real time."""
        call("DELETE", self.url)

    def _now_after(self, answer: Any) -> float:
        if isinstance(answer, dict) and "now" in answer:
            return float(answer["now"])
        return self.now()
