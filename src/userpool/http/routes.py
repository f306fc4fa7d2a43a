"""Starlette routes: the AWS JSON endpoint and health."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.protocol.dispatch import Dispatcher
from userpool.protocol.sigv4 import SignedRequest


def build(dispatcher: Dispatcher) -> Starlette:
    async def aws_json(request: Request) -> Response:
        signed = SignedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        result = await run_in_threadpool(dispatcher.handle, signed)
        return Response(result.body, status_code=result.status, headers=result.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/", aws_json, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )
