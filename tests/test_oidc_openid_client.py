"""An OpenID relying party nobody here wrote, openid-client v6 (npm, pinned in tests/node),
signs a user in through a pool domain over HTTPS, the user typing into the managed login page
in a real browser (Debian's Chromium through Playwright).

The server runs with `--tls`; Node trusts its local CA through NODE_EXTRA_CA_CERTS and
Chromium through the CA's pinned key (tests/browser_support.py). tests/node/openid_client.mjs
does the relying party's two halves: discovery from the pool's issuer and the authorization
URL (PKCE S256, state, nonce); then, given the URL the browser came back to, the code grant
(the library checks state, PKCE, nonce and the ID token), userInfo, the refresh grant, the
tokens verified by aws-jwt-verify with its own https JWKS fetcher, and revocation. The app's
callback is a static page on http://localhost:PORT (an http callback Cognito allows for
localhost only); the browser may reach nothing else but the server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.browser_support import artifact, chromium, needs_chromium, static_site
from tests.conftest import Server, make_client, start_server
from tests.login_support import SCOPES, Site
from tests.signin_support import PASSWORD, new_pool, unique
from tests.test_node_clients import node_runner, run_node
from userpool.http.tls import ca_path

pytestmark = needs_chromium

ASKED = {"openid", "email", "profile"}  # the scope openid_client.mjs asks for
SIGNED_IN = "<!doctype html><title>app</title><p>Signed in.</p>\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("oidc-openid-client"), "--tls")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ca(server: Server) -> Path:
    return ca_path(server.data_dir)


@pytest.fixture(scope="module")
def callback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app's redirect URI: a page served on http://localhost:PORT."""
    root = tmp_path_factory.mktemp("app")
    (root / "callback.html").write_text(SIGNED_IN)
    with static_site(root) as origin:
        yield f"{origin}/callback.html"


@pytest.fixture(scope="module")
def site(server: Server, ca: Path, callback: str) -> Site:
    """A pool with a domain, and an app client with a secret whose callback is `callback`."""
    node_runner()  # skips (or fails under CI) without the pinned Node packages
    cognito = make_client(server.url, verify=str(ca))
    pool_id = new_pool(cognito)
    domain = unique("login")
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("openid-client"),
        GenerateSecret=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPES,
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=[callback],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return Site(server, cognito, pool_id, domain, client["ClientId"], client["ClientSecret"])


@pytest.fixture(scope="module")
def browser(ca: Path) -> Iterator[Browser]:
    with chromium(trusting=ca) as launched:
        yield launched


@dataclass
class RelyingParty:
    """tests/node/openid_client.mjs for the site's app client, trusting `ca`."""

    site: Site
    callback: str
    ca: Path

    @property
    def issuer(self) -> str:
        return f"{self.site.server.url}/{self.site.pool_id}"

    def run(self, step: str, *, trusting: bool = True, **options: str) -> dict[str, Any]:
        """The script's result; `trusting`: Node trusts the server's CA (else only its own)."""
        assert self.site.client_secret is not None
        options |= {"issuer": self.issuer, "client_id": self.site.client_id}
        options |= {"client_secret": self.site.client_secret}
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("NODE_TLS_REJECT_UNAUTHORIZED", raising=False)
            patch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
            if trusting:
                patch.setenv("NODE_EXTRA_CA_CERTS", str(self.ca))
            output = run_node("openid_client.mjs", step=step, **options)
        result: dict[str, Any] = output["result"]
        return result

    def authorize(self) -> dict[str, Any]:
        """Discovery, then the authorization URL and what the callback step checks it by."""
        started = self.run("authorize", redirect_uri=self.callback)
        assert started.get("refused") is None, started["refused"]
        return started

    def finish(self, started: dict[str, Any], url: str, **overrides: str) -> dict[str, Any]:
        """The callback step for the URL the browser came back to."""
        checks = {name: started[name] for name in ("verifier", "state", "nonce")}
        return self.run("callback", callback=url, **(checks | overrides))


@pytest.fixture
def relying_party(site: Site, callback: str, ca: Path) -> RelyingParty:
    return RelyingParty(site, callback, ca)


@dataclass
class Tab:
    """One browser context and its page, allowed to reach the server and the app's callback
    page only (anything else is refused and listed in `blocked`). Playwright routes no
    redirect that follows a page.goto(), so the server's redirects are not checked here."""

    page: Page
    allowed: tuple[str, ...]
    login_base: str
    callback: str
    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        if route.request.url.startswith(self.allowed):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def back_at_callback(self) -> str:
        self.page.wait_for_url(f"{self.callback}?**", timeout=15_000)
        assert self.page.get_by_text("Signed in.").is_visible()
        return self.page.url

    def sign_in(
        self, authorization_url: str, username: str, password: str, shot: Path | None = None
    ) -> str:
        """The managed login page (`shot`: a screenshot of it) filled in and sent, as a user
        would; where it sends the browser: the app's callback URL, with the code."""
        self.page.goto(authorization_url)
        assert self.page.url.startswith(f"{self.login_base}/login?"), self.page.url
        if shot is not None:
            self.page.screenshot(path=str(shot), full_page=True)
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        return self.back_at_callback()

    def again(self, authorization_url: str) -> str:
        """authorize once more: the session cookie signs the browser in without a page."""
        self.page.goto(authorization_url)
        return self.back_at_callback()


