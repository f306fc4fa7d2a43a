"""Managed login on a pool's domain, driven like a browser without JavaScript would (httpx,
redirects followed by hand, forms posted with their hidden fields, cookies kept): /oauth2/
authorize, the sign-in page and each challenge's page, the code or the implicit grant's tokens
at the app's redirect_uri, the remembered session, and /logout."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest

from tests.codes_support import last_code, outbox_fixtures
from tests.conftest import Server
from tests.login_support import (
    CALLBACK,
    SIGNED_OUT,
    Browser,
    Site,
    fragment_of,
    location,
    page_of,
    query_of,
)
from tests.mfa_support import authenticator_code, away_from_step_edge, mfa_pool, wrong_code
from tests.signin_support import PASSWORD, new_pool, unique

server, cognito = outbox_fixtures("managed-login")


@pytest.fixture
def browser() -> Any:
    made = Browser()
    yield made
    made.close()


def unverified(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def signed_in_code(site: Site, browser: Browser, username: str, **authorize: str) -> dict[str, str]:
    """Sign in on the page with the password; the redirect's query (code, state)."""
    page = site.login_page(browser, **authorize)
    back = location(browser.submit(page, username=username, password=PASSWORD))
    assert back.startswith(CALLBACK + "?"), back
    return query_of(back)


