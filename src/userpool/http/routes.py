"""Starlette routes: the AWS JSON endpoint (with CORS, http/cors.py), health, each pool's JWKS
and OpenID discovery."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from userpool.http.cors import Cors
from userpool.protocol.dispatch import Dispatcher
from userpool.protocol.sigv4 import SignedRequest, header_map
from userpool.tokens.keys import KeyRing


def discovery_document(issuer: str) -> dict[str, Any]:
    """OpenID Connect discovery for one pool, as Cognito publishes it."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use"],
    }


def build(
    dispatcher: Dispatcher,
    keys: KeyRing,
    issuer_for: Callable[[str], str],
    extra: Sequence[BaseRoute],
    lifespan: Any = None,
) -> Starlette:
    """The app; `extra`: more routes (the development endpoints, when enabled)."""

    async def aws_json(request: Request) -> Response:
        signed = SignedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=header_map(request.headers.items()),  # repeated ones joined, as signed
            body=await request.body(),
        )
        if dispatcher.runs_inline(signed):
            result = dispatcher.handle(signed)
        else:
            result = await run_in_threadpool(dispatcher.handle, signed)
        return Response(result.body, status_code=result.status, headers=result.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def jwks(request: Request) -> Response:
        pool_keys = await run_in_threadpool(keys.for_pool, request.path_params["pool_id"])
        if pool_keys is None:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return Response(pool_keys.jwks, media_type="application/json")

    async def openid_configuration(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if await run_in_threadpool(keys.for_pool, pool_id) is None:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return JSONResponse(discovery_document(issuer_for(pool_id)))

    return Starlette(
        lifespan=lifespan,
        middleware=[Middleware(Cors, path="/")],
        routes=[
            Route("/", aws_json, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
            Route(
                "/{pool_id}/.well-known/openid-configuration",
                openid_configuration,
                methods=["GET"],
            ),
            *extra,
        ],
    )
