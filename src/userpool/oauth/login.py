"""A pool domain's `/login` (the Cognito Developer Guide's "login endpoint"): GET shows the
sign-in form, POST answers it, and then each challenge the engine returns, one page each
(oauth/steps.py), until the engine hands out tokens; then the browser is remembered (the
`cognito` cookie) and sent to the app with its code or tokens (oauth/authorize.py).

The sign-in form is the username and password (USER_PASSWORD_AUTH), or, where the sign-in is
choice-based (oauth/choice_pages.py: a managed-login domain, a client that takes USER_AUTH),
the username alone (USER_AUTH), and the choice of first factor is the next page. A refusal
that ends a sign-in under way (a spent session, a wrong password or passkey) starts it again:
the first page, or for a choice-based one, a new choice for the same username.

Every POST must carry a CSRF token made for this browser's `XSRF-TOKEN` cookie
(oauth/cookies.py), or it is refused before anything else is looked at. The authorize
parameters ride along in hidden fields and are checked again on every POST, as on the first
GET: a form cannot smuggle in another redirect_uri. Sign-ins go through the engine with
`hosted` (auth.Hosted: the requested scopes and nonce), as any other caller's do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool import auth
from userpool.accounts.secret_hash import secret_hash
from userpool.auth import Authenticated, Challenge, Runtime
from userpool.domain.auth_events import Origin
from userpool.domain.errors import CognitoError, NotAuthorizedException
from userpool.oauth import choice_pages, cookies, pages, steps
from userpool.oauth.authorize import (
    Authorize,
    PageError,
    RedirectError,
    check,
    parameters,
    redirect,
    signed_in,
)
from userpool.oauth.domains import DomainRequest
from userpool.oauth.pages import Form

FORM = "application/x-www-form-urlencoded"
FLOW = "USER_PASSWORD_AUTH"
MAX_FORM = 64 * 1024  # far above any sign-in form; a bigger body is not one
CSRF_REFUSED = (
    "This form has expired or did not come from this sign-in page. Please sign in again."  # ours
)
BAD_FORM = "The request is not a sign-in form."  # ours


class _Browser:
    """This browser's CSRF cookie: the one it sent, or a new one to set with the page."""

    def __init__(self, runtime: Runtime, found: DomainRequest, request: Request) -> None:
        sent = request.cookies.get(cookies.CSRF)
        self.value = sent or cookies.new_csrf_value()
        self.set_cookie = [] if sent else [cookies.csrf_cookie(found, self.value)]
        self.token = cookies.csrf_token(runtime, self.value)


def _action(found: DomainRequest) -> str:
    return f"{found.base_url}/login"


def password_form(
    found: DomainRequest,
    checked: Authorize,
    token: str,
    error: str | None,
    username: str = "",
    notice: str | None = None,
) -> Form:
    """The sign-in form; `notice`: a line to show above it (a password just reset)."""
    fields = pages.text_field("username", "Username", value=username, autocomplete="username")
    fields += pages.text_field(
        "password", "Password", kind="password", autocomplete="current-password"
    )
    query = urlencode(checked.params)
    links = {
        "Forgot your password?": f"{found.base_url}/forgotPassword?{query}",
        "Sign up": f"{found.base_url}/signup?{query}",
    }
    intro = f"<p>{escape(notice)}</p>" if notice else ""
    params = dict(checked.params)
    return Form(
        "Sign in", _action(found), fields, params, token, error=error, intro=intro, links=links
    )


def first_form(
    found: DomainRequest,
    checked: Authorize,
    token: str,
    error: str | None,
    username: str = "",
    notice: str | None = None,
) -> Form:
    """The sign-in's first page: the username alone where the sign-in is choice-based, else
    the username and password."""
    if choice_pages.offers_choice(found, checked.client):
        return choice_pages.username_form(found, checked.params, token, error, username, notice)
    return password_form(found, checked, token, error, username, notice)


