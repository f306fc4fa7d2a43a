"""A pool domain's `GET /logout` (the Cognito Developer Guide's "logout endpoint"): it forgets
the browser's managed-login session (the `cognito` cookie) and sends the browser on:
- `client_id` + `logout_uri`: to that URI, which must be exactly one of the client's
  LogoutURLs (Cognito then ignores every other parameter);
- `client_id` + `redirect_uri` + `response_type` (+ scope, state, ...): to /login with those
  parameters, to sign in again; they are checked as /oauth2/authorize checks them.
Anything else is a page saying what is wrong, never a redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.auth import Runtime
from userpool.oauth import cookies, pages
from userpool.oauth.authorize import PageError, RedirectError, check, parameters, redirect
from userpool.oauth.domains import DomainRequest

UNKNOWN_CLIENT = "The client_id is missing or is not an app client of this user pool."
NO_TARGET = "A logout request needs a logout_uri, or a redirect_uri and a response_type."  # ours
LOGOUT_MISMATCH = "The logout_uri is not one of the app client's allowed sign-out URLs."  # ours


def _target(runtime: Runtime, found: DomainRequest, request: Request) -> str:
    query = request.query_params
    if any(len(query.getlist(name)) > 1 for name in query):
        raise PageError("A parameter was given more than once.")
    client_id, logout_uri = query.get("client_id", ""), query.get("logout_uri")
    with runtime.store.read() as tx:
        client = tx.clients.get(client_id) if client_id else None
    if client is None or client.pool_id != found.pool.id:
        raise PageError(UNKNOWN_CLIENT)
    if logout_uri is not None:
        if logout_uri not in (client.settings.get("LogoutURLs") or []):
            raise PageError(LOGOUT_MISMATCH)
        return logout_uri
    if not query.get("redirect_uri") or not query.get("response_type"):
        raise PageError(NO_TARGET)
    checked = check(runtime, found, parameters(query.multi_items()))
    return f"{found.base_url}/login?{urlencode(checked.params)}"


async def logout(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    try:
        location = await run_in_threadpool(_target, runtime, found, request)
    except PageError as error:
        page = pages.error_page(found, error.message, error.status)
        page.headers.append("set-cookie", cookies.cleared(found))  # signed out all the same
        return page
    except RedirectError as error:
        location = error.location()
    # The session ends whichever way the browser goes on.
    return redirect(location, cookies.cleared(found))
