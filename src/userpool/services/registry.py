"""The operation table: each services module registers its handlers by Cognito's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from userpool.services.context import Context, Request, Response

Handler = Callable[[Context, Request], Response]
# A handler keeps its own signature when registered: CreateUserPool's, say, has a keyword
# that only in-process callers (a seed file's fixed ids) can pass.
H = TypeVar("H", bound=Handler)

OPERATIONS: dict[str, Handler] = {}
# Operations that hand a message to the delivery backend (SMTP or AWS: network calls).
SENDS_MESSAGES: set[str] = set()
# Operations that may call one of the pool's Lambda functions (a wait of up to 5 s).
CALLS_TRIGGERS: set[str] = set()


def operation(
    name: str, *, sends_messages: bool = False, calls_triggers: bool = False
) -> Callable[[H], H]:
    def register(handler: H) -> H:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = handler
        if sends_messages:
            SENDS_MESSAGES.add(name)
        if calls_triggers:
            CALLS_TRIGGERS.add(name)
        return handler

    return register
