"""The in-process invoker: Python callables `handler(event, context)`, registered under a
function's name, stand in for Lambda functions. A pool's `LambdaConfig` ARN finds the handler
registered under its function name, whatever the ARN's region, account or qualifier.

Each call runs the handler in a thread of its own and waits for it at most the timeout, as
Lambda stands between Cognito and a function. The handler gets a copy of the event made through
JSON, and what it returns goes back through JSON, as it would over the wire: neither side can
reach the other's objects. A handler still running at the timeout cannot be stopped (Python
cannot stop a thread): the call fails at once with the timeout, the handler runs on to its end
in its daemon thread (which does not keep the process from exiting), and what it returns or
raises then is dropped."""

from __future__ import annotations

import contextvars
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from userpool.triggers import FunctionRaised, FunctionTimedOut, FunctionUnreachable
from userpool.triggers.config import function_name
from userpool.triggers.events import JSONDict


@dataclass(frozen=True)
class LambdaContext:
    """The parts of the `context` Lambda gives a Python handler that trigger code uses."""

    function_name: str
    invoked_function_arn: str  # the function as the pool names it
    deadline: float  # time.monotonic() when the invocation times out
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


Handler = Callable[[JSONDict, LambdaContext], object]


@dataclass(frozen=True)
class _Returned:
    output: object


@dataclass(frozen=True)
class _Raised:
    message: str


class InProcessInvoker:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, function: str, handler: Handler) -> None:
        """Let `handler` answer for `function` (a name, or an ARN whose name is taken)."""
        self._handlers[function_name(function)] = handler

    def handles(self, function: str) -> bool:
        """Whether a handler answers for `function`."""
        return function_name(function) in self._handlers

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        handler = self._handlers.get(function_name(function))
        if handler is None:
            raise FunctionUnreachable("ResourceNotFoundException")  # as Lambda names it
        context = LambdaContext(function_name(function), function, time.monotonic() + timeout)
        outcomes: queue.SimpleQueue[_Returned | _Raised] = queue.SimpleQueue()
        # In the caller's context: what the handler logs carries the caller's request id.
        worker = threading.Thread(
            target=contextvars.copy_context().run,
            args=(_run, handler, json.loads(json.dumps(event)), context, outcomes),
            name=f"trigger {context.function_name}",
            daemon=True,
        )
        worker.start()
        try:
            outcome = outcomes.get(timeout=timeout)
        except queue.Empty:
            raise FunctionTimedOut() from None
        if isinstance(outcome, _Raised):
            raise FunctionRaised(outcome.message)
        return outcome.output


def _run(
    handler: Handler,
    event: JSONDict,
    context: LambdaContext,
    outcomes: queue.SimpleQueue[_Returned | _Raised],
) -> None:
    try:
        output = handler(event, context)
    except BaseException as error:  # SystemExit too: in Lambda, any way out of it is an error
        outcomes.put(_Raised(str(error)))
        return
    try:
        outcomes.put(_Returned(_through_json(output)))
    except (TypeError, ValueError) as error:
        # Lambda's Python runtime fails such an answer as the function's error (MarshalError).
        outcomes.put(_Raised(f"Unable to marshal response: {error}"))


def _through_json(value: object) -> object:
    return json.loads(json.dumps(value, allow_nan=False))
