"""The operation table: each services module registers its handlers by Cognito's name."""

from __future__ import annotations

from collections.abc import Callable

from userpool.services.context import Context, Request, Response

Handler = Callable[[Context, Request], Response]

OPERATIONS: dict[str, Handler] = {}
# Operations that hand a message to the delivery backend (SMTP or AWS: network calls).
SENDS_MESSAGES: set[str] = set()


def operation(name: str, *, sends_messages: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = handler
        if sends_messages:
            SENDS_MESSAGES.add(name)
        return handler

    return register
