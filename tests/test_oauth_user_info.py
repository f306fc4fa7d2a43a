"""A pool domain's /oauth2/userInfo and /oauth2/revoke through `requests` against a real server:
the user's attributes per the access token's scopes (Cognito's strings, `username` too), the
401 of a bad, revoked or API token, and revoking a refresh token with its access tokens."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.oauth_support import PASSWORD, Site, code_form, issue_code, oauth_client, oauth_fixtures
from tests.signin_support import PASSWORD_FLOWS, admin_auth, new_client, tokens_of
from userpool.auth import Runtime

TOKEN, USER_INFO, REVOKE = "/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke"
EXPIRED = "Access token is expired, disabled, or deleted, or the user has globally signed out."


runtime, site, client = oauth_fixtures()


def signed_in(runtime: Runtime, site: Site, client: Any, *scopes: str) -> dict[str, Any]:
    code = issue_code(runtime, site, client, scopes=scopes or ("openid", "email"))
    response = site.post(TOKEN, code_form(client, code))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def user_info(site: Site, token: str, method: str = "GET") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, f"{site.base}{USER_INFO}", headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("scopes", "shown"),
    [
        (("openid", "email"), {"email": "ada@example.com", "email_verified": "true"}),
        (("openid", "phone"), {"phone_number": "+15555550100"}),
        (("openid", "profile"), {"name": "Ada Lovelace", "custom:team": "engines"}),
        (
            ("openid",),  # openid alone: every attribute the client may read
            {
                "email": "ada@example.com",
                "email_verified": "true",
                "phone_number": "+15555550100",
                "name": "Ada Lovelace",
                "custom:team": "engines",
            },
        ),
    ],
)
def test_claims_per_scope(
    runtime: Runtime, site: Site, client: Any, scopes: tuple[str, ...], shown: dict[str, str]
) -> None:
    access = signed_in(runtime, site, client, *scopes)["access_token"]
    for method in ("GET", "POST"):
        response = user_info(site, access, method)
        assert response.status_code == 200, response.text
        expected = {"sub": site.sub, "username": site.username, **shown}
        assert response.json() == expected


def test_read_attributes_bound_what_is_shown(cognito: Any, runtime: Runtime, site: Site) -> None:
    narrow = oauth_client(cognito, site.pool_id, ReadAttributes=["email"])
    access = signed_in(runtime, site, narrow, "openid")["access_token"]
    body = user_info(site, access).json()
    assert body == {"sub": site.sub, "username": site.username, "email": "ada@example.com"}


def refused(response: requests.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": error, "error_description": description}
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and f'error="{error}"' in challenge


def test_a_bad_token_is_refused(cognito: Any, runtime: Runtime, site: Site, client: Any) -> None:
    refused(user_info(site, "not.a.token"), 401, "invalid_token", EXPIRED)
    access = signed_in(runtime, site, client)["access_token"]
    head, payload, signature = access.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    refused(user_info(site, forged), 401, "invalid_token", EXPIRED)
    other = Site.make(site.base.split("/domains/")[0], cognito)  # another pool's domain
    refused(user_info(other, access), 401, "invalid_token", EXPIRED)
    missing = requests.get(f"{site.base}{USER_INFO}", timeout=10)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_an_api_token_has_no_openid_scope(cognito: Any, site: Site) -> None:
    api_client = new_client(cognito, site.pool_id, PASSWORD_FLOWS)["ClientId"]
    tokens = tokens_of(admin_auth(cognito, site.pool_id, api_client, site.username, PASSWORD))
    refused(
        user_info(site, tokens["AccessToken"]),
        401,
        "invalid_token",
        "Access token does not contain openid scope",
    )


def test_signed_out_tokens_are_refused(cognito: Any, runtime: Runtime, site: Site) -> None:
    client = oauth_client(cognito, site.pool_id)
    access = signed_in(runtime, site, client)["access_token"]
    assert user_info(site, access).status_code == 200
    cognito.admin_user_global_sign_out(UserPoolId=site.pool_id, Username=site.username)
    refused(user_info(site, access), 401, "invalid_token", EXPIRED)


def test_revoke_then_refresh(runtime: Runtime, site: Site, client: Any) -> None:
    tokens = signed_in(runtime, site, client)
    form = {"token": tokens["refresh_token"], "client_id": client["ClientId"]}
    response = site.post(REVOKE, form)
    assert (response.status_code, response.content) == (200, b"")
    refresh = {"grant_type": "refresh_token", "client_id": client["ClientId"]}
    response = site.post(TOKEN, refresh | {"refresh_token": tokens["refresh_token"]})
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})
    refused(user_info(site, tokens["access_token"]), 401, "invalid_token", EXPIRED)


def test_revocation_refusals(cognito: Any, runtime: Runtime, site: Site, client: Any) -> None:
    tokens = signed_in(runtime, site, client)
    mine = {"client_id": client["ClientId"]}

    def answer(form: dict[str, str], auth: Any = None) -> tuple[int, Any]:
        response = site.post(REVOKE, form, auth=auth)
        return response.status_code, response.json() if response.content else None

    assert answer(mine | {"token": tokens["access_token"]}) == (
        400,
        {"error": "unsupported_token_type"},
    )
    assert answer(mine) == (400, {"error": "invalid_request"})
    assert answer({"token": tokens["refresh_token"]}) == (401, {"error": "invalid_client"})
    secret = oauth_client(cognito, site.pool_id, secret=True)
    form = {"token": tokens["refresh_token"]}
    assert answer(form, (secret["ClientId"], "wrong")) == (401, {"error": "invalid_client"})
    # Another client's token, or no token at all, is answered 200 and left alone.
    assert answer(form, (secret["ClientId"], secret["ClientSecret"])) == (200, None)
    assert answer(mine | {"token": "no-such-token"}) == (200, None)
    assert user_info(site, tokens["access_token"]).status_code == 200
    off = oauth_client(cognito, site.pool_id, EnableTokenRevocation=False)
    assert answer({"client_id": off["ClientId"], "token": "x"}) == (
        400,
        {"error": "invalid_request"},
    )
