"""A cap on the size of request bodies, so that no request can make the server hold an
unbounded body in memory (Starlette reads a body whole: `Request.body()`, `Request.form()`).

A body declared longer than the cap (`Content-Length`) is refused before any of it is read; a
body sent without a length (chunked) is read up to the cap and refused once it passes it. The
AWS JSON endpoint answers in its own envelope: 413 with `SerializationException`, the AWS JSON
protocol's name for a body the service does not deserialize, and the CORS headers its other
answers carry (http/cors.py), so that a page sees the error rather than a CORS failure.

The cap: the largest value an operation takes is a 131,072-character string (botocore's
StringType, CSSType), which botocore's JSON escapes to at most 786,432 bytes (`\\uXXXX` for
each non-ASCII character); 1 MiB holds it with room for the rest of the request.

A body must also arrive whole within `BODY_SECONDS`: a client that declares a length and then
stalls (or trickles) would otherwise hold its connection, and a worker's memory for it, for
ever. Past it the server answers 408 and closes the connection, as nginx does
(`client_body_timeout`).
"""

from __future__ import annotations

import asyncio
import uuid

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from userpool.http.cors import ALLOW_ORIGIN, EXPOSE_HEADERS
from userpool.protocol.dispatch import CONTENT_TYPE

MAX_BODY_BYTES = 1024 * 1024
STATUS = 413
AWS_JSON_PATH = "/"
ERROR_TYPE = "SerializationException"
BODY_SECONDS = 30.0
TIMEOUT_STATUS = 408
TIMEOUT_ERROR_TYPE = "RequestTimeoutException"


class BodyLimit:
    """ASGI middleware: reads each request's body, up to `limit` bytes, before the app runs."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY_BYTES,
        seconds: float = BODY_SECONDS,
        streamed: tuple[str, ...] = (),
    ) -> None:
        """`streamed`: path prefixes whose routes read (and cap) their bodies themselves, as
        they come: the import jobs' file uploads (http/import_uploads.py)."""
        self.app = app
        self.limit = limit
        self.seconds = seconds
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.streamed):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, send)
            return
        try:
            async with asyncio.timeout(self.seconds):
                body = await self._read(receive)
        except TimeoutError:
            message = f"Request body not received within {self.seconds:g} seconds."
            await _answer(scope, send, TIMEOUT_STATUS, TIMEOUT_ERROR_TYPE, message)
            return
        if body is None:  # the client went away: nobody to answer
            return
        if len(body) > self.limit:
            await self._too_large(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = f"Request body too large: this server reads at most {self.limit} bytes."
        await _answer(scope, send, STATUS, ERROR_TYPE, message)

    async def _read(self, receive: Receive) -> bytes | None:
        """The body; past the limit, what was read of it (one byte over will do); None if the
        client went away."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.limit or not message.get("more_body", False):
                return b"".join(chunks)


async def _answer(scope: Scope, send: Send, status: int, error_type: str, message: str) -> None:
    """An error in the envelope of the endpoint asked: AWS JSON, else OAuth's."""
    if scope["path"] == AWS_JSON_PATH:
        body = orjson.dumps({"__type": error_type, "message": message})
        headers = {
            "content-type": CONTENT_TYPE,
            "x-amzn-requestid": str(uuid.uuid4()),
            "x-amzn-errortype": error_type,
            "access-control-allow-origin": ALLOW_ORIGIN,
            "access-control-expose-headers": EXPOSE_HEADERS,
        }
    else:
        body = orjson.dumps({"error": "invalid_request", "error_description": message})
        headers = {"content-type": "application/json"}
    headers["content-length"] = str(len(body))
    # The rest of an unread body stays unread: the connection is not reused.
    headers["connection"] = "close"
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