def test_a_sign_in_on_the_page_returns_a_code_for_the_tokens(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = site.user(email="ada@example.com")
    page = site.login_page(browser, state="my-state", nonce="n-123", scope="openid email")
    assert {"username", "password", "_csrf", "client_id", "redirect_uri"} <= set(page.fields)
    cookie = browser.client.cookies.jar
    assert any(c.name == "XSRF-TOKEN" and c.path == f"/domains/{site.domain}" for c in cookie)
    response = browser.submit(page, username=username, password=PASSWORD)
    back = location(response)
    assert back.startswith(CALLBACK + "?")
    query = query_of(back)
    assert query["state"] == "my-state" and query["code"]
    session = response.headers["set-cookie"]
    assert session.startswith("cognito=") and "HttpOnly" in session and "SameSite=Lax" in session
    assert "Secure" not in session  # plain HTTP here; test_tls-style servers get Secure
    exchanged = site.exchange(query["code"])
    assert exchanged.status_code == 200, exchanged.text
    tokens = exchanged.json()
    access, identity = unverified(tokens["access_token"]), unverified(tokens["id_token"])
    assert access["scope"] == "openid email" and access["username"] == username
    assert identity["nonce"] == "n-123" and identity["email"] == "ada@example.com"
    again = site.exchange(query["code"])
    assert again.status_code == 400  # a code is good once


def test_state_is_echoed_and_a_wrong_password_shows_the_form_again(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = site.user()
    page = site.login_page(browser, state="keep<me>&safe")
    wrong = page_of(browser.submit(page, username=username, password="Wrong-passw0rd"))
    assert wrong.status == 400
    assert "Incorrect username or password." in wrong.text
    assert wrong.fields["username"] == username and wrong.fields["state"] == "keep<me>&safe"
    assert "keep&lt;me&gt;&amp;safe" in wrong.html  # escaped, never markup
    back = location(browser.submit(wrong, password=PASSWORD))
    assert query_of(back)["state"] == "keep<me>&safe"


def test_a_redirect_uri_not_among_the_callbacks_gets_a_page_not_a_redirect(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    for uri in ("https://evil.example.com/cb", CALLBACK + "/", CALLBACK + "?x=1", ""):
        response = browser.get(site.authorize_url(redirect_uri=uri))
        assert response.status_code == 400 and "location" not in response.headers
        assert "redirect_mismatch" in page_of(response).text
    unknown = browser.get(site.authorize_url(client_id="nosuchclient0000000000000a"))
    assert unknown.status_code == 400 and "location" not in unknown.headers
    login = browser.get(
        f"{site.base}/login?"
        + urlencode(site.authorize_params(redirect_uri="https://evil.example.com"))
    )
    assert login.status_code == 400 and "location" not in login.headers


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "openid phone"}, "invalid_scope"),
        ({"response_type": "id_token"}, "unsupported_response_type"),
        ({"code_challenge": "abc", "code_challenge_method": "plain"}, "invalid_request"),
        ({"identity_provider": "Google"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_problems_after_the_redirect_uri_go_back_to_it(
    server: Server, cognito: Any, browser: Browser, change: dict[str, str], error: str
) -> None:
    site = Site.make(server, cognito)
    back = location(browser.get(site.authorize_url(state="s1", **change)))
    assert back.startswith(CALLBACK + "?")
    assert query_of(back) == {"error": error, "state": "s1"}


def test_the_session_lets_a_second_authorize_through_and_prompt_login_forces_the_page(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = site.user()
    first = signed_in_code(site, browser, username)
    second = location(browser.get(site.authorize_url(state="again", nonce="n2")))
    assert second.startswith(CALLBACK + "?")
    query = query_of(second)
    assert query["state"] == "again" and query["code"] != first["code"]
    tokens = site.exchange(query["code"]).json()
    assert unverified(tokens["id_token"])["nonce"] == "n2"
    assert (
        unverified(tokens["access_token"])["auth_time"]
        == unverified(site.exchange(first["code"]).json()["access_token"])["auth_time"]
    )
    forced = location(browser.get(site.authorize_url(prompt="login")))
    assert forced.startswith(f"{site.base}/login?")
    silent = location(browser.get(site.authorize_url(prompt="none", state="q")))
    assert query_of(silent)["code"] and query_of(silent)["state"] == "q"
    other = Site.make(server, cognito)  # another pool's domain: the cookie is not for it
    assert location(Browser(browser.client).get(other.authorize_url())).startswith(
        f"{other.base}/login?"
    )


def test_the_implicit_grant_puts_the_tokens_in_the_fragment(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito, secret=False)
    username = site.user()
    page = site.login_page(browser, response_type="token", scope="openid", state="imp")
    back = location(browser.submit(page, username=username, password=PASSWORD))
    assert back.startswith(CALLBACK + "#")
    values = fragment_of(back)
    assert values["token_type"] == "Bearer" and values["expires_in"] == "3600"
    assert values["state"] == "imp" and "refresh_token" not in values
    assert unverified(values["access_token"])["scope"] == "openid"
    assert unverified(values["id_token"])["cognito:username"] == username


def test_logout_clears_the_session_and_goes_to_a_sign_out_url(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    signed_in_code(site, browser, site.user())
    bad = browser.get(
        f"{site.base}/logout", client_id=site.client_id, logout_uri="https://evil.example.com"
    )
    assert bad.status_code == 400 and "location" not in bad.headers
    response = browser.get(f"{site.base}/logout", client_id=site.client_id, logout_uri=SIGNED_OUT)
    assert location(response) == SIGNED_OUT
    assert (
        "cognito=;" in response.headers["set-cookie"]
        and "Max-Age=0" in response.headers["set-cookie"]
    )
    assert location(browser.get(site.authorize_url())).startswith(f"{site.base}/login?")
    params = site.authorize_params()
    again = browser.get(f"{site.base}/logout", **params)
    assert location(again).startswith(f"{site.base}/login?")


def test_a_post_without_the_csrf_token_is_refused(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = site.user()
    page = site.login_page(browser)
    fields = {**page.fields, "username": username, "password": PASSWORD}
    for forged in ({k: v for k, v in fields.items() if k != "_csrf"}, {**fields, "_csrf": "x"}):
        response = browser.client.post(page.action or "", data=forged)
        assert response.status_code == 403 and "location" not in response.headers
    stranger = Browser()  # the right token, but another browser's cookie
    response = stranger.client.post(page.action or "", data=fields)
    assert response.status_code == 403
    stranger.close()


def test_a_new_password_is_asked_for_on_its_own_page(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = unique("invited")
    cognito.admin_create_user(
        UserPoolId=site.pool_id,
        Username=username,
        TemporaryPassword="Temp-Passw0rd",
        MessageAction="SUPPRESS",
    )
    page = site.login_page(browser)
    challenge = page_of(browser.submit(page, username=username, password="Temp-Passw0rd"))
    assert challenge.fields["challenge"] == "NEW_PASSWORD_REQUIRED"
    differ = page_of(browser.submit(challenge, new_password=PASSWORD, confirm_password="x"))
    assert "The passwords do not match." in differ.text
    back = location(browser.submit(differ, new_password=PASSWORD, confirm_password=PASSWORD))
    assert query_of(back)["code"]
    assert (
        cognito.admin_get_user(UserPoolId=site.pool_id, Username=username)["UserStatus"]
        == "CONFIRMED"
    )


def test_mfa_setup_with_a_qr_code_then_an_authenticator_code(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = mfa_pool(cognito, "ON", ("SOFTWARE_TOKEN_MFA",))
    site = Site.make(server, cognito, pool_id=pool_id)
    username = site.user()
    page = site.login_page(browser)
    setup = page_of(browser.submit(page, username=username, password=PASSWORD))
    assert setup.fields["challenge"] == "MFA_SETUP" and "<svg" in setup.html
    secret = setup.text.split("Key: ")[1].split()[0]
    refused = page_of(browser.submit(setup, code=wrong_code(secret)))
    assert refused.status == 400 and refused.fields["challenge"] == "MFA_SETUP"
    assert "<svg" in refused.html and secret in refused.text  # the same secret, drawn again
    away_from_step_edge()
    back = location(browser.submit(refused, code=authenticator_code(secret)))
    assert query_of(back)["code"]
    # Signing in again (prompt=login) asks for the authenticator's code on its own page.
    page = site.login_page(browser, prompt="login")
    asked = page_of(browser.submit(page, username=username, password=PASSWORD))
    assert asked.fields["challenge"] == "SOFTWARE_TOKEN_MFA"
    wrong = page_of(browser.submit(asked, code=wrong_code(secret)))
    assert wrong.status == 400 and "Invalid code" in wrong.text
    away_from_step_edge()
    back = location(browser.submit(wrong, code=authenticator_code(secret, 1)))
    assert query_of(back)["code"]


def test_an_emailed_code_is_asked_for_on_its_own_page(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = mfa_pool(cognito, "ON", ("EMAIL_OTP",))
    site = Site.make(server, cognito, pool_id=pool_id)
    username = site.user(email=f"{unique('e')}@example.com", email_verified="true")
    page = site.login_page(browser)
    asked = page_of(browser.submit(page, username=username, password=PASSWORD))
    assert asked.fields["challenge"] == "EMAIL_OTP" and "We sent a code to" in asked.text
    back = location(browser.submit(asked, code=last_code(server, pool_id, username)))
    assert query_of(back)["code"]


def test_sign_up_then_confirm_signs_in(server: Server, cognito: Any, browser: Browser) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
    site = Site.make(server, cognito, pool_id=pool_id)
    signin = site.login_page(browser)
    link = re.search(r'href="([^"]*/signup\?[^"]*)"', signin.html)
    assert link is not None, "the sign-in page links to the sign-up page"
    form = page_of(browser.get(html.unescape(link[1])))
    assert form.action == f"{site.base}/signup" and "email" in form.fields
    username, address = unique("new"), f"{unique('n')}@example.com"
    weak = page_of(
        browser.submit(form, username=username, email=address, password="x", confirm_password="x")
    )
    assert weak.status == 400 and "Password did not conform with policy" in weak.text
    assert weak.fields["email"] == address
    confirm = page_of(
        browser.submit(
            weak, username=username, email=address, password=PASSWORD, confirm_password=PASSWORD
        )
    )
    assert confirm.action == f"{site.base}/confirmUser"
    wrong = page_of(browser.submit(confirm, code="000000"))
    assert wrong.status == 400 and "Invalid verification code provided" in wrong.text
    # The code confirmed, the new user is signed in with the password they chose (Cognito's
    # pages do the same): back to the app with a code (tests/test_managed_login_sign_up.py).
    back = location(browser.submit(wrong, code=last_code(server, pool_id, username)))
    assert back.startswith(CALLBACK + "?") and query_of(back)["code"]


def test_a_forgotten_password_is_reset_with_the_emailed_code(
    server: Server, cognito: Any, browser: Browser
) -> None:
    site = Site.make(server, cognito)
    username = site.user(email=f"{unique('f')}@example.com", email_verified="true")
    query = urlencode(site.authorize_params())
    form = page_of(browser.get(f"{site.base}/forgotPassword?{query}"))
    reset = page_of(browser.submit(form, username=username))
    assert reset.action == f"{site.base}/confirmForgotPassword"
    new = "Brand-new-Passw0rd"
    code = last_code(server, site.pool_id, username)
    differ = page_of(browser.submit(reset, code=code, password=new, confirm_password="other"))
    assert differ.status == 400 and "The passwords do not match." in differ.text
    signin = page_of(browser.submit(differ, code=code, password=new, confirm_password=new))
    assert "Your password has been reset." in signin.text
    assert query_of(location(browser.submit(signin, password=new)))["code"]
