"""CORS on the AWS JSON endpoint, so that a web page on another origin can call the API with
Amplify or the AWS SDK for JavaScript in the browser, as it can call Cognito's.

What the cognito-idp endpoint answers (observed with curl against cognito-idp.us-east-1 in
2020 and 2021; AllanZhengYP/cors-test, output.md, an AWS SDK engineer's survey of every AWS
endpoint's preflight): to `OPTIONS /` with an Origin, 200 with no body and

    access-control-allow-origin: *
    access-control-allow-headers: <the request's Access-Control-Request-Headers, as sent>
    access-control-allow-methods: POST
    access-control-expose-headers: x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date
    access-control-max-age: 172800

and its answers to POST carry the same allow-origin and expose-headers, errors included (the
SDKs read the request id and the error type from those headers, which a page only sees when
exposed). No credentials mode: the API takes tokens in the body, never cookies.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from userpool.http.logs import current_request_id

ALLOW_ORIGIN = "*"
EXPOSE_HEADERS = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
MAX_AGE = "172800"  # two days, as Cognito's preflight
# Cognito echoes whatever headers the browser asks for; when a preflight names none (not a
# browser), these are the ones the JavaScript clients send.
SDK_HEADERS = (
    "content-type,x-amz-target,x-amz-user-agent,x-amz-date,x-amz-security-token,"
    "x-amz-content-sha256,authorization,amz-sdk-invocation-id,amz-sdk-request,cache-control"
)


class Cors:
    """ASGI middleware: answers the preflight of `path` and adds the CORS headers to every
    other answer on it; other paths pass through untouched."""

    def __init__(self, app: ASGIApp, path: str = "/") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await preflight(scope, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["access-control-allow-origin"] = ALLOW_ORIGIN
                headers["access-control-expose-headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def preflight(scope: Scope, send: Send) -> None:
    requested = Headers(scope=scope).get("access-control-request-headers")
    headers = {
        "x-amzn-requestid": current_request_id() or str(uuid.uuid4()),  # its log lines' id
        "access-control-allow-origin": ALLOW_ORIGIN,
        "access-control-allow-headers": requested or SDK_HEADERS,
        "access-control-allow-methods": "POST",
        "access-control-expose-headers": EXPOSE_HEADERS,
        "access-control-max-age": MAX_AGE,
        "content-length": "0",
    }
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": 200, "headers": raw})
    await send({"type": "http.response.body", "body": b""})


# A pool domain's endpoints that a browser app calls with fetch (Amplify's signInWithRedirect
# exchanges the code itself): their answers carry CORS too, and their preflight allows them.
DOMAIN_METHODS = "GET,POST"


def domain_preflight_headers(requested: str | None) -> dict[str, str]:
    return {
        "access-control-allow-origin": ALLOW_ORIGIN,
        "access-control-allow-headers": requested or "content-type,authorization",
        "access-control-allow-methods": DOMAIN_METHODS,
        "access-control-max-age": MAX_AGE,
    }


def domain_answer_headers() -> dict[str, str]:
    return {"access-control-allow-origin": ALLOW_ORIGIN}
