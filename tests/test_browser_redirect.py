"""Amplify v6's signInWithRedirect, fetchAuthSession and signOut in a real browser, as a web
app on Cognito uses them, against `serve --tls`: headless Chromium (Debian's, through
Playwright) opens an app page (tests/browser/redirect_page.mjs, bundled by esbuild) on
http://localhost:PORT whose `oauth.domain` is the pool's prefix domain by its own name,
`amplifyapp.localhost:PORT` (Amplify puts https:// before it). The person signs in on the
managed login page; Amplify exchanges the code with PKCE at the domain's /oauth2/token across
origins (CORS), keeps the tokens, and signs out through RevokeToken and the domain's /logout.
aws-jwt-verify then accepts the access token with its own https JWKS fetcher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser_support import (
    artifact,
    bundle,
    needs_chromium,
    static_site,
    tls_fixtures,
)
from tests.conftest import Server
from tests.signin_support import PASSWORD, claims, confirmed_user, new_pool, unique
from tests.test_tls import run_jwt_verify
from userpool.http.tls import ca_path

pytestmark = needs_chromium

server, cognito, browser = tls_fixtures("browser-redirect")

PREFIX = "amplifyapp"
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app's origin, http://localhost:PORT; its page is at `/`."""
    root = tmp_path_factory.mktemp("redirect-app")
    bundle("redirect_page", root)
    with static_site(root) as origin:
        yield origin


@pytest.fixture(scope="module")
def pool(cognito: Any, app: str) -> dict[str, str]:
    """A pool with the domain `amplifyapp` and a public app client for the app's page."""
    pool_id = new_pool(cognito)
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=PREFIX)
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPES,
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=[f"{app}/"],
        LogoutURLs=[f"{app}/"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return {"pool_id": pool_id, "client_id": client["ClientId"]}


@pytest.fixture
def page(browser: Browser, server: Server, app: str, pool: dict[str, str]) -> Iterator[Page]:
    """The app page, configured; it may reach only the app, the server and its domain."""
    port = server.url.rsplit(":", 1)[1]
    allowed = (f"{app}/", f"{server.url}/", f"https://{PREFIX}.localhost:{port}/")
    blocked: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context()
    opened = context.new_page()
    opened.route("**/*", only_local)
    try:
        opened.goto(f"{app}/")
        opened.wait_for_function("window.redirectPage !== undefined")
        config = {
            "endpoint": server.url,
            "userPoolId": pool["pool_id"],
            "userPoolClientId": pool["client_id"],
            "domain": f"{PREFIX}.localhost:{port}",
            "scopes": SCOPES,
            "appUrl": f"{app}/",
        }
        opened.evaluate("(config) => window.redirectPage.configure(config)", config)
        yield opened
        assert blocked == [], f"the page tried to leave this machine: {blocked}"
    finally:
        context.close()


def call(page: Page, name: str) -> Any:
    outcome: dict[str, Any] = page.evaluate(f"() => window.redirectPage.{name}()")
    assert outcome["ok"], f"{name} failed in the page: {outcome['error']}"
    return outcome["value"]


def events(page: Page) -> list[str]:
    return [event["event"] for event in page.evaluate("() => window.redirectPage.events()")]


def signed_in_by_redirect(page: Page, server: Server, username: str) -> dict[str, Any]:
    """signInWithRedirect, the managed login page, back in the app: Amplify's tokens."""
    port = server.url.rsplit(":", 1)[1]
    page.evaluate("() => window.redirectPage.signIn()")
    page.wait_for_url(f"https://{PREFIX}.localhost:{port}/login?**")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.screenshot(path=artifact("amplify/login.png"), full_page=True)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("window.redirectPage?.events().length > 0")
    assert events(page) == ["signInWithRedirect", "signedIn"], events(page)
    tokens: dict[str, Any] = call(page, "currentTokens")
    return tokens


def signed_out(page: Page, app: str) -> None:
    """Amplify's signOut: the browser goes through the domain's /logout back to the app."""
    with page.expect_request("**/logout?**") as logout, page.expect_navigation(url=f"{app}/"):
        page.evaluate("() => window.redirectPage.signOut()")
    assert f"logout_uri={app}" in logout.value.url.replace("%3A", ":").replace("%2F", "/")
    page.wait_for_function("window.redirectPage !== undefined")


def test_sign_in_with_redirect_then_sign_out(
    page: Page, server: Server, cognito: Any, app: str, pool: dict[str, str]
) -> None:
    username = unique("amp")
    email = f"{username}@example.com"
    confirmed_user(cognito, pool["pool_id"], username, PASSWORD, email=email)

    tokens = signed_in_by_redirect(page, server, username)
    access, identity = claims(tokens["accessToken"]), claims(tokens["idToken"])
    assert access["username"] == username and access["client_id"] == pool["client_id"]
    assert sorted(access["scope"].split()) == sorted(SCOPES)
    assert identity["email"] == email and identity["aud"] == pool["client_id"]
    # The code is gone from the address bar: Amplify cleaned it after the exchange.
    assert page.url == f"{app}/"
    # The access token may call the user's own operations (aws.cognito.signin.user.admin).
    user = cognito.get_user(AccessToken=tokens["accessToken"])
    assert user["Username"] == username

    verified = run_jwt_verify(
        {"NODE_EXTRA_CA_CERTS": str(ca_path(server.data_dir))},
        issuer=f"{server.url}/{pool['pool_id']}",
        client_id=pool["client_id"],
        access_token=tokens["accessToken"],
    )
    assert verified["access"]["sub"] == access["sub"]

    refresh_token = page.evaluate("() => window.redirectPage.storedRefreshToken()")
    signed_out(page, app)
    assert call(page, "currentTokens") is None
    # Amplify revoked the refresh token before it went through the domain's /logout.
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=pool["client_id"],
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )


def test_after_sign_out_the_login_page_asks_again(
    page: Page, server: Server, cognito: Any, app: str, pool: dict[str, str]
) -> None:
    username = unique("amp")
    confirmed_user(cognito, pool["pool_id"], username, PASSWORD)
    signed_in_by_redirect(page, server, username)
    signed_out(page, app)
    # /logout ended the domain's session: signing in again shows the page, not a code.
    signed_in_by_redirect(page, server, username)
