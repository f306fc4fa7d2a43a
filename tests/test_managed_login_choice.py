"""Choice-based sign-in (USER_AUTH) on the managed login pages, for a domain with
ManagedLoginVersion 2, an app client that takes ALLOW_USER_AUTH and a pool whose sign-in policy
allows more than the password: the username first, then a choice among the user's first
factors (the password, a code by email or text message, a passkey), each answered on its own
page without JavaScript but the passkey's. Driven here by the httpx browser (no JavaScript);
the passkey through a real browser is tests/test_browser_managed_passkey.py."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from tests.codes_support import last_code, outbox_fixtures
from tests.conftest import Server
from tests.login_support import CALLBACK, SCOPES, Browser, Page, Site, location, page_of, query_of
from tests.passkey_support import LOCAL_ORIGIN, SoftwareAuthenticator
from tests.signin_support import PASSWORD, claims, tokens_of, unique
from tests.user_auth_support import USER_AUTH_FLOWS, Choice
from userpool.oauth import passkey_script

server, cognito = outbox_fixtures("managed-login-choice")


@pytest.fixture
def browser() -> Iterator[Browser]:
    made = Browser()
    yield made
    made.close()


def choice_site(
    choice: Choice,
    *,
    version: int = 2,
    flows: tuple[str, ...] = USER_AUTH_FLOWS,
    **client: Any,
) -> Site:
    """A domain of `choice`'s pool (ManagedLoginVersion `version`) and an OAuth app client of
    it, with a secret (the pages send SECRET_HASH), taking `flows` (and `client`)."""
    domain = unique("choose")
    choice.cognito.create_user_pool_domain(
        UserPoolId=choice.pool_id, Domain=domain, ManagedLoginVersion=version
    )
    client = choice.cognito.create_user_pool_client(
        UserPoolId=choice.pool_id,
        ClientName=unique("web"),
        GenerateSecret=True,
        ExplicitAuthFlows=list(flows),
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPES,
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
        **client,
    )["UserPoolClient"]
    return Site(
        choice.server,
        choice.cognito,
        choice.pool_id,
        domain,
        client["ClientId"],
        client["ClientSecret"],
    )


def choices_of(page: Page) -> list[str]:
    """The first factors a choice page offers: its buttons' values, in order."""
    return re.findall(r'<button type="submit" name="answer" value="([A-Z_]+)"', page.html)


def chosen(site: Site, browser: Browser, username: str, **authorize: str) -> Page:
    """The sign-in page (the username alone), answered with `username`: the choice page."""
    first = site.login_page(browser, **authorize)
    assert "password" not in first.fields and first.fields["step"] == "username", first.text
    page = page_of(browser.submit(first, username=username))
    assert page.status == 200 and page.fields["challenge"] == "SELECT_CHALLENGE", page.text
    assert f"Signing in as {username}" in page.text
    return page


def landed_as(site: Site, back: str, username: str, state: str | None = None) -> dict[str, Any]:
    """`back` is the callback with a code: the tokens it gets, for `username`."""
    assert back.startswith(CALLBACK + "?"), back
    if state is not None:
        assert query_of(back)["state"] == state
    exchanged = site.exchange(query_of(back)["code"])
    assert exchanged.status_code == 200, exchanged.text
    tokens: dict[str, Any] = exchanged.json()
    assert claims(tokens["access_token"])["username"] == username
    return tokens


