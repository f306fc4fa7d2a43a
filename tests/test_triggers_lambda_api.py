"""Functions behind the AWS Lambda Invoke API (`--lambda-endpoint-url`, or AWS itself), called
through botocore's real `lambda` client against FakeLambda, a stand-in started here: what is
sent where, how each answer and each failure reaches the caller as Cognito reports it, and which
failures are tried again (throttling and lost connections, up to 3 attempts; never a 5xx, as the
Cognito Developer Guide says)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.trigger_support import (
    GATEKEEPER,
    POOL,
    Reply,
    fake_lambda,
    function_error,
    invoke_error,
    pre_authentication,
    returned,
)
from userpool.domain.errors import (
    CognitoError,
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from userpool.triggers import (
    INVALID_JSON,
    UNRECOGNIZABLE,
    FunctionTimedOut,
    FunctionUnreachable,
    Triggers,
)
from userpool.triggers.lambda_api import LambdaInvoker, region_of

SERVER_REGION = "us-east-1"


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nowhere for botocore to find credentials: not the environment, files or a role."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_credentials(no_aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")


def call(url: str, timeout: float = 5.0) -> object:
    """PreAuthentication for alice through the endpoint at `url`."""
    triggers = Triggers(LambdaInvoker(url, SERVER_REGION), timeout=timeout)
    return triggers.call(POOL, pre_authentication())


def failure(url: str, timeout: float = 5.0) -> CognitoError:
    with pytest.raises(CognitoError) as raised:
        call(url, timeout=timeout)
    return raised.value


@pytest.mark.usefixtures("aws_credentials")
def test_the_function_gets_the_event_and_its_response_comes_back() -> None:
    event = pre_authentication()
    answer = {**event.wire(), "response": {"seen": True}}
    with fake_lambda([returned(answer)]) as fake:
        assert call(fake.url) == {"seen": True}
    [invocation] = fake.invocations
    assert json.loads(invocation.body) == event.wire()
    # The function's name, as emulators know it; the region of its ARN, not the server's.
    assert (invocation.function, invocation.region) == ("gatekeeper", "eu-west-1")
    assert invocation.access_key == "AKIDTEST"


def test_a_local_endpoint_needs_no_credentials(no_aws_credentials: None) -> None:
    with fake_lambda() as fake:
        assert call(fake.url) == {}
    assert fake.invocations[0].access_key == "userpool"


@pytest.mark.usefixtures("aws_credentials")
def test_a_function_named_without_a_region_is_called_in_the_servers() -> None:
    with fake_lambda() as fake:
        LambdaInvoker(fake.url, "ap-south-1").invoke("gatekeeper", {"response": {}}, timeout=5)
    [invocation] = fake.invocations
    assert (invocation.function, invocation.region) == ("gatekeeper", "ap-south-1")


@pytest.mark.usefixtures("aws_credentials")
def test_a_function_error_is_the_functions_message() -> None:
    with fake_lambda([function_error("no entry for alice")]) as fake:
        error = failure(fake.url)
    assert isinstance(error, UserLambdaValidationException)
    assert error.message == "PreAuthentication failed with error no entry for alice."
    assert len(fake.invocations) == 1  # the function ran: never again


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ((200, {}, b"<html>not json</html>"), INVALID_JSON),
        ((200, {}, b"null"), INVALID_JSON),  # what Lambda returns for a function returning nothing
        (returned({"version": "1"}), UNRECOGNIZABLE),
    ],
    ids=["not JSON", "null", "no response"],
)
@pytest.mark.usefixtures("aws_credentials")
def test_a_payload_cognito_cannot_read(reply: Reply, message: str) -> None:
    with fake_lambda([reply]) as fake:
        error = failure(fake.url)
    assert isinstance(error, InvalidLambdaResponseException)
    assert error.message == message


@pytest.mark.usefixtures("aws_credentials")
def test_a_throttled_call_is_tried_again() -> None:
    with fake_lambda([invoke_error(429, "TooManyRequestsException", "Rate exceeded")]) as fake:
        assert call(fake.url) == {}
    assert len(fake.invocations) == 2


@pytest.mark.usefixtures("aws_credentials")
def test_three_attempts_in_all() -> None:
    throttled = invoke_error(429, "TooManyRequestsException", "Rate exceeded")
    with fake_lambda([throttled] * 4) as fake:
        error = failure(fake.url)
    assert len(fake.invocations) == 3
    assert isinstance(error, UnexpectedLambdaException)
    assert error.message == (
        "PreAuthentication invocation failed due to error TooManyRequestsException."
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (invoke_error(500, "ServiceException", "Lambda failed"), "ServiceException"),
        ((500, {}, b"Internal Server Error"), "ServiceException"),
        (invoke_error(502, "EC2ThrottledException"), "EC2ThrottledException"),
        (invoke_error(404, "ResourceNotFoundException", "Not found"), "ResourceNotFoundException"),
        (invoke_error(403, "AccessDeniedException"), "AccessDeniedException"),
    ],
    ids=["500", "bare 500", "502", "unknown function", "no permission"],
)
@pytest.mark.usefixtures("aws_credentials")
def test_lambda_refusing_the_call_is_not_tried_again(reply: Reply, reason: str) -> None:
    with fake_lambda([reply]) as fake:
        error = failure(fake.url)
    assert len(fake.invocations) == 1
    assert isinstance(error, UnexpectedLambdaException)
    assert error.message == f"PreAuthentication invocation failed due to error {reason}."


@pytest.mark.usefixtures("aws_credentials")
def test_an_unreachable_endpoint() -> None:
    invoker = LambdaInvoker(f"http://127.0.0.1:{free_port()}", SERVER_REGION)
    with pytest.raises(FunctionUnreachable) as raised:
        invoker.invoke(GATEKEEPER, pre_authentication().wire(), timeout=5)
    assert raised.value.reason == "EndpointConnectionError"


@pytest.mark.usefixtures("aws_credentials")
def test_a_function_slower_than_the_timeout() -> None:
    with fake_lambda([3.0]) as fake, pytest.raises(FunctionTimedOut):
        LambdaInvoker(fake.url, SERVER_REGION).invoke(GATEKEEPER, {}, timeout=0.5)
    assert len(fake.invocations) == 1  # a timed-out call is not tried again


def test_aws_lambda_without_credentials_finds_no_function(no_aws_credentials: None) -> None:
    with pytest.raises(FunctionUnreachable) as raised:
        LambdaInvoker(None, SERVER_REGION).invoke(GATEKEEPER, {}, timeout=5)
    assert raised.value.reason == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("function", "region"),
    [
        ("arn:aws:lambda:eu-west-1:123456789012:function:gatekeeper", "eu-west-1"),
        ("arn:aws:lambda:us-west-2:123456789012:function:gatekeeper:prod", "us-west-2"),
        ("123456789012:function:gatekeeper", None),
        ("gatekeeper", None),
    ],
)
def test_region_of(function: str, region: str | None) -> None:
    assert region_of(function) == region
