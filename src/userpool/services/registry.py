"""The operation table: each services module registers its handlers by Cognito's name."""

from __future__ import annotations

from collections.abc import Callable

from userpool.services.context import Context, Request, Response

Handler = Callable[[Context, Request], Response]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = handler
        return handler

    return register
