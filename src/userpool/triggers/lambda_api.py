"""Functions called through the AWS Lambda Invoke API (`POST /2015-03-31/functions/{name}/
invocations`), with botocore's `lambda` client: real AWS Lambda, or any endpoint that serves the
same API (`--lambda-endpoint-url`: SAM local start-lambda, LocalStack, serverless-offline).

Region: the ARN's, else the server's. Credentials: botocore's usual chain (environment, shared
files, a role); for an endpoint URL, made-up ones when the chain finds none, since local
emulators take any signature. Real Lambda with no credentials at all cannot find any function.
An endpoint URL is sent the function's name (what those emulators know functions by); real
Lambda the ARN as the pool gives it, so another account's function is called there.

Cognito's rules for a function's answer ("Customizing user pool workflows with Lambda
triggers", Things to know about Lambda triggers, Amazon Cognito Developer Guide):
- it waits 5 seconds for the function; a call "that can be retried" may be retried, and it
  "doesn't retry function calls that return an Invoke error with an HTTP status code of
  500-599". Retried here, then: throttling (429) and a connection that failed or dropped, up to
  3 attempts in all, all within the one 5-second deadline; not a 5xx, nor a timeout.
- HTTP 200 with `X-Amz-Function-Error` is the function's own failure: FunctionRaised with its
  `errorMessage`. Any other refusal (unknown function, no permission, 5xx) is
  FunctionUnreachable named by Lambda's error code; a payload that is not JSON, InvalidResponse.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import botocore.session
import orjson
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from userpool.triggers import (
    INVALID_JSON,
    TIMEOUT_SECONDS,
    FunctionRaised,
    FunctionTimedOut,
    FunctionUnreachable,
    InvalidResponse,
)
from userpool.triggers.config import function_name
from userpool.triggers.events import JSONDict

ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.1  # before the 2nd attempt; twice that before the 3rd
THROTTLING = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})
NOT_FOUND = "ResourceNotFoundException"
LOCAL_CREDENTIALS = ("userpool", "userpool")  # any signature does for a local emulator
# botocore retries nothing itself (the rule above is Cognito's, not the SDK's), and its socket
# timeouts only bound how long an abandoned attempt can linger: the deadline is kept here.
CLIENT_CONFIG = Config(
    connect_timeout=TIMEOUT_SECONDS,
    read_timeout=TIMEOUT_SECONDS,
    retries={"total_max_attempts": 1},
)
log = logging.getLogger("userpool.triggers")


@dataclass(frozen=True)
class _Answer:
    function_error: str | None
    payload: bytes


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LambdaInvoker:
    def __init__(self, endpoint_url: str | None, default_region: str) -> None:
        self._endpoint_url = endpoint_url
        self._default_region = default_region
        self._session: Any = None  # made on first use, with the credentials found then
        self._no_credentials = False
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        # Each attempt runs here so that the caller can stop waiting at the deadline; an idle
        # pool's threads end with the process.
        self._attempts = ThreadPoolExecutor(max_workers=16, thread_name_prefix="lambda invoke")

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        client = self._client(region_of(function) or self._default_region)
        deadline = time.monotonic() + timeout  # from here: making the first client is ours
        name = function_name(function) if self._endpoint_url else function
        payload = orjson.dumps(event)
        attempts = 1
        while True:
            try:
                future = self._attempts.submit(_attempt, client, name, payload)
                return _output(_result(future, deadline))
            except _Retryable as error:
                pause = RETRY_PAUSE_SECONDS * attempts
                if attempts == ATTEMPTS or time.monotonic() + pause >= deadline:
                    raise FunctionUnreachable(error.reason) from None
                attempts += 1
                time.sleep(pause)

    def _client(self, region: str) -> Any:
        with self._lock:
            if self._session is None:
                self._session = self._new_session()
            if self._no_credentials:
                raise FunctionUnreachable(NOT_FOUND)
            client = self._clients.get(region)
            if client is None:
                client = self._session.create_client(
                    "lambda",
                    region_name=region,
                    endpoint_url=self._endpoint_url,
                    config=CLIENT_CONFIG,
                )
                self._clients[region] = client
            return client

    def _new_session(self) -> Any:
        session = botocore.session.get_session()
        if session.get_credentials() is None:
            if self._endpoint_url is not None:
                session.set_credentials(*LOCAL_CREDENTIALS)
            else:
                self._no_credentials = True
                log.warning(
                    "no AWS credentials: triggers not in --triggers cannot reach AWS Lambda "
                    "(set AWS credentials, or give --triggers or --lambda-endpoint-url)"
                )
        return session


def region_of(function: str) -> str | None:
    """The region in a function's ARN (`arn:aws:lambda:<region>:...`), if it has one."""
    parts = function.split(":")
    if parts[0] == "arn" and len(parts) > 3 and parts[3]:
        return parts[3]
    return None


def _attempt(client: Any, name: str, payload: bytes) -> _Answer:
    try:
        response = client.invoke(
            FunctionName=name, InvocationType="RequestResponse", Payload=payload
        )
        return _Answer(response.get("FunctionError"), response["Payload"].read())
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code") or "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if status == 429 or code in THROTTLING:
            raise _Retryable(code or "TooManyRequestsException") from None
        if status >= 500 and not code[:1].isalpha():  # a bare 5xx, no error named
            code = "ServiceException"
        raise FunctionUnreachable(code or "ServiceException") from None
    except ReadTimeoutError:
        raise FunctionTimedOut() from None
    except (BotoConnectionError, ConnectionClosedError) as error:
        raise _Retryable(type(error).__name__) from None
    except BotoCoreError as error:  # a malformed answer, a bad parameter: never worth retrying
        raise FunctionUnreachable(type(error).__name__) from None


def _result(future: Future[_Answer], deadline: float) -> _Answer:
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        future.cancel()  # if it has not started; else it ends by itself at the socket timeout
        raise FunctionTimedOut() from None


def _output(answer: _Answer) -> object:
    if answer.function_error:
        raise FunctionRaised(_error_message(answer.payload))
    try:
        return orjson.loads(answer.payload)
    except orjson.JSONDecodeError:
        raise InvalidResponse(INVALID_JSON) from None


def _error_message(payload: bytes) -> str:
    """The `errorMessage` of a function error's payload (`{errorMessage, errorType}`)."""
    try:
        error = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode(errors="replace")
    if isinstance(error, dict) and isinstance(error.get("errorMessage"), str):
        return str(error["errorMessage"])
    return payload.decode(errors="replace")
