"""The pages of a managed-login sign-in after its first page: one per challenge the engine can
return, each a form that answers it (SELECT_CHALLENGE's choice and WEB_AUTHN's passkey:
oauth/choice_pages.py). The challenge's Session rides in a hidden field (the
engine binds it to the pool, client and user, and checks its expiry and single use); what
the page asks for becomes the challenge's responses (`responses`). MFA_SETUP with an
authenticator app runs AssociateSoftwareToken / VerifySoftwareToken with the session, through
the same services the API uses, and shows the secret as a QR code drawn here (an SVG: no
image service sees the secret, no script is needed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

import orjson
import segno

from userpool.auth import Challenge, Runtime
from userpool.domain.errors import InvalidParameterException
from userpool.oauth import choice_pages
from userpool.oauth.pages import Form, choices, text_field
from userpool.services import software_token
from userpool.services.context import Context, Settings

TOTP = "SOFTWARE_TOKEN_MFA"
# The second factors' names as a person reads them.
FACTOR_NAMES = {
    "SMS_MFA": "A code sent by text message",
    "SMS_OTP": "A code sent by text message",
    TOTP: "A code from an authenticator app",
    "EMAIL_OTP": "A code sent by email",
    "EMAIL_MFA": "A code sent by email",
}
CODE_FIELDS = {
    "SMS_MFA": "SMS_MFA_CODE",
    TOTP: "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",  # a second factor, or a first one chosen (USER_AUTH)
    "SMS_OTP": "SMS_OTP_CODE",  # a first factor chosen (USER_AUTH)
}
CHOICE_STEPS = (choice_pages.SELECT, choice_pages.PASSKEY)
PASSWORDS_DIFFER = "The passwords do not match."  # ours: Cognito's page says much the same
ATTRIBUTE_PREFIX = "userAttributes."


@dataclass(frozen=True)
class Step:
    """Where a sign-in stands between two pages: the challenge, its session, who signs in,
    and what the page needs of the challenge's parameters."""

    challenge: str
    session: str
    username: str
    parameters: Mapping[str, str]

    def hidden(self) -> dict[str, str]:
        return {
            "step": "challenge",
            "challenge": self.challenge,
            "session": self.session,
            "username": self.username,
            "parameters": orjson.dumps(dict(self.parameters)).decode(),
        }


def step_of(form: Mapping[str, str]) -> Step:
    """The step a posted challenge form stands for (its hidden fields)."""
    try:
        parameters = orjson.loads(form.get("parameters") or "{}")
    except orjson.JSONDecodeError as error:
        raise InvalidParameterException("The form was altered.") from error
    if not isinstance(parameters, dict):
        raise InvalidParameterException("The form was altered.")
    return Step(
        form.get("challenge", ""),
        form.get("session", ""),
        form.get("username", ""),
        {str(k): str(v) for k, v in parameters.items()},
    )


def _context(runtime: Runtime) -> Context:
    return Context(Settings(), runtime)


def start(runtime: Runtime, challenge: Challenge, username: str) -> Step:
    """The step for a challenge the engine just returned. For MFA_SETUP with an
    authenticator on offer, the authenticator's secret is made now (AssociateSoftwareToken
    with the session) and the session it returns carried on."""
    parameters = dict(challenge.parameters)
    session = challenge.session or ""
    if challenge.available is not None:  # USER_AUTH's AvailableChallenges: what to offer
        parameters[choice_pages.AVAILABLE] = orjson.dumps(list(challenge.available)).decode()
    if challenge.name == "MFA_SETUP" and TOTP in _listed(parameters, "MFAS_CAN_SETUP"):
        answer = software_token.associate_software_token(_context(runtime), {"Session": session})
        session = answer["Session"]
        parameters["SECRET"] = answer["SecretCode"]
    return Step(str(challenge.name), session, username, parameters)


def _listed(parameters: Mapping[str, str], name: str) -> list[str]:
    try:
        value = orjson.loads(parameters.get(name) or "[]")
    except orjson.JSONDecodeError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def _required_attributes(parameters: Mapping[str, str]) -> list[str]:
    """NEW_PASSWORD_REQUIRED's requiredAttributes: only `userAttributes.*` names become
    responses, whatever the (posted back) parameters say."""
    listed = _listed(parameters, "requiredAttributes")
    return [name for name in listed if name.startswith(ATTRIBUTE_PREFIX)]


def _qr(secret: str, username: str, issuer: str) -> str:
    """An otpauth:// URI (Google Authenticator's key URI format) as an inline SVG."""
    label = quote(f"{issuer}:{username}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}"
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=4, title="QR code for your authenticator app"
    )
    return svg


