"""Handlers on this machine (`--triggers`), each run in a real `node` or `python` worker process:
the four kinds of handler get the event and Lambda's context and answer; their console output
reaches the log tagged with the call without breaking the protocol; a throw is the function's
error; a worker that exits or hangs is killed and the next call gets a fresh one; an edited
file applies at the next call; concurrent calls each get their own answer; and no worker
outlives the invoker, or the process that started it.

The handlers are tests/triggers/*: what a test wants of one comes in the event's
request.clientMetadata.mode."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from userpool.domain.errors import UnexpectedLambdaException, UserLambdaValidationException
from userpool.triggers import FunctionTimedOut, FunctionUnreachable, Triggers
from userpool.triggers.events import JSONDict, TriggerEvent, trigger_event
from userpool.triggers.local import LocalInvoker
from userpool.triggers.sources import TriggerSource
from userpool.triggers.triggers_file import read_triggers_file

HANDLERS = Path(__file__).parent / "triggers"
POOL_ID = "eu-west-1_LocalTrig"
NODE, PYTHON = "esm", "pyfile"  # the runtimes' handlers that can do everything


def arn(name: str) -> str:
    return f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"


def pool(name: str, trigger: str = "PreAuthentication") -> JSONDict:
    return {"LambdaConfig": {trigger: arn(name)}}


def signing_in(mode: str | None = None, user: str = "alice") -> TriggerEvent:
    """A PreAuthentication event; `mode` tells the test handler what to do."""
    metadata = {"mode": mode} if mode else {}
    return trigger_event(
        TriggerSource.PRE_AUTHENTICATION,
        pool_id=POOL_ID,
        user_name=user,
        client_id="5og3ldap1shskk164029tg9a8s",
        request={"userAttributes": {"email": f"{user}@example.com"}, "clientMetadata": metadata},
    )


@pytest.fixture
def invoker() -> Iterator[LocalInvoker]:
    """The handlers of tests/triggers/triggers.json, in workers that end with the test."""
    local = LocalInvoker(read_triggers_file(HANDLERS / "triggers.json"))
    yield local
    local.close()


def answer(invoker: LocalInvoker, name: str, mode: str | None = None, timeout: float = 5) -> Any:
    return Triggers(invoker, timeout=timeout).call(pool(name), signing_in(mode))


def gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie nobody reaped has too)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def eventually(condition: Any, what: str) -> None:
    """Wait for `condition()`: for a process to end, a log line to be read."""
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("name", "runtime"),
    [(NODE, "node esm"), ("callback", "node commonjs"), (PYTHON, "python file")],
)
def test_each_runtime_gets_the_event_and_context_and_answers(
    invoker: LocalInvoker, name: str, runtime: str
) -> None:
    response = answer(invoker, name)
    assert response["runtime"] == runtime
    assert response["user"] == "alice"
    assert response["functionName"] == name  # as Lambda names it: the ARN's function name
    assert len(response["awsRequestId"]) == 36  # a fresh UUID for each call
    assert 0 < response["remainingMillis"] <= 5000
    assert response["pid"] != os.getpid()


def test_the_context_names_the_function_as_the_pool_does(invoker: LocalInvoker) -> None:
    for name in (NODE, PYTHON):
        assert answer(invoker, name)["invokedFunctionArn"] == arn(name)


def test_a_python_module_function(invoker: LocalInvoker) -> None:
    event = trigger_event(
        TriggerSource.VERIFY_AUTH_CHALLENGE_RESPONSE,
        pool_id=POOL_ID,
        user_name="alice",
        client_id="5og3ldap1shskk164029tg9a8s",
        request={"userAttributes": {}, "privateChallengeParameters": {}, "challengeAnswer": "42"},
    )
    response = Triggers(invoker).call(pool("pymodule", "VerifyAuthChallengeResponse"), event)
    assert response is not None
    assert response["answerCorrect"] is True
    assert (response["runtime"], response["module"]) == ("python module", "trigger_pkg.checks")


@pytest.mark.parametrize(
    ("name", "message"),
    [(NODE, "no entry for alice"), ("callback", "refused alice"), (PYTHON, "no entry for alice")],
)
def test_a_throw_is_the_functions_error(invoker: LocalInvoker, name: str, message: str) -> None:
    first = answer(invoker, name)["pid"]
    with pytest.raises(UserLambdaValidationException) as raised:
        answer(invoker, name, "throw")
    assert raised.value.message == f"PreAuthentication failed with error {message}."
    assert answer(invoker, name)["pid"] == first  # the worker lives on


def test_an_error_nothing_catches_ends_the_call_and_the_worker(invoker: LocalInvoker) -> None:
    first = answer(invoker, NODE)["pid"]
    with pytest.raises(UserLambdaValidationException) as raised:
        answer(invoker, NODE, "throw later")
    assert raised.value.message == "PreAuthentication failed with error thrown later."
    eventually(lambda: gone(first), "the worker to exit")
    assert answer(invoker, NODE)["pid"] != first


@pytest.mark.parametrize("name", [NODE, PYTHON])
def test_console_output_is_logged_with_the_call(
    invoker: LocalInvoker, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "userpool.triggers.console")
    response = answer(invoker, name, "log")
    assert response["user"] == "alice"  # the protocol survived it all
    tag = f"[{name} {response['awsRequestId']}]"
    expected = {
        f"{tag} hello from {name}",
        f"{tag} a warning on stderr",
        f"{tag} a line without its end",
        f"{tag} straight to fd 1",  # read apart from the replies, so it may come a little later
    }
    eventually(lambda: expected <= {r.getMessage() for r in caplog.records}, "the log lines")


@pytest.mark.parametrize("name", [NODE, PYTHON])
def test_a_worker_that_exits_is_replaced(invoker: LocalInvoker, name: str) -> None:
    first = answer(invoker, name)["pid"]
    with pytest.raises(UnexpectedLambdaException) as raised:
        answer(invoker, name, "exit")
    assert raised.value.message == (
        "PreAuthentication invocation failed due to error Runtime.ExitError."
    )
    assert gone(first)
    assert answer(invoker, name)["pid"] != first


@pytest.mark.parametrize("name", [NODE, PYTHON])
def test_a_worker_that_hangs_is_killed_at_the_deadline(invoker: LocalInvoker, name: str) -> None:
    first = answer(invoker, name)["pid"]
    with pytest.raises(FunctionTimedOut):
        invoker.invoke(arn(name), signing_in("hang").wire(), timeout=1)
    assert gone(first)
    assert answer(invoker, name)["pid"] != first


@pytest.mark.parametrize(
    ("file", "source"),
    [
        ("edited.mjs", "export const handler = async (event) => ({...event, response: {v: %d}});"),
        (
            "edited.py",
            "def handler(event, context):\n    return {**event, 'response': {'v': %d}}\n",
        ),
    ],
    ids=["node", "python"],
)
def test_an_edited_file_applies_at_the_next_call(tmp_path: Path, file: str, source: str) -> None:
    handler = tmp_path / file
    handler.write_text(source % 1)
    runtime = "node" if file.endswith(".mjs") else "python"
    (tmp_path / "triggers.json").write_text(f'{{"edited": "{runtime}:./{file}"}}')
    local = LocalInvoker(read_triggers_file(tmp_path / "triggers.json"))
    try:
        assert answer(local, "edited") == {"v": 1}
        handler.write_text(source % 22)
        stat = handler.stat()  # a later mtime, should the edit fall in the same clock tick
        os.utime(handler, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert answer(local, "edited") == {"v": 22}
    finally:
        local.close()


def test_concurrent_calls_each_get_their_own_answer(invoker: LocalInvoker) -> None:
    def one(user: str) -> tuple[str, int]:
        response = Triggers(invoker).call(pool(NODE), signing_in("slow", user))
        assert response is not None
        return response["user"], response["pid"]

    users = [f"user{n}" for n in range(10)]
    with ThreadPoolExecutor(len(users)) as threads:
        answers = list(threads.map(one, users))
    assert [user for user, _ in answers] == users
    assert 1 < len({pid for _, pid in answers}) <= 4  # a small pool of workers took them


def test_a_pool_of_one_serves_concurrent_calls_in_turn() -> None:
    local = LocalInvoker(read_triggers_file(HANDLERS / "triggers.json"), pool_size=1)
    try:
        with ThreadPoolExecutor(4) as threads:
            answers = list(threads.map(lambda _: answer(local, PYTHON, "slow"), range(4)))
    finally:
        local.close()
    assert len({response["pid"] for response in answers}) == 1
    assert len({response["awsRequestId"] for response in answers}) == 4


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("node:esm_handler.mjs#missing", "esm_handler.mjs.missing is undefined or not exported"),
        ("python:py_handler.py#missing", "Handler 'missing' missing on module 'py_handler'"),
    ],
)
def test_a_handler_the_file_does_not_export(tmp_path: Path, handler: str, message: str) -> None:
    runtime, _, file = handler.partition(":")
    mapping = {"gatekeeper": f"{runtime}:{HANDLERS / file}"}  # an absolute path does too
    (tmp_path / "triggers.json").write_text(json.dumps(mapping))
    local = LocalInvoker(read_triggers_file(tmp_path / "triggers.json"))
    try:
        with pytest.raises(UserLambdaValidationException) as raised:
            answer(local, "gatekeeper")
    finally:
        local.close()
    assert raised.value.message == f"PreAuthentication failed with error {message}."


def test_close_stops_every_worker(invoker: LocalInvoker) -> None:
    pids = [answer(invoker, name)["pid"] for name in (NODE, "callback", PYTHON, "pymodule")]
    invoker.close()
    assert all(gone(pid) for pid in pids)
    with pytest.raises(FunctionUnreachable):
        invoker.invoke(arn(NODE), signing_in().wire(), timeout=5)


def test_workers_end_when_the_process_that_started_them_dies() -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from userpool.triggers.local import LocalInvoker
        from userpool.triggers.triggers_file import read_triggers_file
        local = LocalInvoker(read_triggers_file(Path({str(HANDLERS / "triggers.json")!r})))
        event = {{"userName": "alice", "request": {{}}, "response": {{}}}}
        for name in ("esm", "pyfile"):
            print(local.invoke(name, event, timeout=5)["response"]["pid"], flush=True)
        os._exit(0)  # no clean-up of any kind
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    pids = [int(line) for line in result.stdout.split()]
    assert len(pids) == 2
    eventually(lambda: all(gone(pid) for pid in pids), "the orphaned workers to exit")
