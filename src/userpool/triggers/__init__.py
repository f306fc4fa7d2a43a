"""Lambda triggers behind one small interface: an `Invoker` calls a function (named by the ARN
in the pool's `LambdaConfig`) with an event and returns what the function returned, or raises
a `TriggerError`. `Triggers` is what the engine and services hold: it finds the pool's function
for a trigger source, calls it within Cognito's 5 seconds, checks the answer, and turns any
failure into one of Cognito's three Lambda errors (`cognito_error`, the one place that does).

Backends: `local.LocalInvoker` (handler files on this machine, in `node` / `python` worker
processes), `lambda_api.LambdaInvoker` (AWS Lambda, or any Lambda Invoke API endpoint) and
`in_process.InProcessInvoker` (Python callables registered by name). The `ResolvingInvoker` of
`resolving` picks one of them per function, as `userpool serve` wires it (`--triggers`,
`--lambda-endpoint-url`).

The events: `events.trigger_event`; the sources and their `LambdaConfig` keys: `sources`.
Calls are synchronous and block for as long as the function runs (at most the timeout):
call them where a request may block, as delivery's `send` is called."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from userpool.domain.errors import (
    CognitoError,
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from userpool.triggers.config import event_version, function_for
from userpool.triggers.events import JSONDict, TriggerEvent
from userpool.triggers.sources import Trigger, TriggerSource

TIMEOUT_SECONDS = 5.0  # Cognito waits this long for a function; it cannot be changed
log = logging.getLogger("userpool.triggers")

# Cognito's messages for an answer it cannot use: one that is not a JSON object (a function
# that returned nothing), and one that is but has no `response` object in it.
INVALID_JSON = "Invalid lambda function output : Invalid JSON"
UNRECOGNIZABLE = "Unrecognizable lambda output"


class TriggerError(Exception):
    """A trigger call failed in one of the three ways below; `cognito_error` says how Cognito
    reports it."""


class FunctionRaised(TriggerError):
    """The function ran and failed (raised, threw, called back with an error)."""

    def __init__(self, message: str, *, worker_exiting: bool = False) -> None:
        super().__init__(message)
        self.message = message  # the function's own error message, which Cognito passes on
        # An error nothing caught ends the worker after its reply: not to be reused, though
        # it may not have exited yet when the reply is read.
        self.worker_exiting = worker_exiting


class FunctionUnreachable(TriggerError):
    """The function could not be run to the end: not found, not reachable, timed out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # Lambda's error name, or what went wrong, as Cognito words it


class FunctionTimedOut(FunctionUnreachable):
    def __init__(self) -> None:
        super().__init__("Socket timeout while invoking Lambda function")


class InvalidResponse(TriggerError):
    """The function returned something Cognito cannot use; the message is Cognito's."""


class Invoker(Protocol):
    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        """Call `function` (an ARN or name from `LambdaConfig`) with the wire `event`; return
        what it returned (any JSON value), or raise `FunctionRaised` / `FunctionUnreachable`
        (`FunctionTimedOut` after `timeout` seconds)."""
        ...


def response_of(output: object) -> JSONDict:
    """The `response` of what a function returned, if Cognito could read it."""
    if not isinstance(output, dict):
        raise InvalidResponse(INVALID_JSON)
    response = output.get("response")
    if not isinstance(response, dict):
        raise InvalidResponse(UNRECOGNIZABLE)
    return response


def cognito_error(trigger: Trigger, error: TriggerError) -> CognitoError:
    """How Cognito reports a failed call of `trigger`'s function."""
    if isinstance(error, FunctionRaised):
        return UserLambdaValidationException(f"{trigger} failed with error {error.message}.")
    if isinstance(error, FunctionUnreachable):
        return UnexpectedLambdaException(
            f"{trigger} invocation failed due to error {error.reason}."
        )
    return InvalidLambdaResponseException(str(error))


class Triggers:
    """The pool's triggers, as the engine and services call them."""

    def __init__(self, invoker: Invoker, timeout: float = TIMEOUT_SECONDS) -> None:
        self._invoker = invoker
        self._timeout = timeout

    def function_for(self, pool_settings: Mapping[str, Any], source: TriggerSource) -> str | None:
        """The function the pool sets for `source`, or None (then nothing is called)."""
        return function_for(_lambda_config(pool_settings), source)

    def version_for(self, pool_settings: Mapping[str, Any], source: TriggerSource) -> str:
        """The `version` to build `source`'s event with (pre token generation: 1, 2 or 3)."""
        return event_version(_lambda_config(pool_settings), source)

    def call(self, pool_settings: Mapping[str, Any], event: TriggerEvent) -> JSONDict | None:
        """Call the pool's function for `event.source` with `event`; its `response`, or None
        when the pool sets no function for that source. A failure raises Cognito's error.

        For the triggers Cognito calls and waits for; the custom sender triggers (which
        Cognito calls without waiting, with the code encrypted) are not called through this."""
        function = self.function_for(pool_settings, event.source)
        if function is None:
            return None
        try:
            return response_of(self._invoker.invoke(function, event.wire(), timeout=self._timeout))
        except TriggerError as error:
            # Never the event: it may carry a password (UserMigration) or a code.
            log.warning(
                "%s trigger %s for %s in %s failed: %s: %s",
                event.source.value,
                function,
                event.user_name,
                event.pool_id,
                type(error).__name__,
                error,
            )
            raise cognito_error(event.source.trigger, error) from error


def _lambda_config(pool_settings: Mapping[str, Any]) -> Mapping[str, Any]:
    config = pool_settings.get("LambdaConfig")
    return config if isinstance(config, Mapping) else {}
