"""Helpers for the token endpoint's user grants: a pool with a domain and a user, app clients
allowed the code flow, and authorization codes made as managed login makes them (until its
login page is served): the sign-in engine run in-process on the server's own database with a
Hosted sign-in, its tokens put behind a code with `userpool.oauth.codes.issue`."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.conftest import Server, server_store
from tests.signin_support import confirmed_user, engine_env, new_pool, secret_hash, unique
from userpool import auth
from userpool.auth import Authenticated, IssuedTokens, Runtime
from userpool.domain.auth_records import AuthorizationCode
from userpool.oauth import codes

REDIRECT = "https://app.example.com/callback"
OAUTH_SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
PASSWORD = "Sign-in-Passw0rd"
ATTRIBUTES = {
    "email": "ada@example.com",
    "email_verified": "true",
    "phone_number": "+15555550100",
    "name": "Ada Lovelace",
    "custom:team": "engines",
}
SCHEMA = [{"Name": "team", "AttributeDataType": "String", "Mutable": True}]


def oauth_client(cognito: Any, pool_id: str, *, secret: bool = False, **settings: Any) -> Any:
    """An app client allowed the code flow for OAUTH_SCOPES, redirecting to REDIRECT."""
    oauth = {
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": OAUTH_SCOPES,
        "AllowedOAuthFlowsUserPoolClient": True,
        "CallbackURLs": [REDIRECT],
        "SupportedIdentityProviders": ["COGNITO"],
    }
    return cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("web"),
        GenerateSecret=secret,
        **(oauth | settings),
    )["UserPoolClient"]


@dataclass
class Site:
    """A pool with a domain and one user, reached at `base` (the domain's path form)."""

    base: str
    pool_id: str
    username: str
    sub: str

    @classmethod
    def make(cls, url: str, cognito: Any) -> Site:
        pool_id = new_pool(cognito, Schema=SCHEMA)
        domain = unique("login")
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
        username = unique("ada")
        pairs = {name.replace(":", "_"): value for name, value in ATTRIBUTES.items()}
        user = confirmed_user(cognito, pool_id, username, PASSWORD, **pairs)
        sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
        return cls(f"{url}/domains/{domain}", pool_id, username, sub)

    def post(self, path: str, form: dict[str, str], auth: Any = None) -> requests.Response:
        return requests.post(f"{self.base}{path}", data=form, auth=auth, timeout=10)


def hosted_sign_in(
    runtime: Runtime,
    site: Site,
    client: Any,
    scopes: tuple[str, ...] = ("openid", "email"),
    nonce: str | None = "n-1",
) -> IssuedTokens:
    """The tokens of a managed-login sign-in of the site's user through `client`."""
    params = {"USERNAME": site.username, "PASSWORD": PASSWORD}
    if client.get("ClientSecret"):
        params["SECRET_HASH"] = secret_hash(
            client["ClientSecret"], site.username, client["ClientId"]
        )
    outcome = auth.initiate(
        runtime,
        client["ClientId"],
        site.pool_id,
        admin=True,
        now=time.time(),
        flow="ADMIN_USER_PASSWORD_AUTH",
        params=params,
        hosted=auth.Hosted(scopes, nonce),
    )
    assert isinstance(outcome, Authenticated), outcome
    return outcome.tokens


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_code(
    runtime: Runtime,
    site: Site,
    client: Any,
    *,
    scopes: tuple[str, ...] = ("openid", "email"),
    challenge: str | None = None,
    method: str | None = None,
    expires_in: float = codes.CODE_SECONDS,
) -> str:
    """A code for a fresh sign-in, as /oauth2/authorize hands it to REDIRECT."""
    tokens = hosted_sign_in(runtime, site, client, scopes)
    grant = AuthorizationCode(
        code_hash="",
        pool_id=site.pool_id,
        client_id=client["ClientId"],
        sub=site.sub,
        redirect_uri=REDIRECT,
        scopes=scopes,
        sealed_tokens=b"",
        expires=time.time() + expires_in,
        code_challenge=challenge,
        code_challenge_method=method,
    )
    with runtime.store.write() as tx:
        return codes.issue(runtime, tx, grant, tokens)


def code_form(client: Any, code: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": client["ClientId"],
        "code": code,
        "redirect_uri": REDIRECT,
        **extra,
    }


def oauth_fixtures() -> tuple[Any, Any, Any]:
    """A test module's `runtime` (the server's own engine on its database), `site` (a pool
    with a domain) and `client` (an OAuth app client of it) fixtures:
    `runtime, site, client = oauth_fixtures()`."""

    @pytest.fixture(scope="module")
    def runtime(server: Server) -> Iterator[Runtime]:
        with server_store(server) as store:
            yield engine_env(server, store)

    @pytest.fixture(scope="module")
    def site(server: Server, cognito: Any) -> Site:
        return Site.make(server.url, cognito)

    @pytest.fixture(scope="module")
    def client(cognito: Any, site: Site) -> Any:
        return oauth_client(cognito, site.pool_id)

    return runtime, site, client
