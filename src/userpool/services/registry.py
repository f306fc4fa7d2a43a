"""The operation table: each services module registers its handlers by Cognito's name."""

from __future__ import annotations

from collections.abc import Callable

from userpool.services.context import Context, Request, Response

Handler = Callable[[Context, Request], Response]

OPERATIONS: dict[str, Handler] = {}
# Operations that hand a message to the delivery backend (SMTP or AWS: network calls).
SENDS_MESSAGES: set[str] = set()
# Operations that may call one of the pool's Lambda functions (a wait of up to 5 s).
CALLS_TRIGGERS: set[str] = set()


def operation(
    name: str, *, sends_messages: bool = False, calls_triggers: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = handler
        if sends_messages:
            SENDS_MESSAGES.add(name)
        if calls_triggers:
            CALLS_TRIGGERS.add(name)
        return handler

    return register
