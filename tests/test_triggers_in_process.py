"""The in-process invoker behind `Triggers`: Python handlers registered by function name answer
for a pool's Lambda ARNs, get Lambda's context, and fail as a Lambda function fails (raising,
answering what Cognito cannot read, running past the timeout), each as Cognito reports it."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import pytest

from tests.trigger_support import GATEKEEPER, POOL, POOL_ID, pre_authentication
from userpool.domain.errors import (
    CognitoError,
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from userpool.triggers import Triggers
from userpool.triggers.events import JSONDict, trigger_event
from userpool.triggers.in_process import InProcessInvoker, LambdaContext
from userpool.triggers.sources import TriggerSource


def in_process(handler: Any, function: str = "gatekeeper") -> InProcessInvoker:
    invoker = InProcessInvoker()
    invoker.register(function, handler)
    return invoker


def test_the_function_gets_the_event_and_its_response_comes_back() -> None:
    seen: list[JSONDict] = []

    def handler(event: JSONDict, context: LambdaContext) -> JSONDict:
        seen.append(json.loads(json.dumps(event)))
        event["response"]["note"] = "welcome back"
        return event

    event = pre_authentication()
    assert Triggers(in_process(handler)).call(POOL, event) == {"note": "welcome back"}
    assert seen == [event.wire()]
    assert event.response == {}  # the function changed its own copy


def test_the_handler_and_its_caller_share_no_objects() -> None:
    def handler(event: JSONDict, context: LambdaContext) -> JSONDict:
        event["request"]["userAttributes"]["email"] = "mallory@example.com"
        return event

    sent = pre_authentication().wire()
    returned = in_process(handler).invoke(GATEKEEPER, sent, timeout=5)
    assert sent == pre_authentication().wire()  # as Lambda passes JSON, not the object
    assert isinstance(returned, dict)
    assert returned["request"]["userAttributes"]["email"] == "mallory@example.com"


@pytest.mark.parametrize(
    "configured",
    [
        "arn:aws:lambda:us-west-2:999988887777:function:gatekeeper",
        "arn:aws:lambda:eu-west-1:123456789012:function:gatekeeper:prod",
    ],
)
def test_a_registered_name_answers_for_an_arn_in_any_region_and_account(configured: str) -> None:
    pool = {"LambdaConfig": {"PreAuthentication": configured}}
    assert Triggers(in_process(lambda event, context: event)).call(pool, pre_authentication()) == {}


def test_an_arn_naming_another_function_finds_no_handler() -> None:
    pool = {"LambdaConfig": {"PreAuthentication": GATEKEEPER + "-v2"}}
    with pytest.raises(UnexpectedLambdaException) as raised:
        Triggers(in_process(lambda event, context: event)).call(pool, pre_authentication())
    assert raised.value.message == (
        "PreAuthentication invocation failed due to error ResourceNotFoundException."
    )


def test_a_handler_registered_by_arn_answers_for_its_name() -> None:
    invoker = in_process(lambda event, context: event, "arn:aws:lambda:a:1:function:gatekeeper")
    assert Triggers(invoker).call(POOL, pre_authentication()) == {}


def test_the_context_is_lambdas() -> None:
    contexts: list[tuple[LambdaContext, int]] = []

    def handler(event: JSONDict, context: LambdaContext) -> JSONDict:
        contexts.append((context, context.get_remaining_time_in_millis()))
        return event

    triggers = Triggers(in_process(handler))  # Cognito's 5 seconds
    triggers.call(POOL, pre_authentication())
    triggers.call(POOL, pre_authentication())
    (first, remaining), (second, _) = contexts
    assert (first.function_name, first.invoked_function_arn) == ("gatekeeper", GATEKEEPER)
    assert 3_000 < remaining <= 5_000  # Cognito's 5 s, less the moments before it ran
    assert first.aws_request_id != second.aws_request_id


def raises(event: JSONDict, context: LambdaContext) -> object:
    raise ValueError("Cannot authenticate users from this user pool app client")


@pytest.mark.parametrize(
    ("handler", "error", "message"),
    [
        (
            raises,
            UserLambdaValidationException,
            "PreAuthentication failed with error "
            "Cannot authenticate users from this user pool app client.",
        ),
        (
            lambda event, context: {**event, "response": {"seen": {"a", "set"}}},
            UserLambdaValidationException,
            "PreAuthentication failed with error "
            "Unable to marshal response: Object of type set is not JSON serializable.",
        ),
        (
            lambda event, context: None,
            InvalidLambdaResponseException,
            "Invalid lambda function output : Invalid JSON",
        ),
        (
            lambda event, context: "done",
            InvalidLambdaResponseException,
            "Invalid lambda function output : Invalid JSON",
        ),
        (
            lambda event, context: {"version": "1"},
            InvalidLambdaResponseException,
            "Unrecognizable lambda output",
        ),
        (
            lambda event, context: {**event, "response": None},
            InvalidLambdaResponseException,
            "Unrecognizable lambda output",
        ),
    ],
)
def test_a_failing_function_gives_cognitos_error(
    handler: Any, error: type[CognitoError], message: str
) -> None:
    with pytest.raises(error) as raised:
        Triggers(in_process(handler)).call(POOL, pre_authentication())
    assert (raised.value.type_name, raised.value.message, raised.value.status) == (
        error.__name__,
        message,
        400,
    )


def test_a_runaway_handler_times_out_and_runs_on_alone() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def runaway(event: JSONDict, context: LambdaContext) -> JSONDict:
        started.set()
        release.wait(30)
        event["response"]["late"] = True
        finished.set()
        return event

    event = pre_authentication()
    with pytest.raises(UnexpectedLambdaException) as raised:
        Triggers(in_process(runaway), timeout=0.2).call(POOL, event)
    assert raised.value.message == (
        "PreAuthentication invocation failed due to error "
        "Socket timeout while invoking Lambda function."
    )
    assert started.wait(10) and not finished.is_set()  # the call did not wait for it
    release.set()
    assert finished.wait(10)
    assert event.response == {}  # what it did late reached nothing of the caller's


def test_a_failure_is_logged_without_the_event(caplog: pytest.LogCaptureFixture) -> None:
    event = trigger_event(
        TriggerSource.USER_MIGRATION_AUTHENTICATION,
        pool_id=POOL_ID,
        user_name="carol",
        client_id="c",
        request={"password": "Sup3r-secret!", "validationData": {}},
    )
    with (
        caplog.at_level(logging.WARNING, "userpool.triggers"),
        pytest.raises(UserLambdaValidationException, match=r"^UserMigration failed with"),
    ):
        Triggers(in_process(raises)).call(POOL, event)
    assert "UserMigration_Authentication trigger " + GATEKEEPER in caplog.text
    assert "carol" in caplog.text and POOL_ID in caplog.text
    assert "Sup3r-secret!" not in caplog.text
