"""The request-rate quotas of a pool domain's endpoints (serve --quotas), counted before the
endpoint does anything, in the same counters as the API's (protocol/quotas.py).

What counts where, after "Quotas in Amazon Cognito" (protocol/quota_categories.py):
- every request: its domain's bulk limits, "Bulk request-rate limits for user pool domains":
  all requests to the domain (DomainRequests, 500 a second), those from one source IP address
  (300), those for one app client ID (300: the client the request names, by `client_id` in
  its query or form or by HTTP Basic);
- POST /oauth2/token: the refresh_token grant, UserAuthentication ("Token refresh with
  InitiateAuth or the token endpoint"); the authorization_code grant, an allocation of its own
  at UserAuthentication's rate (footnote 2: "Token redemption in authorization-code grants is
  subject to an additional quota allocation at the same rate as your quota in the
  UserAuthentication category"); the client_credentials grant, ClientAuthentication;
- POST /login, each a managed login sign-in step: UserAuthentication (footnote 2: a sign-in
  with an MFA code is 2 requests), and for an answer to NEW_PASSWORD_REQUIRED
  UserAccountRecovery, as for the API (footnote 1); each also a read of its user;
- POST /forgotPassword and /confirmForgotPassword: UserAccountRecovery ("Managed login
  password reset");
- the page names no category for these; each counts as the operation it stands for does:
  POST /signup and /confirmUser as SignUp and ConfirmSignUp (UserCreation), POST
  /oauth2/revoke as RevokeToken (UserToken), /oauth2/userInfo as GetUser (UserRead, and a
  read of the token's user).
GET /oauth2/authorize, the pages shown, /logout and discovery count towards the bulk limits
alone.

Past a quota the API answers TooManyRequestsException; what a domain answers is not
documented. Here it is HTTP 429 (as a report of Cognito's managed login shows: "Rate
exceeded", 429) with `Retry-After: 1`: for the endpoints a program calls, OAuth 2.0's error
JSON with RFC 6749's code for an overloaded server, `temporarily_unavailable`, and the API's
message; for the pages, the error page with that message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from userpool.oauth import pages
from userpool.oauth.client_auth import basic, is_form
from userpool.oauth.domains import DomainRequest
from userpool.protocol.quota_categories import NEW_PASSWORD
from userpool.protocol.quota_users import user_key
from userpool.protocol.quotas import Charge, Limiter, TooManyRequestsException
from userpool.services.client_tokens import TokenRefusal

TOKEN, USER_INFO, REVOKE, LOGIN = "/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke", "/login"
CALLED_BY_PROGRAMS = frozenset({TOKEN, USER_INFO, REVOKE})
MAX_FORM = 64 * 1024  # oauth/login.py's: a bigger body is no form, and is refused there
GRANTS = {
    "refresh_token": "UserAuthentication",
    "client_credentials": "ClientAuthentication",
    "authorization_code": "UserAuthentication",  # an allocation of its own (below)
}
PAGE_POSTS = {
    "/forgotPassword": "UserAccountRecovery",
    "/confirmForgotPassword": "UserAccountRecovery",
    "/signup": "UserCreation",
    "/confirmUser": "UserCreation",
    REVOKE: "UserToken",
}
RATE_EXCEEDED = TooManyRequestsException.default_message
RETRY = {"Retry-After": "1", "Cache-Control": "no-store"}


async def refusal(limiter: Limiter, found: DomainRequest, request: Request) -> Response | None:
    """Count the request; the answer that refuses it when it is over a quota, else None."""
    form = await _form(request)
    try:
        await run_in_threadpool(_admit, limiter, found, request, form)
    except TooManyRequestsException:
        if found.path in CALLED_BY_PROGRAMS:
            body = {"error": "temporarily_unavailable", "error_description": RATE_EXCEEDED}
            return JSONResponse(body, status_code=429, headers=RETRY)
        page = pages.error_page(found, RATE_EXCEEDED, 429)
        page.headers.update(RETRY)
        return page
    return None


async def _form(request: Request) -> dict[str, str]:
    """The posted form's fields, as far as they tell what to count; {} for anything else."""
    if request.method != "POST" or not is_form(request):
        return {}
    body = await request.body()  # kept by the request: the endpoint reads it again
    if len(body) > MAX_FORM:
        return {}
    try:
        return dict(parse_qsl(body.decode("utf-8", errors="strict"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _admit(
    limiter: Limiter, found: DomainRequest, request: Request, form: Mapping[str, str]
) -> None:
    charges = _bulk(limiter, found, request, form) + _charges(limiter, found, request, form)
    limiter.admit_charges(charges)


def _client_id(request: Request, form: Mapping[str, str]) -> str | None:
    try:
        presented = basic(request)
    except TokenRefusal:
        presented = None
    named = presented[0] if presented else form.get("client_id")
    return named or request.query_params.get("client_id") or None


def _digest(text: str) -> str:
    """A short stand-in for a name of any length (a custom domain, an address, a client id
    as sent): the counters' keys stay within their column."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _bulk(
    limiter: Limiter, found: DomainRequest, request: Request, form: Mapping[str, str]
) -> list[Charge]:
    domain = f"domain/{_digest(found.domain.domain)}"
    charges = [Charge(domain, limiter.quota("DomainRequests"))]
    if request.client is not None:
        per_ip = limiter.quota("DomainRequestsPerSourceIp")
        charges.append(Charge(f"{domain}/ip/{_digest(request.client.host)}", per_ip))
    client_id = _client_id(request, form)
    if client_id is not None:
        per_client = limiter.quota("DomainRequestsPerClient")
        charges.append(Charge(f"{domain}/client/{_digest(client_id)}", per_client))
    return charges


def _charges(
    limiter: Limiter, found: DomainRequest, request: Request, form: Mapping[str, str]
) -> list[Charge]:
    """The category (and per-user) counts of the request, as the module notes list them."""
    region, pool_id, path = found.pool.region, found.pool.id, found.path
    if request.method == "POST" and path == TOKEN:
        category = GRANTS.get(form.get("grant_type", ""))
        if category is None:
            return []  # the endpoint refuses it
        charge = limiter.category(category, region)
        if form["grant_type"] == "authorization_code":
            charge = Charge(f"{charge.key}/code-redemptions", charge.quota)
        return [charge]
    if request.method == "POST" and path == LOGIN:
        answers_new_password = form.get("challenge") == NEW_PASSWORD
        category = "UserAccountRecovery" if answers_new_password else "UserAuthentication"
        charges = [limiter.category(category, region)]
        username = form.get("username", "").strip()
        reading = limiter.per_user("UserRead", user_key(pool_id, username)) if username else None
        return charges + ([reading] if reading else [])
    if request.method == "POST" and path in PAGE_POSTS:
        return [limiter.category(PAGE_POSTS[path], region)]
    if path == USER_INFO and request.method in ("GET", "POST"):
        charges = [limiter.category("UserRead", region)]
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = None
        if scheme.lower() == "bearer" and token.strip() and limiter.users is not None:
            user = limiter.users.of_access_token(token.strip())
        reading = limiter.per_user("UserRead", user) if user else None
        return charges + ([reading] if reading else [])
    return []
