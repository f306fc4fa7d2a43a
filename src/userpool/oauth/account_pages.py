"""Managed login's account pages, each a GET (the form) and a POST (its answer), through the
same services the API calls (SignUp, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword),
so every rule, trigger, message and error is theirs:
- `/signup`: a username, a password and the pool's required attributes; then `/confirmUser`
  with the code sent, unless the user is confirmed already;
- `/forgotPassword`: a username; then `/confirmForgotPassword`: the code and a new password.
The authorize parameters are carried throughout (and checked on every POST, with the CSRF
token, by login.posted). As on Cognito's pages, a sign-up ends signed in: once the code is
confirmed (or at once, for a user the pool confirmed itself: PreSignUp's autoConfirmUser) the
new user signs in with the password they chose, through the same engine as the sign-in form
(so MFA, triggers and every refusal are the sign-in's), and the browser goes to the app with
its code. That password waits for the code sealed in the confirmation form
(oauth/sealed_password.py), never in clear. A password reset ends on the sign-in page, where
Cognito's ends too (its guide: /login is reached "from /confirmforgotPassword")."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.accounts.attributes import auto_verified, pool_schema
from userpool.accounts.secret_hash import secret_hash
from userpool.auth import Runtime
from userpool.domain.errors import CognitoError
from userpool.oauth import pages, sealed_password
from userpool.oauth.authorize import Authorize
from userpool.oauth.domains import DomainRequest
from userpool.oauth.login import Posted, first_form, posted, shown, sign_in_with_password
from userpool.oauth.pages import Form, text_field
from userpool.oauth.steps import PASSWORDS_DIFFER
from userpool.services import forgot_password, sign_up
from userpool.services.context import Context, Settings

SIGNED_UP = "Your account is confirmed. Please sign in."  # ours
RESET = "Your password has been reset. Please sign in."  # ours
KINDS = {"email": "email", "phone_number": "tel", "password": "password"}


def _context(runtime: Runtime, found: DomainRequest) -> Context:
    """What the pages' operations are given: the caller's address too (their auth events)."""
    return Context(Settings(), runtime, source_ip=found.source_ip)


def _client_fields(checked: Authorize, username: str) -> dict[str, str]:
    fields = {"ClientId": checked.client.id, "Username": username}
    if checked.client.secret:
        fields["SecretHash"] = secret_hash(checked.client.secret, username, checked.client.id)
    return fields


def _attributes(found: DomainRequest) -> list[str]:
    """What the sign-up form asks for besides a username and password: the pool's required
    attributes, and the addresses it sends codes to."""
    required = [name for name, entry in pool_schema(found.pool).items() if entry.get("Required")]
    return [
        name for name in dict.fromkeys([*required, *auto_verified(found.pool)]) if name != "sub"
    ]


def _field(name: str, values: Mapping[str, str]) -> str:
    label = name.removeprefix("custom:").replace("_", " ").capitalize()
    return text_field(name, label, kind=KINDS.get(name, "text"), value=values.get(name, ""))


def _new_password_fields() -> str:
    fields = text_field("password", "Password", kind="password", autocomplete="new-password")
    return fields + text_field(
        "confirm_password", "Enter the password again", kind="password", autocomplete="new-password"
    )


def _sign_up_form(
    found: DomainRequest, page: Posted, error: str | None = None, values: Mapping[str, str] = {}
) -> Form:
    fields = text_field("username", "Username", value=values.get("username", ""))
    fields += "".join(_field(name, values) for name in _attributes(found))
    fields += _new_password_fields()
    action = f"{found.base_url}/signup"
    return Form("Sign up", action, fields, dict(page.checked.params), page.token, "Sign up", error)


def _code_form(
    found: DomainRequest,
    page: Posted,
    path: str,
    username: str,
    error: str | None,
    *,
    reset: bool,
    sealed: str | None = None,
) -> Form:
    """`sealed`: the confirmation form's sealed password (sealed_password.py)."""
    fields = text_field("code", "Code", autocomplete="one-time-code", extra=' inputmode="numeric"')
    hidden = {**page.checked.params, "username": username}
    if sealed:
        hidden[sealed_password.FIELD] = sealed
    if reset:
        fields += _new_password_fields()
        intro = "<p>We sent a code to reset your password. Enter it with a new password.</p>"
        title, button = "Reset your password", "Change password"
    else:
        intro = "<p>We sent a code to confirm your account. Enter it below.</p>"
        title, button = "Confirm your account", "Confirm"
    action = f"{found.base_url}{path}"
    return Form(title, action, fields, hidden, page.token, button, error, intro)


def _forgot_form(found: DomainRequest, page: Posted, error: str | None = None) -> Form:
    fields = text_field("username", "Username", autocomplete="username")
    intro = "<p>Enter your username and we will send a code to reset your password.</p>"
    action = f"{found.base_url}/forgotPassword"
    return Form(
        "Forgot your password?",
        action,
        fields,
        dict(page.checked.params),
        page.token,
        "Send code",
        error,
        intro,
    )


