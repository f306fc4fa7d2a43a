"""An OpenID Connect relying party nobody here wrote, Authlib, signs a user in through a pool
domain: discovery, the authorization code flow with PKCE S256 and a nonce (the managed login
page answered as a browser would, tests/login_support.py), the ID token validated with
Authlib's JOSE library (joserfc) against the JWKS (issuer, audience, nonce, expiry), userInfo
with the access token, and the refresh token grant."""

from __future__ import annotations

from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.login_support import CALLBACK, Browser, Site, location, page_of
from tests.signin_support import PASSWORD

server, cognito = outbox_fixtures("oidc-authlib")


def test_authlib_signs_in_with_code_pkce_and_refreshes(server: Server, cognito: Any) -> None:
    site = Site.make(server, cognito)
    username = site.user(email="grace@example.com", email_verified="true")
    discovery = httpx.get(f"{site.base}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        site.client_id,
        site.client_secret,
        scope="openid email",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = Browser()
    try:
        login = page_of(browser.get(location(browser.get(url))))
        back = location(browser.submit(login, username=username, password=PASSWORD))
    finally:
        browser.close()
    assert back.startswith(CALLBACK) and f"state={state}" in back

    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=back, code_verifier=verifier
    )
    # The ID token as an OpenID relying party checks it (Authlib's own JOSE library, joserfc):
    # signature against the JWKS, issuer, audience, nonce, expiry.
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": site.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    )
    registry.validate(decoded.claims)
    claims = decoded.claims
    assert claims["cognito:username"] == username and claims["email"] == "grace@example.com"

    info = client.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["email"] == "grace@example.com"

    refreshed = client.refresh_token(discovery["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    assert client.get(discovery["userinfo_endpoint"]).json()["sub"] == claims["sub"]
    client.close()