def responses(runtime: Runtime, step: Step, form: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The session and responses that answer `step` from what its page sent. MFA_SETUP's
    authenticator code is verified first (VerifySoftwareToken), whose session answers it."""
    answer: dict[str, str] = {"USERNAME": step.username}
    name = step.challenge
    if name == "NEW_PASSWORD_REQUIRED":
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise InvalidParameterException(PASSWORDS_DIFFER)
        answer["NEW_PASSWORD"] = form.get("new_password", "")
        for attribute in _required_attributes(step.parameters):
            answer[attribute] = form.get(attribute, "")
        return step.session, answer
    if name in CODE_FIELDS:
        answer[CODE_FIELDS[name]] = form.get("code", "").strip()
        return step.session, answer
    if name == "SELECT_MFA_TYPE":
        answer["ANSWER"] = form.get("answer", "")
        return step.session, answer
    if name in CHOICE_STEPS:
        return step.session, answer | choice_pages.responses(name, form)
    if name == "MFA_SETUP" and "SECRET" in step.parameters:
        request = {"Session": step.session, "UserCode": form.get("code", "").strip()}
        verified = software_token.verify_software_token(_context(runtime), request)
        return verified["Session"], answer
    if name == "MFA_SETUP":
        answer["EMAIL"] = form.get("email", "").strip()
        return step.session, answer
    raise InvalidParameterException(f"{name} cannot be answered on this page.")


def page(
    step: Step, action: str, hidden: Mapping[str, str], csrf: str, error: str | None, issuer: str
) -> Form:
    """The form that answers `step`; `issuer`: the name an authenticator app shows for it.
    The QR code is drawn from the secret each time (segno's SVG: no value of the request is
    ever put into the page as markup)."""
    carried = {**hidden, **step.hidden()}
    name, parameters = step.challenge, step.parameters
    if name in CHOICE_STEPS:
        restart = f"{action}?{urlencode(hidden)}"
        made = (
            choice_pages.passkey_form if name == choice_pages.PASSKEY else choice_pages.choice_form
        )
        return made(step.username, parameters, action, carried, csrf, error, restart)
    if name == "NEW_PASSWORD_REQUIRED":
        fields = text_field(
            "new_password", "New password", kind="password", autocomplete="new-password"
        )
        fields += text_field(
            "confirm_password",
            "Enter the new password again",
            kind="password",
            autocomplete="new-password",
        )
        for attribute in _required_attributes(parameters):
            label = attribute.removeprefix(ATTRIBUTE_PREFIX).replace("_", " ").capitalize()
            fields += text_field(attribute, label)
        intro = "<p>Please enter a new password.</p>"
        return Form("Change password", action, fields, carried, csrf, "Send", error, intro)
    if name in CODE_FIELDS:
        return Form(
            "Enter your code",
            action,
            _code_field(),
            carried,
            csrf,
            "Sign in",
            error,
            _code_intro(name, parameters),
        )
    if name == "SELECT_MFA_TYPE":
        options = [(f, FACTOR_NAMES.get(f, f)) for f in _listed(parameters, "MFAS_CAN_CHOOSE")]
        fields = choices("answer", "How would you like to sign in?", options)
        return Form("Choose a sign-in method", action, fields, carried, csrf, "Continue", error)
    if name == "MFA_SETUP" and "SECRET" in parameters:
        intro = (
            "<p>Scan this code with your authenticator app, or enter the key below, then "
            f"type the code it shows.</p>{_qr(parameters['SECRET'], step.username, issuer)}"
            f'<p>Key: <span class="secret">{escape(parameters["SECRET"])}</span></p>'
        )
        return Form(
            "Set up an authenticator app",
            action,
            _code_field(),
            carried,
            csrf,
            "Verify",
            error,
            intro,
        )
    if name == "MFA_SETUP":
        fields = text_field("email", "Email address", kind="email", autocomplete="email")
        intro = "<p>Enter an email address to receive sign-in codes at.</p>"
        return Form("Set up sign-in codes", action, fields, carried, csrf, "Continue", error, intro)
    return Form(
        "Sign-in step not available",
        action,
        "",
        carried,
        csrf,
        "Back",
        error or f"{name} is not available on these pages.",
    )


def _code_field() -> str:
    return text_field("code", "Code", autocomplete="one-time-code", extra=' inputmode="numeric"')


def _code_intro(name: str, parameters: Mapping[str, str]) -> str:
    destination = parameters.get("CODE_DELIVERY_DESTINATION")
    if name == TOTP or not destination:
        return "<p>Enter the code from your authenticator app.</p>" if name == TOTP else ""
    return f"<p>We sent a code to {escape(destination)}.</p>"
