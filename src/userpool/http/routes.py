"""Starlette routes: the AWS JSON endpoint (with CORS, http/cors.py), health, each pool's JWKS
and OpenID discovery, and the pools' domains (by path here, by Host in http/domain_hosts.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from userpool.auth import Runtime
from userpool.domain.import_jobs import UPLOAD_PATH
from userpool.http import cors, domain_quotas
from userpool.http import metrics as http_metrics
from userpool.http.body_limit import BodyLimit
from userpool.http.cors import Cors
from userpool.http.domain_hosts import DomainHosts, Serve
from userpool.http.logs import current_request_id
from userpool.http.metrics import Metrics
from userpool.http.observed import DOMAIN_ENDPOINT, Observed
from userpool.oauth import (
    account_pages,
    authorize,
    discovery,
    login,
    logout,
    revoke,
    token,
    user_info,
)
from userpool.oauth.domains import PATH_ROOT, DomainRequest, by_path, pool_base
from userpool.protocol.dispatch import Dispatcher
from userpool.protocol.model import service_model
from userpool.protocol.quotas import Limiter
from userpool.protocol.sigv4 import SignedRequest, header_map
from userpool.storage.repositories import Store
from userpool.tokens.keys import KeyRing

DISCOVERY = "/.well-known/openid-configuration"
TOKEN = "/oauth2/token"
AUTHORIZE = "/oauth2/authorize"
LOGIN = "/login"
LOGOUT = "/logout"
USER_INFO = "/oauth2/userInfo"
REVOKE = "/oauth2/revoke"
# What a web page calls with fetch rather than navigates to: answered with CORS.
CALLED_BY_PAGES = frozenset({DISCOVERY, TOKEN, USER_INFO, REVOKE})
# Every method reaches a domain's endpoints, which answer it (404 for now, but for discovery).
DOMAIN_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NOT_FOUND = {"error": "not_found", "error_description": "Nothing is served at this path."}
UNKNOWN_DOMAIN = {"error": "not_found", "error_description": "No such domain."}


def domain_endpoints(
    runtime: Runtime, issuer_for: Callable[[str], str], limiter: Limiter | None = None
) -> Serve:
    """What a pool's domain serves, reached by path or by Host: its discovery document and
    its OAuth endpoints (userpool.oauth); the login pages come here too. `limiter`: the
    request-rate quotas, when on (http/domain_quotas.py; a CORS preflight is not counted)."""

    async def serve(found: DomainRequest, request: Request) -> Response:
        request.scope[DOMAIN_ENDPOINT] = found.path  # the metrics' label (http/observed.py)
        found = replace(found, source_ip=request.client.host if request.client else None)
        if found.path not in CALLED_BY_PAGES:
            return await answer(found, request)
        if request.method == "OPTIONS":
            requested = request.headers.get("access-control-request-headers")
            return Response(status_code=200, headers=cors.domain_preflight_headers(requested))
        response = await answer(found, request)
        response.headers.update(cors.domain_answer_headers())
        return response

    async def answer(found: DomainRequest, request: Request) -> Response:
        if limiter is not None:
            refused = await domain_quotas.refusal(limiter, found, request)
            if refused is not None:
                return refused
        if found.path == DISCOVERY and request.method in ("GET", "HEAD"):
            issuer = issuer_for(found.pool.id)
            return JSONResponse(discovery.document(issuer, found.base_url))
        if found.path == TOKEN and request.method == "POST":
            return await token.token(runtime, found, request)
        if found.path == AUTHORIZE and request.method == "GET":
            return await authorize.authorize(runtime, found, request)
        if found.path == LOGIN and request.method == "GET":
            return await login.login_page(runtime, found, request)
        if found.path == LOGIN and request.method == "POST":
            return await login.login_post(runtime, found, request)
        if found.path == LOGOUT and request.method == "GET":
            return await logout.logout(runtime, found, request)
        page = await account_pages.serve(runtime, found, request)
        if page is not None:
            return page
        if found.path == USER_INFO and request.method in ("GET", "POST"):
            return await user_info.user_info(runtime, found, request)
        if found.path == REVOKE and request.method == "POST":
            return await revoke.revoke(runtime, found, request)
        return JSONResponse(NOT_FOUND, status_code=404)

    return serve


def build(
    dispatcher: Dispatcher,
    keys: KeyRing,
    issuer_for: Callable[[str], str],
    extra: Sequence[BaseRoute],
    lifespan: Any = None,
    *,
    store: Store,
    public_url: str,
    metrics: Metrics | None = None,
    metrics_readers: dict[str, str] | None = None,
    limiter: Limiter | None = None,
) -> Starlette:
    """The app; `extra`: more routes (the development endpoints, when enabled); `public_url`:
    where this server is reached (the root of the domains' path form); `metrics`: where every
    request is counted (a fresh in-memory set without), served at /metrics to loopback clients,
    or with `metrics_readers` (the --credentials key pairs) to those who present one."""
    metrics = metrics or Metrics()
    serve_domain = domain_endpoints(dispatcher.runtime, issuer_for, limiter)

    async def aws_json(request: Request) -> Response:
        signed = SignedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=header_map(request.headers.items()),  # repeated ones joined, as signed
            body=await request.body(),
            source_ip=request.client.host if request.client else None,
        )
        request_id = current_request_id()  # given on arrival (http/observed.py)
        inline = dispatcher.runs_inline(signed)
        result = dispatcher.handle_on_loop(signed, request_id) if inline else None
        if result is None:  # not for the loop, or found there to have slow work to do
            result = await run_in_threadpool(dispatcher.handle, signed, request_id, admitted=inline)
        return Response(result.body, status_code=result.status, headers=result.headers)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def jwks(request: Request) -> Response:
        # as stored now: a relying party fetches it for a kid it does not know, which may
        # be a key rotated in on another node a moment ago
        pool_id = request.path_params["pool_id"]
        pool_keys = await run_in_threadpool(keys.for_pool, pool_id, fresh=True)
        if pool_keys is None:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return Response(pool_keys.jwks, media_type="application/json")

    async def openid_configuration(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if await run_in_threadpool(keys.for_pool, pool_id) is None:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        base = await run_in_threadpool(pool_base, store, public_url, pool_id)
        return JSONResponse(discovery.document(issuer_for(pool_id), base))

    async def by_domain_path(request: Request) -> Response:
        found = await run_in_threadpool(by_path, store, public_url, request.url.path)
        if found is None:
            return JSONResponse(UNKNOWN_DOMAIN, status_code=404)
        return await serve_domain(found, request)

    return Starlette(
        lifespan=lifespan,
        middleware=[
            Middleware(
                Observed,
                metrics=metrics,
                operations=frozenset(service_model().operation_names),
            ),
            # before anything that reads a body; an import's file streams to its own cap
            Middleware(BodyLimit, streamed=(UPLOAD_PATH + "/",)),
            Middleware(DomainHosts, store=store, serve=serve_domain),
            Middleware(Cors, path="/"),
        ],
        routes=[
            Route("/", aws_json, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
            Route(
                "/{pool_id}/.well-known/openid-configuration",
                openid_configuration,
                methods=["GET"],
            ),
            Route(PATH_ROOT + "/{rest:path}", by_domain_path, methods=DOMAIN_METHODS),
            *http_metrics.routes(metrics, metrics_readers),
            *extra,
        ],
    )
