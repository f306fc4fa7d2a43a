"""A recording `Invoker` for tests of code that calls triggers: it keeps every (function,
event) it is given and answers from a table, so a test can assert which triggers ran, with
which events, and drive what they answer. It stands in for the port itself (`Invoker`), not
for any trigger function: what it answers still goes through `Triggers`' checks.
Also a pool and an event that the triggers tests share."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from userpool.triggers import TriggerError
from userpool.triggers.events import JSONDict, TriggerEvent, trigger_event
from userpool.triggers.sources import TriggerSource

POOL_ID = "eu-west-1_TriggerP1"
GATEKEEPER = "arn:aws:lambda:eu-west-1:123456789012:function:gatekeeper"
POOL = {"LambdaConfig": {"PreAuthentication": GATEKEEPER, "UserMigration": GATEKEEPER}}
ATTRIBUTES = {"sub": "4a709a36-7d63-4785-829d-4198ef10ebda", "email": "alice@example.com"}


def pre_authentication() -> TriggerEvent:
    """A PreAuthentication event for alice signing in to POOL_ID through an app client."""
    return trigger_event(
        TriggerSource.PRE_AUTHENTICATION,
        pool_id=POOL_ID,
        user_name="alice",
        client_id="5og3ldap1shskk164029tg9a8s",
        request={"userAttributes": ATTRIBUTES, "validationData": {}, "userNotFound": False},
    )


# What the table gives for a function: a `response` to put in the event it returns, a
# callable from the event to the whole output, or an error to raise.
Answer = JSONDict | Callable[[JSONDict], object] | TriggerError


@dataclass(frozen=True)
class Call:
    function: str
    event: JSONDict


class RecordingInvoker:
    """Answers each function by its table entry; a function with none returns the event as
    it came (what a function that changes nothing does)."""

    def __init__(self, answers: Mapping[str, Answer] | None = None) -> None:
        self.answers: dict[str, Answer] = dict(answers or {})
        self.calls: list[Call] = []

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        self.calls.append(Call(function, copy.deepcopy(event)))
        answer = self.answers.get(function)
        if answer is None:
            return copy.deepcopy(event)
        if isinstance(answer, TriggerError):
            raise answer
        if isinstance(answer, dict):
            return {**copy.deepcopy(event), "response": copy.deepcopy(answer)}
        return answer(copy.deepcopy(event))

    def sources(self) -> list[str]:
        """The `triggerSource` of each call, in order."""
        return [call.event["triggerSource"] for call in self.calls]
