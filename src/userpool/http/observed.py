"""Every HTTP request, watched from the outside (a pure ASGI middleware, the outermost of ours):
its id, set for the lines logged while it is served (http/logs.py); its count and latency by
operation and error (http/metrics.py); and one access line once it is answered.

All it reads is what passes anyway: the X-Amz-Target header, the status and the
x-amzn-ErrorType header of the answer. Never a body.

Every answer carries the request's id: the API's in `x-amzn-RequestId` (protocol/dispatch.py
sets it), every other one here, in `x-amzn-RequestId` too, and a pool domain's (its OAuth
endpoints and managed login pages) also in `x-amz-cognito-request-id`, the header the
Developer Guide's examples of Cognito's token and userInfo endpoints show.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from userpool.http.logs import ACCESS_LOGGER, REQUEST_ID
from userpool.http.metrics import UNKNOWN, Metrics
from userpool.protocol.model import TARGET_PREFIX

access = logging.getLogger(ACCESS_LOGGER)
# Where the domain endpoints (http/routes.py) note the path they serve, for the label.
DOMAIN_ENDPOINT = "userpool.domain_endpoint"
_TARGET = b"x-amz-target"
_ERROR_TYPE = b"x-amzn-errortype"
_REQUEST_ID = b"x-amzn-requestid"
_COGNITO_REQUEST_ID = b"x-amz-cognito-request-id"


def operation_of(scope: Scope, status: int, operations: frozenset[str]) -> str:
    """The request's `operation` label: the API operation, else the endpoint it reached. Never
    a value only the client chose: an unknown target or path is "unknown"."""
    if scope["path"] == "/" and scope["method"] == "POST":
        target = next((v for k, v in scope["headers"] if k == _TARGET), b"").decode("latin-1")
        name = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else UNKNOWN
        return name if name in operations else UNKNOWN
    endpoint = scope.get(DOMAIN_ENDPOINT)
    if endpoint is not None:  # a domain answers 404 for a path it does not serve
        return f"domain {endpoint}" if status != 404 else UNKNOWN
    route = scope.get("route")
    if route is not None:
        return str(route.path)  # the template: /{pool_id}/.well-known/jwks.json
    return "/" if scope["path"] == "/" else UNKNOWN  # "/": a CORS preflight


class Observed:
    def __init__(self, app: ASGIApp, metrics: Metrics, operations: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status, error = 500, ""  # unless an answer starts: the app raised

        async def answering(message: Message) -> None:
            nonlocal status, error
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                for key, value in headers:
                    if key == _ERROR_TYPE:
                        error = value.decode("latin-1")
                message["headers"] = headers + _id_headers(scope, headers, request_id)
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            seconds = time.perf_counter() - started
            operation = operation_of(scope, status, self.operations)
            self.metrics.request(operation, status, error, seconds)
            if access.isEnabledFor(logging.INFO):
                _access_line(scope, operation, status, seconds)
            REQUEST_ID.reset(token)


def _id_headers(
    scope: Scope, headers: list[tuple[bytes, bytes]], request_id: str
) -> list[tuple[bytes, bytes]]:
    """The request id headers an answer lacks (the API's has its own already)."""
    value = request_id.encode("latin-1")
    names = [_REQUEST_ID, *([_COGNITO_REQUEST_ID] if DOMAIN_ENDPOINT in scope else [])]
    present = {key.lower() for key, _ in headers}
    return [(name, value) for name in names if name not in present]


def _access_line(scope: Scope, operation: str, status: int, seconds: float) -> None:
    method, path = scope["method"], scope["path"]  # the path without its query string
    client = scope.get("client")
    fields = {
        "method": method,
        "path": path,
        "operation": operation,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client": client[0] if client else None,
    }
    access.info("%s %s %s %s", method, path, operation, status, extra=fields)