@pytest.fixture
def tab(browser: Browser, server: Server, site: Site, callback: str) -> Iterator[Tab]:
    context = browser.new_context()
    origin = callback.rsplit("/", 1)[0]
    opened = Tab(context.new_page(), (f"{server.url}/", f"{origin}/"), site.base, callback)
    opened.page.route("**/*", opened.route)
    try:
        yield opened
        assert opened.blocked == [], f"the browser tried to leave localhost: {opened.blocked}"
    finally:
        context.close()


def test_openid_client_signs_in_through_the_login_page_and_refreshes(
    relying_party: RelyingParty, site: Site, tab: Tab
) -> None:
    email = "ada@example.com"
    username = site.user(email=email, email_verified="true", name="Ada Lovelace")
    started = relying_party.authorize()
    metadata = started["metadata"]
    assert metadata["issuer"] == relying_party.issuer
    assert metadata["authorization_endpoint"] == f"{site.base}/oauth2/authorize"
    assert started["url"].startswith(f"{site.base}/oauth2/authorize?")
    assert "code_challenge_method=S256" in started["url"]

    back = tab.sign_in(started["url"], username, PASSWORD, shot=artifact("openid-client/login.png"))
    assert f"state={started['state']}" in back
    done = relying_party.finish(started, back)
    assert done.get("refused") is None, done["refused"]

    assert done["tokens"] == {"tokenType": "bearer", "expiresIn": 3600, "hasRefreshToken": True}
    id_claims = done["idClaims"]
    sub = id_claims["sub"]
    assert id_claims["iss"] == relying_party.issuer and id_claims["aud"] == site.client_id
    assert id_claims["nonce"] == started["nonce"] and id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == username and id_claims["email"] == email
    access = done["accessClaims"]
    assert access["token_use"] == "access" and access["client_id"] == site.client_id
    assert access["sub"] == sub and set(access["scope"].split()) == ASKED

    # userInfo shows what the scopes allow: email and profile, as Cognito sends them.
    assert done["userInfo"] == {
        "sub": sub,
        "username": username,
        "email": email,
        "email_verified": "true",
        "name": "Ada Lovelace",
    }

    refreshed = done["refreshed"]
    assert refreshed["newAccessToken"] and refreshed["hasRefreshToken"] is False
    assert refreshed["accessClaims"]["sub"] == sub
    assert refreshed["accessClaims"]["jti"] != access["jti"]
    assert refreshed["idClaims"]["sub"] == sub and refreshed["idClaims"]["aud"] == site.client_id
    assert done["userInfoAfterRefresh"]["sub"] == sub

    # aws-jwt-verify fetched the JWKS over https itself and accepted all three tokens.
    verified = done["verified"]
    assert verified["id"]["sub"] == sub and verified["id"]["nonce"] == started["nonce"]
    assert verified["access"]["jti"] == access["jti"]
    assert verified["refreshedAccess"]["jti"] == refreshed["accessClaims"]["jti"]

    # Revoked through the discovered revocation endpoint, the refresh token is refused.
    assert done["refreshAfterRevocation"]["error"] == "invalid_grant"


def test_openid_client_refuses_a_tampered_state_and_the_server_a_wrong_verifier(
    relying_party: RelyingParty, site: Site, tab: Tab
) -> None:
    username = site.user(email="grace@example.com", email_verified="true")
    started = relying_party.authorize()
    back = tab.sign_in(started["url"], username, PASSWORD)

    # The callback's state changed on the way back, as a forged callback would have it.
    forged = back.replace(f"state={started['state']}", f"state={started['state']}x")
    refused = relying_party.finish(started, forged)["refused"]
    assert refused["code"] == "OAUTH_INVALID_RESPONSE", refused
    assert refused["cause"] == 'unexpected "state" response parameter value'
    # openid-client refused it before sending the code anywhere: the code is still good.
    done = relying_party.finish(started, back)
    assert done.get("refused") is None, done["refused"]
    assert done["idClaims"]["cognito:username"] == username

    # The browser's session signs it in again without the page: a new code, which a
    # verifier other than the challenge's does not redeem.
    again = relying_party.authorize()
    back = tab.again(again["url"])
    wrong = relying_party.finish(again, back, verifier=again["verifier"][::-1])["refused"]
    assert wrong["code"] == "OAUTH_RESPONSE_BODY_ERROR", wrong
    assert (wrong["status"], wrong["error"]) == (400, "invalid_grant")


def test_openid_client_does_not_trust_the_server_without_its_ca(
    relying_party: RelyingParty,
) -> None:
    refused = relying_party.run("authorize", trusting=False, redirect_uri=relying_party.callback)
    assert refused["refused"]["message"] == "fetch failed", refused
    assert "certificate" in refused["refused"]["cause"]
