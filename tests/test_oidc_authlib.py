"""An OpenID Connect relying party nobody here wrote, Authlib, signs a user in through a pool
domain over HTTPS (`serve --tls`, Authlib trusting the local CA): discovery, the
authorization code flow with PKCE S256 and a nonce, the person typing into the managed login
page in headless Chromium (tests/browser_support.py), the ID token validated with Authlib's
JOSE library (joserfc) against the JWKS (issuer, audience, nonce, expiry), userInfo with the
access token, and the refresh token grant."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.browser_support import artifact, chromium, needs_chromium, static_site, tls_site
from tests.conftest import Server, make_client
from tests.login_support import Site
from tests.signin_support import PASSWORD
from userpool.http.tls import ca_path

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with tls_site(tmp_path_factory.mktemp("oidc-authlib")) as running:
        yield running


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The relying party's origin, http://localhost:PORT, with its /callback page."""
    root = tmp_path_factory.mktemp("authlib-app")
    (root / "callback").write_text("<!doctype html><title>App</title><h1>Signed in</h1>")
    with static_site(root) as origin:
        yield origin


def test_authlib_signs_in_with_code_pkce_and_refreshes(server: Server, app: str) -> None:
    ca = ca_path(server.data_dir)
    cognito = make_client(server.url, verify=str(ca))
    site = Site.make(server, cognito, app=app)
    username = site.user(email="grace@example.com", email_verified="true")
    discovery = httpx.get(
        f"{site.base}/.well-known/openid-configuration", verify=site.verify, timeout=10
    ).json()
    client = OAuth2Session(
        site.client_id,
        site.client_secret,
        scope="openid email",
        redirect_uri=site.callback,
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    with chromium(trusting=ca) as browser:
        page = browser.new_page()
        page.goto(url)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.screenshot(path=artifact("authlib/login.png"))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site.callback}?**")
        back = page.url
    assert f"state={state}" in back

    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=back,
        code_verifier=verifier,
        verify=str(ca),
    )
    # The ID token as an OpenID relying party checks it (Authlib's own JOSE library, joserfc):
    # signature against the JWKS, issuer, audience, nonce, expiry.
    jwks = httpx.get(discovery["jwks_uri"], verify=site.verify, timeout=10).json()
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": site.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    )
    registry.validate(decoded.claims)
    claims = decoded.claims
    assert claims["cognito:username"] == username and claims["email"] == "grace@example.com"

    info = client.get(discovery["userinfo_endpoint"], verify=str(ca)).json()
    assert info["sub"] == claims["sub"] and info["email"] == "grace@example.com"

    refreshed = client.refresh_token(discovery["token_endpoint"], verify=str(ca))
    assert refreshed["access_token"] != token["access_token"]
    assert client.get(discovery["userinfo_endpoint"], verify=str(ca)).json()["sub"] == claims["sub"]
    client.close()