Handler = Callable[[Runtime, DomainRequest, Posted], Response]


async def _get(
    runtime: Runtime,
    found: DomainRequest,
    request: Request,
    form: Callable[[DomainRequest, Posted], Form],
) -> Response:
    page = await shown(runtime, found, request)
    if isinstance(page, Response):
        return page
    return pages.form_page(form(found, page), cookie_headers=page.set_cookie)


async def _post(
    runtime: Runtime, found: DomainRequest, request: Request, handler: Handler
) -> Response:
    page = await posted(runtime, found, request)
    if isinstance(page, Response):
        return page
    return await run_in_threadpool(handler, runtime, found, page)


def _signed_up(runtime: Runtime, found: DomainRequest, page: Posted) -> Response:
    values, username = page.fields, page.fields.get("username", "").strip()
    if values.get("password", "") != values.get("confirm_password", ""):
        return pages.form_page(_sign_up_form(found, page, PASSWORDS_DIFFER, values), 400)
    attributes = [
        {"Name": name, "Value": values.get(name, "").strip()}
        for name in _attributes(found)
        if values.get(name, "").strip()
    ]
    password = values.get("password", "")
    request = {**_client_fields(page.checked, username), "Password": password}
    try:
        answer = sign_up.sign_up(_context(runtime, found), request | {"UserAttributes": attributes})
    except CognitoError as error:
        return pages.form_page(_sign_up_form(found, page, error.message, values), 400)
    if answer.get("UserConfirmed"):
        return sign_in_with_password(runtime, found, page.checked, page.token, username, password)
    client_id, now = page.checked.client.id, runtime.clock()
    sealed = sealed_password.seal(runtime, found.pool.id, client_id, username, password, now)
    form = _code_form(found, page, "/confirmUser", username, None, reset=False, sealed=sealed)
    return pages.form_page(form)


def _confirmed(runtime: Runtime, found: DomainRequest, page: Posted) -> Response:
    username = page.fields.get("username", "")
    sealed = page.fields.get(sealed_password.FIELD)
    request = _client_fields(page.checked, username) | {
        "ConfirmationCode": page.fields.get("code", "").strip()
    }
    try:
        sign_up.confirm_sign_up(_context(runtime, found), request)
    except CognitoError as error:
        form = _code_form(
            found, page, "/confirmUser", username, error.message, reset=False, sealed=sealed
        )
        return pages.form_page(form, 400)
    client_id, now = page.checked.client.id, runtime.clock()
    password = sealed_password.open_sealed(runtime, sealed, found.pool.id, client_id, username, now)
    if password is None:  # no longer kept: the sign-in form, as after a reset
        return pages.form_page(
            first_form(found, page.checked, page.token, None, username, SIGNED_UP)
        )
    return sign_in_with_password(runtime, found, page.checked, page.token, username, password)


def _forgot(runtime: Runtime, found: DomainRequest, page: Posted) -> Response:
    username = page.fields.get("username", "").strip()
    try:
        forgot_password.forgot_password(
            _context(runtime, found), _client_fields(page.checked, username)
        )
    except CognitoError as error:
        return pages.form_page(_forgot_form(found, page, error.message), 400)
    return pages.form_page(
        _code_form(found, page, "/confirmForgotPassword", username, None, reset=True)
    )


def _reset(runtime: Runtime, found: DomainRequest, page: Posted) -> Response:
    values, username = page.fields, page.fields.get("username", "")

    def again(error: str) -> Response:
        form = _code_form(found, page, "/confirmForgotPassword", username, error, reset=True)
        return pages.form_page(form, 400)

    if values.get("password", "") != values.get("confirm_password", ""):
        return again(PASSWORDS_DIFFER)
    request = _client_fields(page.checked, username) | {
        "ConfirmationCode": values.get("code", "").strip(),
        "Password": values.get("password", ""),
    }
    try:
        forgot_password.confirm_forgot_password(_context(runtime, found), request)
    except CognitoError as error:
        return again(error.message)
    return pages.form_page(first_form(found, page.checked, page.token, None, username, RESET))


async def serve(runtime: Runtime, found: DomainRequest, request: Request) -> Response | None:
    """The account page at `found.path`, or None when there is none there."""
    if request.method == "GET" and found.path == "/signup":
        return await _get(runtime, found, request, _sign_up_form)
    if request.method == "GET" and found.path == "/forgotPassword":
        return await _get(runtime, found, request, _forgot_form)
    handler = POSTS.get(found.path) if request.method == "POST" else None
    return None if handler is None else await _post(runtime, found, request, handler)


POSTS: dict[str, Handler] = {
    "/signup": _signed_up,
    "/confirmUser": _confirmed,
    "/forgotPassword": _forgot,
    "/confirmForgotPassword": _reset,
}
