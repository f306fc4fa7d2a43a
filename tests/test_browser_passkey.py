"""A passkey registered in a real browser signs in through WEB_AUTHN.

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with a CDP virtual
authenticator (a platform authenticator: CTAP2, internal transport, resident keys, user
verification) opens a page served from http://localhost:PORT that runs Amplify v6
(tests/browser/passkey_page.mjs, bundled by esbuild here) against the server on 127.0.0.1: a
cross-origin page, so every call also goes through the API's CORS (src/userpool/http/cors.py).
The server names the RP id `localhost` for a loopback address and allows http://localhost
origins for it (domain/passkey_rules.py), which is what lets a plain-http page use passkeys.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, CDPSession, Page, Route

from tests.browser_support import bundle, chromium, needs_chromium, static_site
from tests.conftest import Server
from tests.signin_support import PASSWORD, claims, tokens_of
from tests.user_auth_support import Choice

FACTORS = ["PASSWORD", "WEB_AUTHN"]
# A platform authenticator that verifies its user and needs no touch: what a laptop's
# fingerprint reader is to a page, with nobody there to press anything.
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}

pytestmark = [needs_chromium, pytest.mark.one_backend]


@pytest.fixture(scope="module")
def page_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Where the page is served: http://localhost:PORT, an origin the server's RP id
    `localhost` allows, and another origin than the server's http://127.0.0.1:PORT."""
    root = tmp_path_factory.mktemp("browser-page")
    bundle("passkey_page", root)
    with static_site(root) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class BrowserPage:
    page: Page
    cdp: CDPSession
    authenticator_id: str
    blocked: list[str] = field(default_factory=list)

    def call(self, name: str, *args: Any) -> Any:
        """window.passkeyPage[name](...args), which must succeed: its value."""
        outcome = self.attempt(name, *args)
        assert outcome["ok"], f"{name} failed in the page: {outcome['error']}"
        return outcome["value"]

    def attempt(self, name: str, *args: Any) -> dict[str, Any]:
        outcome: dict[str, Any] = self.page.evaluate(
            "([name, args]) => window.passkeyPage[name](...args)", [name, list(args)]
        )
        return outcome

    def credentials(self) -> list[dict[str, Any]]:
        """The passkeys the virtual authenticator holds."""
        found = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return list(found["credentials"])


@pytest.fixture
def browser_page(browser: Browser, page_origin: str, server: Server) -> Iterator[BrowserPage]:
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    opened = BrowserPage(page, cdp, added["authenticatorId"])

    def only_local(route: Route) -> None:
        # Nothing the page does may leave this machine: Amplify talks to the server only.
        url = route.request.url
        if url.startswith((page_origin + "/", server.url + "/")):
            route.continue_()
        else:
            opened.blocked.append(url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(f"{page_origin}/index.html")
        page.wait_for_function("window.passkeyPage !== undefined", timeout=10_000)
        yield opened
        assert opened.blocked == [], f"the page tried to leave localhost: {opened.blocked}"
    finally:
        context.close()


def configured(server: Server, cognito: Any, opened: BrowserPage) -> Choice:
    """A pool whose users may sign in with a password or a passkey, and the page set up for
    its app client (USER_AUTH)."""
    choice = Choice.make(server, cognito, factors=FACTORS)
    opened.page.evaluate(
        "(config) => window.passkeyPage.configure(config)",
        {
            "endpoint": server.url,
            "userPoolId": choice.pool_id,
            "userPoolClientId": choice.client_id,
        },
    )
    return choice


def registered(choice: Choice, opened: BrowserPage) -> str:
    """A user who signed in with their password in the page, registered a passkey there (the
    server lists it, the authenticator holds it) and signed out: the username."""
    username = choice.user()
    signed_in = opened.call("signInWithPassword", username, PASSWORD)
    assert signed_in["result"]["isSignedIn"] is True
    opened.call("registerPasskey")
    listed = passkeys_of(choice, signed_in["tokens"]["accessToken"])
    held = opened.credentials()
    assert len(listed) == 1 and len(held) == 1
    assert listed[0]["RelyingPartyId"] == "localhost"
    assert held[0]["rpId"] == "localhost" and held[0]["isResidentCredential"] is True
    assert unpadded(listed[0]["CredentialId"]) == unpadded(held[0]["credentialId"])
    # Amplify's signOut revokes the refresh token, and the access tokens issued with it.
    opened.call("signOut")
    assert opened.call("currentTokens") is None
    return username


def passkeys_of(choice: Choice, access_token: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = choice.cognito.list_web_authn_credentials(
        AccessToken=access_token
    )["Credentials"]
    return listed


def unpadded(credential_id: str) -> bytes:
    """A credential id in base64 or base64url, padded or not, as bytes."""
    text = credential_id.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_a_passkey_made_in_the_browser_signs_in_alone(
    server: Server, cognito: Any, browser_page: BrowserPage
) -> None:
    choice = configured(server, cognito, browser_page)
    username = registered(choice, browser_page)

    signed_in = browser_page.call("signInWithPasskey", username)
    assert signed_in["result"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    tokens = signed_in["tokens"]
    assert tokens["username"] == username
    assert claims(tokens["accessToken"])["username"] == username
    # The authenticator signed with the passkey: its counter moved (the server checks it).
    assert browser_page.credentials()[0]["signCount"] >= 1


def test_without_the_authenticators_passkey_the_sign_in_fails_cleanly(
    server: Server, cognito: Any, browser_page: BrowserPage
) -> None:
    choice = configured(server, cognito, browser_page)
    username = registered(choice, browser_page)
    browser_page.cdp.send(
        "WebAuthn.clearCredentials", {"authenticatorId": browser_page.authenticator_id}
    )

    outcome = browser_page.attempt("signInWithPasskey", username)
    # The browser answers "no such credential" as it answers a cancelled prompt (NotAllowedError:
    # WebAuthn tells a page nothing about which passkeys a device holds); Amplify names it so.
    assert outcome["ok"] is False
    assert outcome["error"] == {
        "name": "PasskeyAuthenticationCanceled",
        "message": "Passkey authentication ceremony has been canceled.",
        "underlying": "NotAllowedError",
    }
    assert browser_page.call("currentTokens") is None
    # The server still holds the passkey; only this device lost it.
    password = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert len(passkeys_of(choice, tokens_of(password)["AccessToken"])) == 1
