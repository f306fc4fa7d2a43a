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
"""

from __future__ import annotations

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


class BodyLimit:
    """ASGI middleware: reads each request's body, up to `limit` bytes, before the app runs."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"Request body too large: this server reads at most {self.limit} bytes."
        if scope["path"] == AWS_JSON_PATH:
            body = orjson.dumps({"__type": ERROR_TYPE, "message": message})
            headers = {
                "content-type": CONTENT_TYPE,
                "x-amzn-requestid": str(uuid.uuid4()),
                "x-amzn-errortype": ERROR_TYPE,
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
        await send({"type": "http.response.start", "status": STATUS, "headers": raw})
        await send({"type": "http.response.body", "body": body})
