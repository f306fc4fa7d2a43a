"""`/_userpool/clock`: the server's controllable clock (storage/dev_clock.py), for tests.
Mounted only with `--dev-endpoints`; without, the routes do not exist and the clock is the
real one.

    GET    /_userpool/clock                    -> {"now": EPOCH_SECONDS, "offset": SECONDS}
    POST   /_userpool/clock  {"advance": S}    the clock moves S seconds (>= 0) on
    POST   /_userpool/clock  {"set": EPOCH}    it is EPOCH now (earlier than the real time too)
    DELETE /_userpool/clock                    back to the real time (offset 0)

Each answers as GET does; a bad body gets 400 and `{"__type", "message"}`, and changes nothing.
`Held` reads the offset once as each request arrives (the module notes of storage/dev_clock.py
say why): an advance answered by one worker holds for the next request on any worker.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.domain.errors import (
    CognitoError,
    InternalErrorException,
    InvalidParameterException,
    SerializationException,
)
from userpool.storage.dev_clock import DevClock, OutOfRange

log = logging.getLogger("userpool.dev_clock")

PATH = "/_userpool/clock"
CHANGES = ("advance", "set")


class Held:
    """ASGI middleware: every request is served with the offset stored as it arrived."""

    def __init__(self, app: ASGIApp, clock: DevClock, inline: bool) -> None:
        self._app = app
        self._clock = clock
        self._inline = inline  # a local database's read, not worth a thread hop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        read = self._clock.read
        offset = read() if self._inline else await run_in_threadpool(read)
        with self._clock.holding(offset):
            await self._app(scope, receive, send)


def clock_routes(clock: DevClock) -> list[Route]:
    async def show(_: Request) -> Response:
        return await _answered(clock.offset)  # as read on arrival, by `Held`

    async def change(request: Request) -> Response:
        try:
            name, value = _change(await request.body())
        except CognitoError as error:
            return _error(error)
        return await _answered(clock.advance if name == "advance" else clock.set, value)

    async def reset(_: Request) -> Response:
        return await _answered(clock.reset)

    return [
        Route(PATH, show, methods=["GET"]),
        Route(PATH, change, methods=["POST"]),
        Route(PATH, reset, methods=["DELETE"]),
    ]


async def _answered(step: Callable[..., float], *args: float) -> Response:
    """`step`'s offset (it runs in a thread: it reads or writes the database) as the answer."""
    try:
        offset = await run_in_threadpool(step, *args)
    except OutOfRange as error:
        return _error(InvalidParameterException(f"{error}."))
    except Exception:
        log.exception("the dev clock failed")
        return _error(InternalErrorException())
    body = {"now": time.time() + offset, "offset": offset}
    return Response(orjson.dumps(body), media_type="application/json")


def _change(body: bytes) -> tuple[str, float]:
    """The one change a POST asks for: ("advance", seconds) or ("set", epoch seconds)."""
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SerializationException("The request body is not JSON.") from error
    if not isinstance(params, dict) or len(params) != 1 or next(iter(params)) not in CHANGES:
        raise InvalidParameterException(
            'The request body must be {"advance": SECONDS} or {"set": EPOCH_SECONDS}.'
        )
    name, value = next(iter(params.items()))
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value):
        raise InvalidParameterException(f"{name} must be a number of seconds.")
    if name == "advance" and value < 0:
        raise InvalidParameterException(
            "advance must not be negative: to go back, set the time or reset the clock."
        )
    return name, float(value)


def _error(error: CognitoError) -> Response:
    payload = {"__type": error.type_name}
    if error.message:
        payload["message"] = error.message
    headers = {"x-amzn-ErrorType": error.type_name}
    return Response(
        orjson.dumps(payload), error.status, headers, media_type="application/x-amz-json-1.1"
    )
