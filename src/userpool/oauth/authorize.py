"""A pool domain's `GET /oauth2/authorize` (the Cognito Developer Guide's "authorize endpoint"),
and what every managed-login step checks again: the request's parameters against its app
client, and where the browser goes once a sign-in finishes.

Who may be redirected is settled first: an unknown client_id, or a redirect_uri that is not
exactly one of the client's CallbackURLs, gets a page saying so and never a redirect (an open
redirect otherwise). Every later problem goes back to that redirect_uri as OAuth 2.0's
`error=` with the request's `state` (RFC 6749 §4.1.2.1). With a live managed-login session
for the pool the browser gets its code (or tokens) at once; otherwise it goes to /login with
the same parameters. Cognito's rules, from its guide: response_type `code` or `token`, each
allowed only by the client's AllowedOAuthFlows (`code`, `implicit`); scope a subset of
AllowedOAuthScopes (all of them when absent); PKCE's code_challenge_method only `S256`
("Amazon Cognito ... supports only S256"); identity_provider, if given, `COGNITO`; prompt
`login` forces the page, `none` never shows it (error=login_required without a session).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool import auth
from userpool.auth import Hosted, IssuedTokens, Runtime
from userpool.domain.auth_records import AuthorizationCode
from userpool.domain.errors import CognitoError
from userpool.domain.models import AppClient
from userpool.domain.oauth_rules import COGNITO_PROVIDER
from userpool.oauth import codes, cookies, pages
from userpool.oauth.domains import DomainRequest

# The authorize parameters managed login carries from page to page (hidden fields).
PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "identity_provider",
    "prompt",
)
FLOW_OF = {"code": "code", "token": "implicit"}
PROMPTS = frozenset({"login", "none", "select_account", "consent"})
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
UNKNOWN_CLIENT = "The client_id is missing or is not an app client of this user pool."
REDIRECT_MISMATCH = (
    "The redirect_uri is missing or is not one of the app client's allowed callback URLs "
    "(redirect_mismatch)."
)


class PageError(Exception):
    """A problem shown on a page: the browser cannot be trusted to any redirect_uri."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class RedirectError(Exception):
    """An OAuth 2.0 error, to send to the redirect_uri (checked) of `params`."""

    def __init__(self, error: str, params: Mapping[str, str] | None = None) -> None:
        super().__init__(error)
        self.error, self.params = error, dict(params or {})

    def location(self) -> str:
        return error_location(self.params, self.error)


@dataclass(frozen=True)
class Authorize:
    """An authorize request whose client and redirect_uri have been checked."""

    client: AppClient
    params: Mapping[str, str]  # what the request gave of PARAMETERS
    scopes: tuple[str, ...]

    @property
    def response_type(self) -> str:
        return self.params.get("response_type", "")

    @property
    def redirect_uri(self) -> str:
        return self.params["redirect_uri"]

    @property
    def prompt(self) -> str | None:
        return self.params.get("prompt")

    def hosted(self) -> Hosted:
        return Hosted(self.scopes, self.params.get("nonce") or None)


