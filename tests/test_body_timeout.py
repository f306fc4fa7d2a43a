"""A body that stalls after its first bytes is answered 408 once its time is up, and the
operation never runs (http/body_limit.py); the server's own limit is 30 s, too long to wait
for here, so the middleware runs with a short one."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from userpool.http.body_limit import BodyLimit


def run(path: str, seconds: float) -> tuple[list[dict[str, Any]], list[bytes]]:
    sent: list[dict[str, Any]] = []
    reached: list[bytes] = []
    first = True

    async def stalling() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"Use', "more_body": True}
        await asyncio.sleep(3600)  # the client never sends the rest
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def app(_scope: Any, receive: Any, _send: Any) -> None:
        reached.append((await receive())["body"])

    scope = {"type": "http", "path": path, "headers": [(b"content-length", b"100")]}
    asyncio.run(asyncio.wait_for(BodyLimit(app, seconds=seconds)(scope, stalling, send), 5))
    return sent, reached


def test_a_stalled_aws_json_body_is_refused_in_aws_form_and_nothing_runs() -> None:
    sent, reached = run("/", 0.2)
    assert reached == []
    start, body = sent
    assert start["status"] == 408
    headers = dict(start["headers"])
    assert headers[b"x-amzn-errortype"] == b"RequestTimeoutException"
    assert headers[b"connection"] == b"close"
    assert orjson.loads(body["body"]) == {
        "__type": "RequestTimeoutException",
        "message": "Request body not received within 0.2 seconds.",
    }


def test_a_stalled_form_body_is_refused_in_oauth_form() -> None:
    sent, reached = run("/oauth2/token", 0.2)
    assert reached == []
    assert sent[0]["status"] == 408
    assert orjson.loads(sent[1]["body"])["error"] == "invalid_request"