def _checked(runtime: Runtime, found: DomainRequest, pairs: list[tuple[str, str]]) -> Authorize:
    return check(runtime, found, parameters(pairs))


async def login_page(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    page = await shown(runtime, found, request)
    if isinstance(page, Response):
        return page
    form = first_form(found, page.checked, page.token, None)
    return pages.form_page(form, cookie_headers=page.set_cookie)


def _form(body: bytes) -> list[tuple[str, str]]:
    return parse_qsl(body.decode("utf-8", errors="strict"), keep_blank_values=True)


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The form's own fields; one given twice is not a form of ours."""
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise PageError(BAD_FORM)
        fields[name] = value
    return fields


@dataclass(frozen=True)
class Posted:
    """A managed-login form as posted, its CSRF token held: its fields, the authorize request
    they carry (checked again), and the token for the page that answers it."""

    fields: Mapping[str, str]
    checked: Authorize
    token: str
    set_cookie: tuple[str, ...] = ()  # a GET's new CSRF cookie


async def posted(runtime: Runtime, found: DomainRequest, request: Request) -> Posted | Response:
    """The posted form, or the page (or OAuth error redirect) that refuses it: not a form,
    no CSRF token made for this browser's cookie, or authorize parameters that do not hold."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type != FORM or len(body) > MAX_FORM:
        return pages.error_page(found, BAD_FORM)
    try:
        pairs = _form(body)
        fields = _single(pairs)
    except (UnicodeDecodeError, PageError):
        return pages.error_page(found, BAD_FORM)
    sent = request.cookies.get(cookies.CSRF)
    if not sent or not cookies.csrf_holds(runtime, sent, fields.get("_csrf")):
        return pages.error_page(found, CSRF_REFUSED, 403)
    try:
        checked = await run_in_threadpool(_checked, runtime, found, pairs)
    except PageError as error:
        return pages.error_page(found, error.message, error.status)
    except RedirectError as error:
        return redirect(error.location())
    return Posted(fields, checked, cookies.csrf_token(runtime, sent))


async def shown(runtime: Runtime, found: DomainRequest, request: Request) -> Posted | Response:
    """A GET of a managed-login page: its authorize parameters checked, and the CSRF token
    for its form (the cookie set with the page when the browser has none yet)."""
    try:
        pairs = request.query_params.multi_items()
        checked = await run_in_threadpool(_checked, runtime, found, pairs)
    except PageError as error:
        return pages.error_page(found, error.message, error.status)
    except RedirectError as error:
        return redirect(error.location())
    browser = _Browser(runtime, found, request)
    return Posted({}, checked, browser.token, tuple(browser.set_cookie))


async def login_post(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    form = await posted(runtime, found, request)
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_answer, runtime, found, form)


def _answer(runtime: Runtime, found: DomainRequest, form: Posted) -> Response:
    checked, token, fields = form.checked, form.token, form.fields
    if fields.get("step") == "challenge":
        return _challenge_step(runtime, found, checked, token, fields)
    if fields.get("step") == "username" and choice_pages.offers_choice(found, checked.client):
        username = fields.get("username", "").strip()
        if not username:
            asked = first_form(found, checked, token, choice_pages.ENTER_USERNAME)
            return pages.form_page(asked, 400)
        return _choose(runtime, found, checked, token, username)
    return _password_step(runtime, found, checked, token, fields)


def _secret_hash(checked: Authorize, username: str) -> dict[str, str]:
    """A client with a secret needs SECRET_HASH: the page is that client's own, and knows it."""
    secret = checked.client.secret
    return {"SECRET_HASH": secret_hash(secret, username, checked.client.id)} if secret else {}


def _password_step(
    runtime: Runtime,
    found: DomainRequest,
    checked: Authorize,
    token: str,
    fields: Mapping[str, str],
) -> Response:
    username = fields.get("username", "").strip()
    password = fields.get("password", "")
    if not username or not password:
        form = password_form(found, checked, token, "Please enter a username and a password.")
        return pages.form_page(form, 400)
    return sign_in_with_password(runtime, found, checked, token, username, password)


def sign_in_with_password(
    runtime: Runtime,
    found: DomainRequest,
    checked: Authorize,
    token: str,
    username: str,
    password: str,
) -> Response:
    """USER_PASSWORD_AUTH through the engine, as the sign-in form does it: the app's code (or
    the first challenge's page); a refusal shows the sign-in form with its message."""
    params = {"USERNAME": username, "PASSWORD": password, **_secret_hash(checked, username)}
    try:
        outcome = auth.initiate(
            runtime,
            checked.client.id,
            found.pool.id,
            admin=False,
            now=runtime.clock(),
            flow=FLOW,
            params=params,
            hosted=checked.hosted(),
            origin=Origin(found.source_ip),
        )
    except CognitoError as error:
        form = first_form(found, checked, token, error.message, username)
        return pages.form_page(form, 400)
    return _outcome(runtime, found, checked, token, outcome, username)


def _choose(
    runtime: Runtime,
    found: DomainRequest,
    checked: Authorize,
    token: str,
    username: str,
    error: str | None = None,
) -> Response:
    """USER_AUTH for `username`, no factor named: the choice of first factor (SELECT_CHALLENGE)
    on its page, with `error` (why a sign-in under way had to start again) above it."""
    try:
        outcome = auth.initiate(
            runtime,
            checked.client.id,
            found.pool.id,
            admin=False,
            now=runtime.clock(),
            flow="USER_AUTH",
            params={"USERNAME": username, **_secret_hash(checked, username)},
            hosted=checked.hosted(),
            origin=Origin(found.source_ip),
        )
    except CognitoError as refused:
        form = first_form(found, checked, token, refused.message, username)
        return pages.form_page(form, 400)
    return _outcome(runtime, found, checked, token, outcome, username, error)


def _outcome(
    runtime: Runtime,
    found: DomainRequest,
    checked: Authorize,
    token: str,
    outcome: Authenticated | Challenge,
    username: str,
    error: str | None = None,
) -> Response:
    if isinstance(outcome, Authenticated):
        location, cookie = signed_in(runtime, found, checked, outcome.tokens, runtime.clock())
        return redirect(location, cookie)
    try:
        step = steps.start(runtime, outcome, username)
    except CognitoError as refused:
        return pages.form_page(first_form(found, checked, token, refused.message, username), 400)
    return _step_page(found, checked, token, step, error)


def _step_page(
    found: DomainRequest, checked: Authorize, token: str, step: steps.Step, error: str | None
) -> Response:
    form = steps.page(step, _action(found), checked.params, token, error, found.pool.name)
    return pages.form_page(form, 400 if error else 200)


def _challenge_step(
    runtime: Runtime,
    found: DomainRequest,
    checked: Authorize,
    token: str,
    fields: Mapping[str, str],
) -> Response:
    try:
        step = steps.step_of(fields)
    except CognitoError:
        return pages.error_page(found, BAD_FORM)
    username = step.username
    try:
        session, answer = steps.responses(runtime, step, fields)
        outcome = auth.respond(
            runtime,
            checked.client.id,
            found.pool.id,
            admin=False,
            now=runtime.clock(),
            challenge=step.challenge,
            responses={**answer, **_secret_hash(checked, username)},
            session=session,
            hosted=checked.hosted(),
            origin=Origin(found.source_ip),
        )
    except NotAuthorizedException as error:
        # The session is spent or expired, or the sign-in refused: start again.
        if choice_pages.offers_choice(found, checked.client):
            return _choose(runtime, found, checked, token, username, error.message)
        form = password_form(found, checked, token, error.message, username)
        return pages.form_page(form, 400)
    except CognitoError as error:
        return _step_page(found, checked, token, step, error.message)
    return _outcome(runtime, found, checked, token, outcome, username)