def parameters(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The authorize parameters among `pairs` (a query or a form); one given twice is
    refused, as RFC 6749 §3.1 says (a page: it is not yet known where to redirect)."""
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            continue
        if name in found:
            raise PageError(f"The parameter {name} was given more than once.")
        found[name] = value
    return found


def _client(runtime: Runtime, found: DomainRequest, client_id: str) -> AppClient:
    with runtime.store.read() as tx:
        client = tx.clients.get(client_id) if client_id else None
    if client is None or client.pool_id != found.pool.id:
        raise PageError(UNKNOWN_CLIENT)
    return client


def check(runtime: Runtime, found: DomainRequest, params: Mapping[str, str]) -> Authorize:
    """`params` checked against the client: raises PageError before the redirect_uri is known
    good, then RedirectError."""
    client = _client(runtime, found, params.get("client_id", ""))
    settings = client.settings
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or redirect_uri not in (settings.get("CallbackURLs") or []):
        raise PageError(REDIRECT_MISMATCH)
    try:
        return _check_rest(client, params)
    except RedirectError as error:
        raise RedirectError(error.error, params) from None


def _check_rest(client: AppClient, params: Mapping[str, str]) -> Authorize:
    settings = client.settings
    if not settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise RedirectError("unauthorized_client")
    flow = FLOW_OF.get(params.get("response_type", ""))
    if flow is None:
        raise RedirectError("unsupported_response_type")
    if flow not in (settings.get("AllowedOAuthFlows") or []):
        raise RedirectError("unauthorized_client")
    provider = params.get("identity_provider")
    providers = settings.get("SupportedIdentityProviders") or []
    if COGNITO_PROVIDER not in providers or (provider and provider != COGNITO_PROVIDER):
        raise RedirectError("invalid_request")
    if params.get("prompt") is not None and params["prompt"] not in PROMPTS:
        raise RedirectError("invalid_request")
    _check_pkce(params, flow)
    return Authorize(client, dict(params), _scopes(settings, params.get("scope")))


def _scopes(settings: Mapping[str, Any], asked: str | None) -> tuple[str, ...]:
    allowed = list(settings.get("AllowedOAuthScopes") or [])
    if asked is None or not asked.strip():
        return tuple(allowed)
    wanted = tuple(dict.fromkeys(asked.split()))
    if any(scope not in allowed for scope in wanted):
        raise RedirectError("invalid_scope")
    return wanted


def _check_pkce(params: Mapping[str, str], flow: str) -> None:
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if not challenge and not method:
        return
    if flow != "code" or not challenge or method != "S256":
        raise RedirectError("invalid_request")


def _with(url: str, values: Mapping[str, str], *, fragment: bool) -> str:
    """`url` with `values` added to its query, or set as its fragment."""
    parts = urlsplit(url)
    encoded = urlencode(values)
    if fragment:
        return urlunsplit(parts._replace(fragment=encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))


def _state(params: Mapping[str, str]) -> dict[str, str]:
    state = params.get("state")
    return {"state": state} if state is not None else {}


def error_location(params: Mapping[str, str], error: str) -> str:
    """The (checked) redirect_uri of `params` with an OAuth 2.0 error and the state; in the
    fragment for response_type token (RFC 6749 §4.2.2.1)."""
    values = {"error": error, **_state(params)}
    fragment = params.get("response_type") == "token"
    return _with(params["redirect_uri"], values, fragment=fragment)


def redirect(location: str, *cookie_headers: str) -> Response:
    response = RedirectResponse(location, status_code=302, headers=NO_STORE)
    for header in cookie_headers:
        response.headers.append("set-cookie", header)
    return response


def _claims(jwt: str) -> dict[str, Any]:
    """The payload of a token this server has just signed (read, not verified: it is ours)."""
    payload = jwt.split(".")[1]
    claims: dict[str, Any] = orjson.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def finish_location(
    runtime: Runtime, found: DomainRequest, checked: Authorize, tokens: IssuedTokens, now: float
) -> str:
    """Where the browser goes with a finished sign-in's tokens: a code for response_type
    code, the tokens themselves in the fragment for token (no refresh token: implicit
    grants have none; an ID token only for the openid scope, as Cognito)."""
    if checked.response_type == "token":
        values = {"access_token": tokens.access_token}
        if "openid" in checked.scopes:
            values["id_token"] = tokens.id_token
        values |= {"token_type": "Bearer", "expires_in": str(tokens.expires_in)}
        return _with(checked.redirect_uri, values | _state(checked.params), fragment=True)
    params = checked.params
    grant = AuthorizationCode(
        code_hash="",
        pool_id=found.pool.id,
        client_id=checked.client.id,
        sub=str(_claims(tokens.access_token)["sub"]),
        redirect_uri=checked.redirect_uri,
        scopes=checked.scopes,
        sealed_tokens=b"",
        expires=now + codes.CODE_SECONDS,
        code_challenge=params.get("code_challenge") or None,
        code_challenge_method=params.get("code_challenge_method") or None,
    )
    with runtime.store.write() as tx:
        code = codes.issue(runtime, tx, grant, tokens)
    return _with(checked.redirect_uri, {"code": code, **_state(checked.params)}, fragment=False)


def signed_in(
    runtime: Runtime, found: DomainRequest, checked: Authorize, tokens: IssuedTokens, now: float
) -> tuple[str, str]:
    """A sign-in on the page finished: where to go, and the session cookie to remember it."""
    claims = _claims(tokens.access_token)
    remembered = cookies.Remembered(
        found.pool.id, str(claims["sub"]), float(claims["auth_time"]), now + cookies.SESSION_SECONDS
    )
    location = finish_location(runtime, found, checked, tokens, now)
    return location, cookies.session_cookie(runtime, found, remembered)


def _remembered_location(
    runtime: Runtime, found: DomainRequest, checked: Authorize, cookie: str | None
) -> str | None:
    """The browser's live session, if any, turned into a code or tokens; None without one (or
    when its user may no longer sign in)."""
    now = runtime.clock()
    remembered = cookies.open_session(runtime, cookie, found.pool.id, now)
    if remembered is None:
        return None
    try:
        tokens = auth.sign_in_again(
            runtime,
            checked.client.id,
            found.pool.id,
            remembered.sub,
            remembered.auth_time,
            now=now,
            hosted=checked.hosted(),
        )
    except CognitoError:
        return None
    return finish_location(runtime, found, checked, tokens, now)


def _authorize_checked(
    runtime: Runtime, found: DomainRequest, request: Request, checked: Authorize
) -> Response:
    if checked.prompt != "login":
        location = _remembered_location(
            runtime, found, checked, request.cookies.get(cookies.SESSION)
        )
        if location is not None:
            return redirect(location)
    if checked.prompt == "none":
        return redirect(error_location(checked.params, "login_required"))
    return redirect(f"{found.base_url}/login?{urlencode(checked.params)}")


async def authorize(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    try:
        params = parameters(request.query_params.multi_items())
        checked = await run_in_threadpool(check, runtime, found, params)
    except PageError as error:
        return pages.error_page(found, error.message, error.status)
    except RedirectError as error:
        return redirect(error.location())
    return await run_in_threadpool(_authorize_checked, runtime, found, request, checked)
