"""Choice-based sign-in on the managed login pages: "Implement the ALLOW_USER_AUTH flow in your
app client, and Amazon Cognito prompts users to select a sign-in method from the available
options" (Developer Guide, "Configure authentication methods for managed login"). Only the
newer managed login does it: "users can do passwordless and passkey authentication only in
managed login" ("Things to know about authentication with user pools"), not in the classic
hosted UI, so a domain needs ManagedLoginVersion 2.

Where it applies (`offers_choice`), the sign-in page asks for the username alone; the engine's
USER_AUTH answers with SELECT_CHALLENGE and its AvailableChallenges, and the next page offers
those: the password (its field and button, answered with the choice in one response, as
SELECT_CHALLENGE takes it), a code by email or by text message (EMAIL_OTP, SMS_OTP: the code
page that follows is the MFA code page), and a passkey (WEB_AUTHN: its own page, below). Each
choice is a submit button of one form: no script is needed but the passkey's.

The passkey page holds the challenge's CREDENTIAL_REQUEST_OPTIONS as a JSON data block (data,
not code) and the passkey script (oauth/passkey_script.py), which asks the browser for the
assertion and sends it back as the form's `credential`. Without JavaScript the passkey choice
is hidden, and a passkey page sent without an assertion is refused here before the engine sees
it (the sign-in's session stays unused)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

import orjson

from userpool import auth
from userpool.domain.client_rules import allowed_flows
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import AppClient
from userpool.domain.pool_domains import MANAGED_LOGIN
from userpool.oauth import passkey_script
from userpool.oauth.domains import DomainRequest
from userpool.oauth.pages import Form, text_field

SELECT = "SELECT_CHALLENGE"
PASSKEY = "WEB_AUTHN"
AVAILABLE = "AVAILABLE"  # the step's parameter listing SELECT_CHALLENGE's choices
PASSWORDS = ("PASSWORD", "PASSWORD_SRP")  # the pages answer both with the password itself
# The other choices, in the order they are offered, as a person reads them.
OTHERS = {
    "EMAIL_OTP": "Email me a sign-in code",
    "SMS_OTP": "Text me a sign-in code",
    PASSKEY: "Sign in with a passkey",
}
ENTER_USERNAME = "Please enter a username."  # ours
ENTER_PASSWORD = "Please enter your password."  # ours
NEEDS_SCRIPT = (  # ours
    "Signing in with a passkey needs JavaScript, which this browser did not run. "
    "Choose another way to sign in."
)


def offers_choice(found: DomainRequest, client: AppClient) -> bool:
    """The sign-in starts with the username and a choice of first factor: a managed-login
    (version 2) domain, an app client that takes USER_AUTH, and a pool whose sign-in policy
    allows more than the password."""
    if found.domain.managed_login_version != MANAGED_LOGIN:
        return False
    if "ALLOW_USER_AUTH" not in allowed_flows(client.settings):
        return False
    return bool(auth.allowed_first_factors(found.pool) - {"PASSWORD"})


def username_form(
    found: DomainRequest,
    params: Mapping[str, str],
    token: str,
    error: str | None,
    username: str = "",
    notice: str | None = None,
) -> Form:
    """The first page of a choice-based sign-in: the username alone."""
    fields = text_field("username", "Username", value=username, autocomplete="username")
    query = urlencode(params)
    links = {
        "Forgot your password?": f"{found.base_url}/forgotPassword?{query}",
        "Sign up": f"{found.base_url}/signup?{query}",
    }
    intro = f"<p>{escape(notice)}</p>" if notice else ""
    hidden = {**params, "step": "username"}
    action = f"{found.base_url}/login"
    return Form("Sign in", action, fields, hidden, token, "Next", error, intro, links)


def available(parameters: Mapping[str, str]) -> list[str]:
    try:
        listed = orjson.loads(parameters.get(AVAILABLE) or "[]")
    except orjson.JSONDecodeError:
        return []
    return [str(item) for item in listed] if isinstance(listed, list) else []


def _button(value: str, text: str, *, other: bool) -> str:
    extra = ' class="other" formnovalidate' if other else ""
    if value == PASSKEY:
        extra += " data-webauthn hidden"  # shown by the passkey script where WebAuthn is
    return (
        f'<button type="submit" name="answer" value="{escape(value)}"{extra}>'
        f"{escape(text)}</button>"
    )


def choice_form(
    username: str,
    parameters: Mapping[str, str],
    action: str,
    carried: Mapping[str, str],
    csrf: str,
    error: str | None,
    restart: str,
) -> Form:
    """SELECT_CHALLENGE's page: one form, a button per choice (the password's with its field:
    the default button, which Enter in the field sends); `restart`: the first page again."""
    choices = available(parameters)
    password = any(name in choices for name in PASSWORDS)
    fields = ""
    if password:
        fields += text_field(
            "password", "Password", kind="password", autocomplete="current-password"
        )
        fields += _button("PASSWORD", "Sign in with password", other=False)
    others = [name for name in OTHERS if name in choices]
    fields += "".join(_button(name, OTHERS[name], other=password) for name in others)
    if others == [PASSKEY] and not password:  # nothing else to choose without a script
        fields += f'<noscript><p class="error">{escape(NEEDS_SCRIPT)}</p></noscript>'
    intro = f"<p>Signing in as <strong>{escape(username)}</strong>.</p>"
    links = {"Sign in as someone else": restart}
    return Form(
        "Sign in",
        action,
        fields,
        carried,
        csrf,
        "",
        error,
        intro,
        links,
        script=PASSKEY in choices,
    )


def _options_block(parameters: Mapping[str, str]) -> str:
    """CREDENTIAL_REQUEST_OPTIONS as a JSON data block: parsed and written again here (only
    JSON gets through), with <, > and & escaped, so the text can never end the block."""
    try:
        options = orjson.loads(parameters.get("CREDENTIAL_REQUEST_OPTIONS") or "{}")
    except orjson.JSONDecodeError:
        options = {}
    text = orjson.dumps(options).decode()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{passkey_script.OPTIONS_ID}">{text}</script>'


def passkey_form(
    username: str,
    parameters: Mapping[str, str],
    action: str,
    carried: Mapping[str, str],
    csrf: str,
    error: str | None,
    restart: str,
) -> Form:
    """WEB_AUTHN's page: the browser is asked for the assertion as the page opens, and again
    each time its button is pressed."""
    fields = _options_block(parameters)
    fields += f'<p id="{passkey_script.STATUS_ID}" class="error" role="alert" hidden></p>'
    fields += f'<noscript><p class="error">{escape(NEEDS_SCRIPT)}</p></noscript>'
    intro = (
        f"<p>Use your passkey for <strong>{escape(username)}</strong>: this device's, or a "
        "security key.</p>"
    )
    links = {"Choose another way to sign in": restart}
    hidden = {**carried, "credential": ""}
    return Form(
        "Sign in with a passkey",
        action,
        fields,
        hidden,
        csrf,
        "Use my passkey",
        error,
        intro,
        links,
        script=True,
    )


def responses(challenge: str, form: Mapping[str, str]) -> dict[str, str]:
    """SELECT_CHALLENGE's or WEB_AUTHN's responses from what its page sent (USERNAME aside);
    InvalidParameterException, before the engine is asked, for an answer that cannot be."""
    if challenge == PASSKEY:
        credential = form.get("credential", "")
        if not credential:
            raise InvalidParameterException(NEEDS_SCRIPT)
        return {"CREDENTIAL": credential}
    chosen = form.get("answer", "")
    if chosen not in PASSWORDS:
        return {"ANSWER": chosen}
    password = form.get("password", "")
    if not password:
        raise InvalidParameterException(ENTER_PASSWORD)
    return {"ANSWER": chosen, "PASSWORD": password}
