"""`/console`: a read-only page of what the server holds, for local development and tests.

    /console                               pools (?q= finds one by name or id)
    /console/pools/{pool}                  its settings, users, app clients, groups, domains
    /console/pools/{pool}/users            its users (?q= by username, email or sub)
    /console/pools/{pool}/users/{sub}      a user: status, MFA, attributes, groups, devices, events
    /console/pools/{pool}/keys             its signing keys in the JWKS and which sign
    /console/outbox                        the messages stored, codes included (?pool= ?user=)

Server-rendered HTML, GET only (nothing to forge a request for), no script. Who may see it:
console/access.py. Pages read the store in one read transaction each (console/reads.py).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.http.console import reads
from userpool.http.console.access import Access
from userpool.http.console.html import ROOT, el, not_found, page
from userpool.http.console.outbox_page import outbox_page
from userpool.http.console.pool_pages import keys_page, pool_page, pools_page
from userpool.http.console.user_pages import user_page, users_page
from userpool.storage.repositories import Store
from userpool.tokens.keys import KeyRing

__all__ = ["Access", "routes"]

Handler = Callable[[Request], Awaitable[Response]]


def _guarded(access: Access, handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        refused = access.refusal(request)
        return refused if refused is not None else await handler(request)

    return guarded


def _bad_request(reason: str) -> Response:
    return page("Bad request", [], el("p", reason), status=400)


def routes(
    store: Store, ring: KeyRing, access: Access, clock: Callable[[], float] = time.time
) -> list[Route]:
    async def read(function: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(function, store, *args)

    async def pools(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        if query:
            return pools_page(await read(reads.find_pools, query), query)
        return pools_page(await read(reads.pools, request.query_params.get("after")), None)

    async def pool(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        view = await read(reads.pool, pool_id)
        first_users = await read(reads.users, pool_id, None) if view else None
        return pool_page(view, first_users)

    async def users(request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        query = request.query_params.get("q", "").strip()
        if query:
            return users_page(await read(reads.find_users, pool_id, query), query)
        return users_page(await read(reads.users, pool_id, request.query_params.get("after")), None)

    async def user(request: Request) -> Response:
        params = request.path_params
        return user_page(await read(reads.user, params["pool_id"], params["sub"]))

    async def keys(request: Request) -> Response:
        now = clock()
        found = await read(reads.keys, ring, request.path_params["pool_id"], now)
        return keys_page(found, now)

    async def outbox(request: Request) -> Response:
        query = request.query_params
        pool_id, username = query.get("pool") or None, query.get("user") or None
        try:
            before = int(query["before"]) if query.get("before") else None
        except ValueError:
            return _bad_request("before must be a message id (a number).")
        entries = await read(reads.outbox, pool_id, username, before)
        return outbox_page(entries, pool_id, username, len(entries) == reads.PAGE)

    async def nothing_here(_: Request) -> Response:
        return not_found("Nothing is served at this address.")

    pages: list[tuple[str, Handler]] = [
        ("", pools),
        ("/", pools),
        ("/pools/{pool_id}", pool),
        ("/pools/{pool_id}/users", users),
        ("/pools/{pool_id}/users/{sub}", user),
        ("/pools/{pool_id}/keys", keys),
        ("/outbox", outbox),
        ("/{rest:path}", nothing_here),
    ]
    return [
        Route(ROOT + path, _guarded(access, handler), methods=["GET"]) for path, handler in pages
    ]
