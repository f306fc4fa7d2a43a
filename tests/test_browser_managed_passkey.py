"""A passkey on the managed login pages, in a real browser: headless Chromium (Debian's, through
Playwright) with a CDP virtual authenticator, on a ManagedLoginVersion 2 domain reached by its
own name over HTTPS (https://{domain}.localhost:PORT, the browser trusting the local CA), whose
pool names that host as its passkeys' RP id (as Cognito's managed login needs: its pool
domain). The passkey is made in the browser, on the domain's page (navigator.credentials.create
with StartWebAuthnRegistration's options, the answer given to CompleteWebAuthnRegistration);
then the user signs in with the username, the passkey choice and the page's own script, and
the app gets its code. Without the passkey on the device, the page says so in words and
another way in still works; without JavaScript, the passkey is not offered at all. Screenshots
are kept in test-artifacts/managed-login-passkey/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Route, expect

from tests.browser_support import (
    NamedSite,
    artifact,
    needs_chromium,
    static_site,
    tls_fixtures,
)
from tests.conftest import Server
from tests.login_support import SCOPES, Site, query_of
from tests.passkey_support import SoftwareAuthenticator
from tests.signin_support import PASSWORD, claims, tokens_of, unique
from tests.user_auth_support import USER_AUTH_FLOWS, Choice

pytestmark = needs_chromium

server, cognito, browser = tls_fixtures("browser-managed-passkey")

# A platform authenticator that verifies its user and needs no touch (tests/test_browser_passkey).
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
# navigator.credentials.create with StartWebAuthnRegistration's CredentialCreationOptions, its
# answer as RegistrationResponseJSON (what CompleteWebAuthnRegistration takes).
REGISTER = """async (options) => {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
  const credential = await navigator.credentials.create({ publicKey });
  return credential.toJSON();
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app behind the callback URL: a static page on http://localhost:PORT (a real
    server: a navigation a redirect makes is not reliably answered by a Playwright route)."""
    root = tmp_path_factory.mktemp("passkey-app")
    (root / "callback.html").write_text("<!DOCTYPE html><title>App</title><h1>The app</h1>")
    with static_site(root) as origin:
        yield origin


@dataclass
class Passkeys:
    """A pool whose users may sign in with a password, an emailed code or a passkey, its
    managed-login domain, and the app client behind it."""

    choice: Choice
    site: NamedSite

    @classmethod
    def make(cls, server: Server, cognito: Any, app: str) -> Passkeys:
        choice = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
        domain = unique("pk")
        cognito.create_user_pool_domain(
            UserPoolId=choice.pool_id, Domain=domain, ManagedLoginVersion=2
        )
        # Cognito's managed login needs the pool domain as the passkeys' RP id.
        cognito.set_user_pool_mfa_config(
            UserPoolId=choice.pool_id,
            WebAuthnConfiguration={"RelyingPartyId": f"{domain}.localhost"},
        )
        client = cognito.create_user_pool_client(
            UserPoolId=choice.pool_id,
            ClientName=unique("web"),
            ExplicitAuthFlows=list(USER_AUTH_FLOWS),
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=SCOPES,
            AllowedOAuthFlowsUserPoolClient=True,
            CallbackURLs=[f"{app}/callback.html"],
            SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]
        site = NamedSite(
            server,
            cognito,
            choice.pool_id,
            domain,
            client["ClientId"],
            None,
            callback=f"{app}/callback.html",
        )
        return cls(choice, site)


@dataclass
class Tab:
    page: Page
    cdp: CDPSession
    authenticator_id: str
    blocked: list[str]

    def credentials(self) -> list[dict[str, Any]]:
        found = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return list(found["credentials"])


def opened(context: BrowserContext, allowed: tuple[str, ...]) -> tuple[Page, list[str]]:
    """A page that reaches only `allowed` origins: nothing leaves the machine."""
    page = context.new_page()
    blocked: list[str] = []
    mine = tuple(f"{origin}/" for origin in allowed)

    def elsewhere(request: Route) -> None:
        blocked.append(request.request.url)
        request.abort()

    page.route(lambda url: not url.startswith(mine), elsewhere)
    return page, blocked


@pytest.fixture
def passkeys(server: Server, cognito: Any, app: str) -> Passkeys:
    return Passkeys.make(server, cognito, app)


@pytest.fixture
def tab(browser: Browser, passkeys: Passkeys, app: str) -> Iterator[Tab]:
    context = browser.new_context()
    page, blocked = opened(context, (passkeys.site.base, app))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    try:
        yield Tab(page, cdp, added["authenticatorId"], blocked)
        assert blocked == [], f"the page tried to leave this machine: {blocked}"
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=artifact(f"managed-login-passkey/{name}.png"), full_page=True)


def registered(passkeys: Passkeys, tab: Tab) -> str:
    """A user who made a passkey in this browser, on the domain's page: the username."""
    choice = passkeys.choice
    username = choice.user()
    signed_in = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    token = tokens_of(signed_in)["AccessToken"]
    options = choice.cognito.start_web_authn_registration(AccessToken=token)
    tab.page.goto(passkeys.site.authorize_url())
    expect(tab.page.get_by_role("heading", name="Sign in")).to_be_visible()
    credential = tab.page.evaluate(REGISTER, options["CredentialCreationOptions"])
    choice.cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    held = tab.credentials()
    assert len(held) == 1 and held[0]["rpId"] == f"{passkeys.site.domain}.localhost"
    return username