def test_the_username_then_the_password_chosen(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    site = choice_site(choice)
    username = choice.user()
    page = chosen(site, browser, username, state="st-password")
    # Every factor the user has, the password first (its field, and the default button).
    assert choices_of(page) == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert page.fields["password"] == ""
    assert "<script" not in page.html  # no passkey on offer: no script
    empty = page_of(browser.submit(page, answer="PASSWORD"))
    assert empty.status == 400 and "Please enter your password." in empty.text
    wrong = page_of(browser.submit(empty, answer="PASSWORD", password="not-it"))
    # A refused password starts the choice again, for the same user, the refusal in words.
    assert wrong.status == 400 and "Incorrect username or password." in wrong.text
    assert wrong.fields["challenge"] == "SELECT_CHALLENGE"
    assert wrong.fields["session"] != page.fields["session"]
    back = location(browser.submit(wrong, answer="PASSWORD", password=PASSWORD))
    landed_as(site, back, username, "st-password")


@pytest.mark.parametrize("factor", ["EMAIL_OTP", "SMS_OTP"])
def test_a_code_chosen_is_sent_and_asked_for(
    server: Server, cognito: Any, browser: Browser, factor: str
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    site = choice_site(choice)
    username = choice.user()
    page = chosen(site, browser, username, state="st-code")
    # The code's button needs no password: it posts the choice alone.
    asked = page_of(browser.submit(page, answer=factor))
    assert asked.status == 200 and asked.fields["challenge"] == factor, asked.text
    assert re.search(r"We sent a code to \S+", asked.text)
    wrong = page_of(browser.submit(asked, code="00000000"))
    assert wrong.status == 400 and "Invalid code" in wrong.text
    back = location(browser.submit(wrong, code=last_code(server, choice.pool_id, username)))
    landed_as(site, back, username, "st-code")


def test_only_the_factors_the_user_has_are_offered(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    site = choice_site(choice)
    unverified = choice.user(verified=False)
    assert choices_of(chosen(site, browser, unverified)) == ["PASSWORD"]
    email_only = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    assert choices_of(chosen(choice_site(email_only), browser, email_only.user())) == [
        "PASSWORD",
        "EMAIL_OTP",
    ]


def test_an_unknown_username_is_refused_on_the_first_page(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    site = choice_site(choice)
    first = site.login_page(browser)
    blank = page_of(browser.submit(first, username=" "))
    assert blank.status == 400 and "Please enter a username." in blank.text
    unknown = page_of(browser.submit(first, username=unique("nobody")))
    assert unknown.status == 400 and "User does not exist." in unknown.text
    assert unknown.fields["step"] == "username"


def test_where_the_client_hides_users_a_stranger_gets_a_users_choice(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    site = choice_site(choice, PreventUserExistenceErrors="ENABLED")
    stranger = f"{unique('nobody')}@example.com"
    page = chosen(site, browser, stranger)
    # A name shaped like an address is offered the code by email too, as a user's would be.
    assert choices_of(page) == ["PASSWORD", "EMAIL_OTP"]
    refused = page_of(browser.submit(page, answer="PASSWORD", password=PASSWORD))
    assert refused.status == 400 and "Incorrect username or password." in refused.text
    assert refused.fields["challenge"] == "SELECT_CHALLENGE"


@pytest.mark.parametrize(
    ("version", "flows", "factors"),
    [
        (1, USER_AUTH_FLOWS, ["PASSWORD", "EMAIL_OTP"]),  # the classic hosted UI
        (2, ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"), ["PASSWORD", "EMAIL_OTP"]),
        (2, USER_AUTH_FLOWS, ["PASSWORD"]),  # nothing to choose from
    ],
)
def test_elsewhere_the_page_asks_for_the_username_and_password(
    server: Server,
    cognito: Any,
    browser: Browser,
    version: int,
    flows: tuple[str, ...],
    factors: list[str],
) -> None:
    choice = Choice.make(server, cognito, factors=factors)
    site = choice_site(choice, version=version, flows=flows)
    username = choice.user()
    first = site.login_page(browser)
    assert {"username", "password"} <= set(first.fields) and "step" not in first.fields
    landed_as(site, location(browser.submit(first, username=username, password=PASSWORD)), username)


def registered_passkey(choice: Choice, username: str) -> SoftwareAuthenticator:
    """A passkey for `username`, registered through the API (its RP id: `localhost`, this
    server's host), in a software authenticator."""
    token = tokens_of(choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD))
    options = choice.cognito.start_web_authn_registration(AccessToken=token["AccessToken"])
    authenticator = SoftwareAuthenticator()
    credential = authenticator.register(options["CredentialCreationOptions"])
    choice.cognito.complete_web_authn_registration(
        AccessToken=token["AccessToken"], Credential=credential
    )
    return authenticator


def test_a_passkey_is_offered_to_scripts_and_answered_by_the_credential_posted(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito)
    site = choice_site(choice)
    username = choice.user()
    authenticator = registered_passkey(choice, username)
    first = site.login_page(browser)
    answered = browser.submit(first, username=username)
    page = page_of(answered)
    assert choices_of(page) == ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
    # The passkey's button is hidden until the script, the only one the policy lets run,
    # finds WebAuthn: without JavaScript it is not offered.
    assert re.search(
        r'value="WEB_AUTHN" class="other" formnovalidate data-webauthn hidden>', page.html
    )
    script = re.search(r"<script>(.*?)</script>", page.html, re.S)
    assert script is not None and script[1] == passkey_script.SOURCE
    digest = base64.b64encode(hashlib.sha256(script[1].encode()).digest()).decode()
    policy = answered.headers["content-security-policy"]
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy

    passkey = page_of(browser.submit(page, answer="WEB_AUTHN"))
    assert passkey.status == 200 and passkey.fields["challenge"] == "WEB_AUTHN", passkey.text
    block = re.search(
        r'<script type="application/json" id="passkey-options">(.*?)</script>', passkey.html
    )
    assert block is not None
    # Sent without an assertion (no JavaScript ran): refused in words, the session unspent.
    refused = page_of(browser.submit(passkey))
    assert refused.status == 400 and "needs JavaScript" in refused.text
    origin = LOCAL_ORIGIN  # a page the RP id `localhost` allows
    credential = authenticator.authenticate(block[1], origin=origin)
    back = location(browser.submit(refused, credential=credential))
    landed_as(site, back, username)
    assert urlsplit(back).netloc == urlsplit(CALLBACK).netloc


def test_a_passkey_that_fails_starts_the_choice_again(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito)
    site = choice_site(choice)
    username = choice.user()
    authenticator = registered_passkey(choice, username)
    page = page_of(browser.submit(site.login_page(browser), username=username))
    passkey = page_of(browser.submit(page, answer="WEB_AUTHN"))
    block = re.search(r'id="passkey-options">(.*?)</script>', passkey.html)
    assert block is not None
    elsewhere = authenticator.authenticate(block[1], origin="https://evil.example.com")
    again = page_of(browser.submit(passkey, credential=elsewhere))
    assert again.status == 400 and "Incorrect username or password." in again.text
    assert again.fields["challenge"] == "SELECT_CHALLENGE"
    back = location(browser.submit(again, answer="PASSWORD", password=PASSWORD))
    landed_as(site, back, username)


def test_after_a_reset_the_choice_starts_with_the_username(
    server: Server, cognito: Any, browser: Browser
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    site = choice_site(choice)
    username = choice.user()
    query = urlencode(site.authorize_params())
    form = page_of(browser.get(f"{site.base}/forgotPassword?{query}"))
    reset = page_of(browser.submit(form, username=username))
    new = "Brand-new-Passw0rd"
    code = last_code(server, choice.pool_id, username)
    signin = page_of(browser.submit(reset, code=code, password=new, confirm_password=new))
    assert "Your password has been reset." in signin.text
    assert signin.fields["step"] == "username" and signin.fields["username"] == username
    page = page_of(browser.submit(signin))
    landed_as(site, location(browser.submit(page, answer="PASSWORD", password=new)), username)


def test_a_sign_up_ends_signed_in_here_too(server: Server, cognito: Any, browser: Browser) -> None:
    choice = Choice.make(
        server, cognito, factors=["PASSWORD", "EMAIL_OTP"], AutoVerifiedAttributes=["email"]
    )
    site = choice_site(choice)
    query = urlencode(site.authorize_params(state="st-new"))
    form = page_of(browser.get(f"{site.base}/signup?{query}"))
    username, address = unique("new"), f"{unique('n')}@example.com"
    confirm = page_of(
        browser.submit(
            form, username=username, email=address, password=PASSWORD, confirm_password=PASSWORD
        )
    )
    code = last_code(server, choice.pool_id, username)
    landed_as(site, location(browser.submit(confirm, code=code)), username, "st-new")
