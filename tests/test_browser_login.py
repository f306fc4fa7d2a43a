"""The managed login pages in a real browser: headless Chromium (Debian's, through Playwright)
goes from /oauth2/authorize through the pages to the app's callback, over HTTPS
(`serve --tls`, the browser trusting the local CA), on the domain's own host name
`webapp.localhost`: a sign-in, a sign-up confirmed with the code from the outbox, a forgotten
password, an authenticator app set up from the QR code, and /logout. A screenshot of each page
is kept in test-artifacts/managed-login/.

The app behind the callback URL is a static site on http://localhost:PORT."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import (
    NamedSite,
    artifact,
    needs_chromium,
    static_site,
    tls_fixtures,
)
from tests.codes_support import last_code
from tests.conftest import Server
from tests.login_support import Site, query_of
from tests.mfa_support import authenticator_code, mfa_pool
from tests.signin_support import PASSWORD, claims, new_pool, unique

pytestmark = needs_chromium

server, cognito, browser = tls_fixtures("browser-login")

PREFIX = "webapp"
NEW_PASSWORD = "An0ther-Passw0rd!"


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    """One pool for the module: its domain is the host name the server's certificate names."""
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"])
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=PREFIX)
    return pool


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app the pages send the browser back to: its origin, http://localhost:PORT, with a
    /callback and a /signed-out page."""
    root = tmp_path_factory.mktemp("app")
    (root / "callback").write_text("<!doctype html><title>App</title><h1>The app</h1>")
    (root / "signed-out").write_text("<!doctype html><title>App</title><h1>Signed out</h1>")
    with static_site(root) as origin:
        yield origin


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=artifact(f"managed-login/{name}.png"), full_page=True)


def start(page: Page, site: Site, **overrides: str) -> dict[str, str]:
    """Open /oauth2/authorize (code, PKCE S256, state, nonce); the sign-in page is shown.
    The parameters sent."""
    verifier, challenge = pkce()
    params = site.authorize_params(
        code_challenge=challenge,
        code_challenge_method="S256",
        nonce=unique("n"),
        scope="openid email profile aws.cognito.signin.user.admin",
        **overrides,
    )
    page.goto(f"{site.base}/oauth2/authorize?{urlencode(params)}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    return {**params, "code_verifier": verifier}


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def landed(page: Page, site: Site, sent: dict[str, str]) -> dict[str, Any]:
    """The browser is at the callback with a code for `sent`'s state: the tokens that code
    gets at the token endpoint (with the PKCE verifier), checked against the request."""
    page.wait_for_url(f"{site.callback}?**")
    expect(page.get_by_role("heading", name="The app")).to_be_visible()
    back = query_of(page.url)
    assert back["state"] == sent["state"]
    exchanged = site.exchange(back["code"], code_verifier=sent["code_verifier"])
    assert exchanged.status_code == 200, exchanged.text
    tokens: dict[str, Any] = exchanged.json()
    assert claims(tokens["id_token"])["nonce"] == sent["nonce"]
    return tokens


def username_of(tokens: dict[str, Any]) -> str:
    name: str = claims(tokens["access_token"])["username"]
    return name


@pytest.fixture
def site(server: Server, cognito: Any, pool_id: str, app: str) -> NamedSite:
    return NamedSite.make(server, cognito, pool_id=pool_id, domain=PREFIX, app=app)


def test_sign_in_comes_back_to_the_app_with_a_code(page: Page, site: NamedSite) -> None:
    username = site.user(email=f"{unique('e')}@example.com")
    sent = start(page, site)
    shot(page, "sign-in")
    sign_in(page, username, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Incorrect username or password.")
    shot(page, "sign-in-error")
    sign_in(page, username, PASSWORD)
    tokens = landed(page, site, sent)
    assert username_of(tokens) == username
    assert "aws.cognito.signin.user.admin" in claims(tokens["access_token"])["scope"]


def test_a_signed_in_browser_goes_straight_back_and_logout_ends_it(
    page: Page, site: NamedSite
) -> None:
    username = site.user()
    sign_in_sent = start(page, site)
    sign_in(page, username, PASSWORD)
    landed(page, site, sign_in_sent)

    # The session cookie: /oauth2/authorize again, no page, a new code.
    again = site.authorize_params()
    page.goto(f"{site.base}/oauth2/authorize?{urlencode(again)}")
    page.wait_for_url(f"{site.callback}?**")
    assert query_of(page.url)["state"] == again["state"]

    signing_out = {"client_id": site.client_id, "logout_uri": site.signed_out}
    page.goto(f"{site.base}/logout?{urlencode(signing_out)}")
    page.wait_for_url(site.signed_out)
    expect(page.get_by_role("heading", name="Signed out")).to_be_visible()
    start(page, site)  # the sign-in page again: the session is gone


def test_sign_up_confirmed_with_the_emailed_code(page: Page, site: NamedSite) -> None:
    username, email = unique("new"), f"{unique('e')}@example.com"
    sent = start(page, site)
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Enter the password again").fill(PASSWORD)
    shot(page, "sign-up")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
    shot(page, "confirm-sign-up")
    page.get_by_label("Code").fill(last_code(site.server, site.pool_id, username))
    page.get_by_role("button", name="Confirm").click()
    # As on Cognito, a confirmed sign-up is signed in at once: back to the app with a code.
    assert username_of(landed(page, site, sent)) == username
    user = site.cognito.admin_get_user(UserPoolId=site.pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"


def test_a_forgotten_password_is_reset_with_the_emailed_code(page: Page, site: NamedSite) -> None:
    username = site.user(email=f"{unique('e')}@example.com", email_verified="true")
    sent = start(page, site)
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username").fill(username)
    shot(page, "forgot-password")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Code").fill(last_code(site.server, site.pool_id, username))
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the password again").fill(NEW_PASSWORD)
    shot(page, "reset-password")
    page.get_by_role("button", name="Change password").click()
    # As on Cognito, a reset password is then used on the sign-in page.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, username, NEW_PASSWORD)
    assert username_of(landed(page, site, sent)) == username


def test_an_authenticator_app_set_up_from_the_qr_code(
    server: Server, cognito: Any, page: Page, app: str
) -> None:
    pool = mfa_pool(cognito, "ON", ("SOFTWARE_TOKEN_MFA",))
    # A second domain name would need another certificate: the pool is reached by path here.
    site = NamedSite.make(server, cognito, pool_id=pool, app=app)
    site.by_name = False
    username = site.user()
    sent = start(page, site)
    sign_in(page, username, PASSWORD)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    shot(page, "set-up-authenticator")
    secret = page.locator(".secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]+", secret)
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Verify").click()
    tokens = landed(page, site, sent)
    assert username_of(tokens) == username
    settings = cognito.admin_get_user(UserPoolId=pool, Username=username)
    assert settings["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_the_session_cookie_is_secure_and_http_only(page: Page, site: NamedSite) -> None:
    start(page, site)
    sign_in(page, site.user(), PASSWORD)
    page.wait_for_url(f"{site.callback}?**")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies(site.base)}
    assert cookies["cognito"]["secure"] and cookies["cognito"]["httpOnly"]
    assert cookies["cognito"]["sameSite"] == "Lax"
    # The app's origin holds none of the domain's cookies.
    assert page.context.cookies(site.callback) == []