def with_passkey(passkeys: Passkeys, username: str) -> None:
    """A passkey for `username` registered through the API, from a software authenticator
    (a browser that runs no script could not make one)."""
    choice = passkeys.choice
    signed_in = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    token = tokens_of(signed_in)["AccessToken"]
    options = choice.cognito.start_web_authn_registration(AccessToken=token)
    origin = f"https://{passkeys.site.domain}.localhost"
    credential = SoftwareAuthenticator().register(
        options["CredentialCreationOptions"], origin=origin
    )
    choice.cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)


def to_the_choice(page: Page, site: Site, username: str, state: str) -> None:
    page.goto(site.authorize_url(state=state))
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(f"Signing in as {username}")).to_be_visible()


def landed_as(page: Page, site: Site, username: str, state: str) -> None:
    page.wait_for_url(f"{site.callback}?**")
    expect(page.get_by_role("heading", name="The app")).to_be_visible()
    back = query_of(page.url)
    assert back["state"] == state
    exchanged = site.exchange(back["code"])
    assert exchanged.status_code == 200, exchanged.text
    assert claims(exchanged.json()["access_token"])["username"] == username


def test_a_passkey_made_in_the_browser_signs_in_on_the_page(passkeys: Passkeys, tab: Tab) -> None:
    username = registered(passkeys, tab)
    to_the_choice(tab.page, passkeys.site, username, "st-passkey")
    shot(tab.page, "choice")
    tab.page.get_by_role("button", name="Sign in with a passkey").click()
    landed_as(tab.page, passkeys.site, username, "st-passkey")
    # The authenticator signed with the passkey: its counter moved (the server checks it).
    assert tab.credentials()[0]["signCount"] >= 1


def test_without_the_passkey_on_this_device_the_page_says_so_and_another_way_works(
    passkeys: Passkeys, tab: Tab
) -> None:
    username = registered(passkeys, tab)
    tab.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": tab.authenticator_id})
    to_the_choice(tab.page, passkeys.site, username, "st-other-way")
    tab.page.get_by_role("button", name="Sign in with a passkey").click()
    expect(tab.page.get_by_role("heading", name="Sign in with a passkey")).to_be_visible()
    expect(tab.page.get_by_role("alert")).to_contain_text("this device has no passkey")
    shot(tab.page, "no-passkey-here")
    tab.page.get_by_role("link", name="Choose another way to sign in").click()
    tab.page.get_by_label("Username").fill(username)
    tab.page.get_by_role("button", name="Next").click()
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.page.get_by_role("button", name="Sign in with password").click()
    landed_as(tab.page, passkeys.site, username, "st-other-way")


def test_without_javascript_the_passkey_is_not_offered(
    browser: Browser, passkeys: Passkeys, app: str
) -> None:
    username = passkeys.choice.user()
    with_passkey(passkeys, username)
    context = browser.new_context(java_script_enabled=False)
    page, blocked = opened(context, (passkeys.site.base, app))
    try:
        to_the_choice(page, passkeys.site, username, "st-no-script")
        expect(page.get_by_role("button", name="Sign in with password")).to_be_visible()
        expect(page.get_by_role("button", name="Email me a sign-in code")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
        shot(page, "choice-without-javascript")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")  # the default button: the password's
        landed_as(page, passkeys.site, username, "st-no-script")
        assert blocked == []
    finally:
        context.close()
