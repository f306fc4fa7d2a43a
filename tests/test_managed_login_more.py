"""More of managed login: PKCE through the page to the token endpoint, a session cookie that
was altered (ignored), the cookies' attributes over HTTPS, and the choice of second factor."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.conftest import Server
from tests.login_support import CALLBACK, Browser, Site, location, page_of, query_of
from tests.mfa_support import Login, authenticator_code, away_from_step_edge, mfa_pool
from tests.signin_support import PASSWORD, new_client
from userpool.domain.models import UserPool
from userpool.domain.pool_domains import DomainKind, PoolDomain
from userpool.oauth import cookies
from userpool.oauth.domains import DomainRequest


@pytest.fixture
def browser() -> Any:
    made = Browser()
    yield made
    made.close()


def test_pkce_s256_binds_the_code_to_its_verifier(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito, secret=False)
    username = site.user()
    verifier = "v" * 50
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    page = site.login_page(browser, code_challenge=challenge, code_challenge_method="S256")
    code = query_of(location(browser.submit(page, username=username, password=PASSWORD)))["code"]
    assert site.exchange(code, code_verifier="w" * 50).status_code == 400
    # The remembered session's code is bound the same way.
    again = browser.get(site.authorize_url(code_challenge=challenge, code_challenge_method="S256"))
    code = query_of(location(again))["code"]
    exchanged = site.exchange(code, code_verifier=verifier)
    assert exchanged.status_code == 200, exchanged.text


def test_an_altered_session_cookie_is_ignored(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    page = site.login_page(browser)
    browser.submit(page, username=site.user(), password=PASSWORD)
    value = browser.client.cookies["cognito"]
    flipped = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    browser.client.cookies.set("cognito", flipped, path=f"/domains/{site.domain}")
    assert location(browser.get(site.authorize_url())).startswith(f"{site.base}/login?")


def _found(base_url: str) -> DomainRequest:
    pool = UserPool("us-east-1_abcdefghi", "pool", 0.0, 0.0)
    domain = PoolDomain(
        "myapp", pool.id, DomainKind.PREFIX, None, "", None, "1", 1, "ACTIVE", 0.0, 0.0
    )
    return DomainRequest(pool, domain, base_url, "/login")


@pytest.mark.parametrize(
    ("base_url", "path", "secure"),
    [
        ("https://myapp.auth.us-east-1.amazoncognito.com", "/", True),
        ("https://127.0.0.1:9230/domains/myapp", "/domains/myapp", True),
        ("http://myapp.localhost:9230", "/", False),
    ],
)
def test_cookies_are_httponly_lax_and_secure_over_https(
    base_url: str, path: str, secure: bool
) -> None:
    found = _found(base_url)
    for header in (cookies.csrf_cookie(found, "x"), cookies.cleared(found)):
        attributes = header.split("; ")[1:]
        assert f"Path={path}" in attributes
        assert {"HttpOnly", "SameSite=Lax"} <= set(attributes)
        assert ("Secure" in attributes) is secure


def test_the_second_factor_is_chosen_on_its_own_page(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = mfa_pool(cognito, "OPTIONAL", ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP"))
    login = Login(server, cognito, pool_id, new_client(cognito, pool_id)["ClientId"])
    username = login.user(email="choose@example.com", email_verified="true")
    secret = login.register_authenticator(login.access_token(username))
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username=username,
        SoftwareTokenMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    site = Site.make(server, cognito, pool_id=pool_id)
    page = site.login_page(browser)
    choice = page_of(browser.submit(page, username=username, password=PASSWORD))
    assert choice.fields["challenge"] == "SELECT_MFA_TYPE"
    assert set(choice.options["answer"]) == {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    asked = page_of(browser.submit(choice, answer="SOFTWARE_TOKEN_MFA"))
    assert asked.fields["challenge"] == "SOFTWARE_TOKEN_MFA"
    away_from_step_edge()
    back = location(browser.submit(asked, code=authenticator_code(secret)))
    assert back.startswith(CALLBACK + "?") and query_of(back)["code"]


def test_email_mfa_is_set_up_on_the_page_when_it_is_the_only_factor(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = mfa_pool(cognito, "ON", ("EMAIL_OTP",))
    site = Site.make(server, cognito, pool_id=pool_id)
    username = site.user()
    page = site.login_page(browser)
    setup = page_of(browser.submit(page, username=username, password=PASSWORD))
    assert setup.fields["challenge"] == "MFA_SETUP" and "email" in setup.fields
    bad = page_of(browser.submit(setup, email="not-an-address"))
    assert bad.status == 400 and "Invalid email address format." in bad.text
    asked = page_of(browser.submit(bad, email="set-up@example.com"))
    assert asked.fields["challenge"] == "EMAIL_OTP"
