"""Requests whose Host header names a pool's domain (userpool.oauth.domains) go to that
domain's endpoints instead of this server's own routes.

The AWS JSON endpoint (`/`, with its CORS preflight) is never a domain's: Cognito's domains do
not serve the API, and a client that reaches the API by a domain's name still gets the API.
Only a Host that could be a domain is looked up (an address or "localhost" never is), so
requests to the server by its own address cost nothing more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.oauth.domains import DomainRequest, by_host, wanted_by_host
from userpool.storage.repositories import Store

# The domain's endpoints: what a request for one is answered with.
Serve = Callable[[DomainRequest, Request], Awaitable[Response]]


class DomainHosts:
    def __init__(self, app: ASGIApp, store: Store, serve: Serve) -> None:
        self.app = app
        self.store = store
        self.serve = serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        found = None
        if wanted_by_host(host) is not None:
            scheme = scope.get("scheme", "http")
            found = await run_in_threadpool(by_host, self.store, scheme, host, scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        response = await self.serve(found, Request(scope, receive))
        await response(scope, receive, send)
