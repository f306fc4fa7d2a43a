"""A recording `Invoker` for tests of code that calls triggers: it keeps every (function,
event) it is given and answers from a table, so a test can assert which triggers ran, with
which events, and drive what they answer. It stands in for the port itself (`Invoker`), not
for any trigger function: what it answers still goes through `Triggers`' checks.
Also a pool and an event that the triggers tests share, and `FakeLambda`, a stand-in for the
AWS Lambda Invoke API."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.codes_support import OUTBOX_FLAGS
from tests.conftest import Server, server_on
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


# --- a stand-in for the AWS Lambda Invoke API (a third party: SAM local, LocalStack, AWS) -----

INVOCATIONS = "/2015-03-31/functions/"
# What FakeLambda answers a call with: (status, headers, body).
Reply = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Invocation:
    function: str  # the {name} of POST /2015-03-31/functions/{name}/invocations
    region: str  # of the SigV4 credential scope
    access_key: str
    body: bytes


def returned(output: object) -> Reply:
    """The function ran and returned `output`."""
    return 200, {"X-Amz-Executed-Version": "$LATEST"}, json.dumps(output).encode()


def function_error(message: str, error_type: str = "Error") -> Reply:
    """The function ran and failed: 200, X-Amz-Function-Error, Lambda's error payload."""
    body = {"errorType": error_type, "errorMessage": message, "trace": []}
    return 200, {"X-Amz-Function-Error": "Unhandled"}, json.dumps(body).encode()


def invoke_error(status: int, error_type: str, message: str = "") -> Reply:
    """Lambda refused the call (unknown function, throttled, its own failure)."""
    body = {"Type": "User" if status < 500 else "Service", "message": message}
    return status, {"x-amzn-ErrorType": error_type}, json.dumps(body).encode()


class FakeLambda(ThreadingHTTPServer):
    """Serves the Invoke API on 127.0.0.1 and records each call. Answers with `replies` in turn;
    once they run out, with the event it was sent (a function that changes nothing). A reply
    may instead be a number of seconds to wait before that (a function that is slow)."""

    daemon_threads = True

    def __init__(self, replies: list[Reply | float] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _InvokeHandler)
        self.replies = list(replies or [])
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_reply(self, body: bytes) -> Reply:
        with self._lock:
            reply = self.replies.pop(0) if self.replies else None
        if isinstance(reply, float):
            time.sleep(reply)
            reply = None
        return reply or (200, {}, body)


@contextmanager
def fake_lambda(replies: list[Reply | float] | None = None) -> Iterator[FakeLambda]:
    server = FakeLambda(replies)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _InvokeHandler(BaseHTTPRequestHandler):
    server: FakeLambda

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        if not (path.startswith(INVOCATIONS) and path.endswith("/invocations")):
            self._reply(invoke_error(404, "UnknownOperationException"))
            return
        name = unquote(path[len(INVOCATIONS) : -len("/invocations")])
        scope = self.headers.get("Authorization", "").partition("Credential=")[2].split("/")
        region, key = (scope[2], scope[0]) if len(scope) > 2 else ("", "")
        self.server.invocations.append(Invocation(name, region, key, body))
        self._reply(self.server.next_reply(body))

    def _reply(self, reply: Reply) -> None:
        status, headers, body = reply
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def trigger_server(
    backend: str, data_dir: Path, handlers: Path, record: tuple[str, Path], *args: str
) -> Iterator[Server]:
    """`userpool serve` on `backend` with the outbox, `--triggers handlers/triggers.json` and
    `args` (`--lambda-endpoint-url`, ...). `record`: the variable naming the file the handlers
    append the events they receive to, and that file. Made-up AWS credentials, so that the
    Invoke API is signed without looking for real ones."""
    variable, path = record
    env = {
        variable: str(path),
        "AWS_ACCESS_KEY_ID": "AKIDTRIGGERS",
        "AWS_SECRET_ACCESS_KEY": "triggers-secret",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    flags = [*OUTBOX_FLAGS, "--triggers", str(handlers / "triggers.json"), *args]
    with server_on(backend, data_dir, *flags, env=env) as running:
        yield running
