"""The token endpoint's authorization_code and refresh_token grants, through `requests` against
a real server: codes made as managed login makes them (tests/oauth_support.py), exchanged with
and without PKCE, every way an exchange is refused, and refreshing the tokens a code gave."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from tests.conftest import Server
from tests.oauth_support import (
    REDIRECT,
    Site,
    code_form,
    issue_code,
    oauth_client,
    oauth_fixtures,
    s256,
)
from tests.signin_support import claims
from tests.test_client_credentials import verified
from userpool.auth import Runtime

TOKEN = "/oauth2/token"
VERIFIER = "v" * 20 + "-._~" + "A1" * 12  # 48 characters of the unreserved set


runtime, site, client = oauth_fixtures()


def refused(response: Any, error: str, status: int = 400) -> None:
    assert (response.status_code, response.json()) == (status, {"error": error}), response.text


def test_a_code_is_exchanged_for_the_sign_ins_tokens(
    server: Server, runtime: Runtime, site: Site, client: Any
) -> None:
    code = issue_code(runtime, site, client)
    response = site.post(TOKEN, code_form(client, code))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    access = verified(server, site.pool_id, body["access_token"])
    assert access["scope"] == "openid email" and access["sub"] == site.sub
    assert access["client_id"] == client["ClientId"]
    identity = verified_id(server, site, body["id_token"], client["ClientId"])
    assert identity["nonce"] == "n-1" and identity["email"] == "ada@example.com"
    refused(site.post(TOKEN, code_form(client, code)), "invalid_grant")  # single use


def verified_id(server: Server, site: Site, token: str, audience: str) -> dict[str, Any]:
    keys = jwt.PyJWKClient(f"{server.url}/{site.pool_id}/.well-known/jwks.json")
    key = keys.get_signing_key_from_jwt(token)
    decoded: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], audience=audience)
    return decoded


def test_without_openid_there_is_no_id_token(runtime: Runtime, site: Site, client: Any) -> None:
    code = issue_code(runtime, site, client, scopes=("email",))
    body = site.post(TOKEN, code_form(client, code)).json()
    assert "id_token" not in body and {"access_token", "refresh_token"} <= set(body)
    assert claims(body["access_token"])["scope"] == "email"


@pytest.mark.parametrize("method", ["S256", "plain"])
def test_pkce(runtime: Runtime, site: Site, client: Any, method: str) -> None:
    challenge = s256(VERIFIER) if method == "S256" else VERIFIER
    for verifier in (None, VERIFIER[:-1] + "B", s256(VERIFIER) + "x" * 10):
        code = issue_code(runtime, site, client, challenge=challenge, method=method)
        extra = {"code_verifier": verifier} if verifier else {}
        refused(site.post(TOKEN, code_form(client, code, **extra)), "invalid_grant")
    code = issue_code(runtime, site, client, challenge=challenge, method=method)
    response = site.post(TOKEN, code_form(client, code, code_verifier=VERIFIER))
    assert response.status_code == 200, response.text


def test_a_malformed_verifier_is_a_bad_request_and_spends_nothing(
    runtime: Runtime, site: Site, client: Any
) -> None:
    code = issue_code(runtime, site, client, challenge=s256(VERIFIER), method="S256")
    for bad in ("short", "x" * 129, VERIFIER[:-1] + "!"):
        refused(site.post(TOKEN, code_form(client, code, code_verifier=bad)), "invalid_request")
    assert site.post(TOKEN, code_form(client, code, code_verifier=VERIFIER)).status_code == 200


@pytest.mark.parametrize(
    "case", ["unknown", "expired", "redirect", "other client", "other pool", "signed out"]
)
def test_invalid_grants(
    server: Server, cognito: Any, runtime: Runtime, site: Site, client: Any, case: str
) -> None:
    code = issue_code(runtime, site, client, expires_in=-1 if case == "expired" else 300)
    form, where = code_form(client, code), site
    if case == "unknown":
        form["code"] = "6f1c2b9e-1d2c-4c47-9a43-5b7b0a4f7e11"
    elif case == "redirect":
        form["redirect_uri"] = REDIRECT + "/"
    elif case == "other client":
        form["client_id"] = oauth_client(cognito, site.pool_id)["ClientId"]
    elif case == "other pool":
        where = Site.make(server.url, cognito)
        form["client_id"] = oauth_client(cognito, where.pool_id)["ClientId"]
    elif case == "signed out":
        cognito.admin_user_global_sign_out(UserPoolId=site.pool_id, Username=site.username)
    refused(where.post(TOKEN, form), "invalid_grant")
    if case in ("redirect", "other client", "other pool"):  # the attempt spent the code
        refused(site.post(TOKEN, code_form(client, code)), "invalid_grant")


def test_a_confidential_client_must_authenticate(
    cognito: Any, runtime: Runtime, site: Site
) -> None:
    confidential = oauth_client(cognito, site.pool_id, secret=True)
    client_id, secret = confidential["ClientId"], confidential["ClientSecret"]
    code = issue_code(runtime, site, confidential)
    form = code_form(confidential, code)
    refused(site.post(TOKEN, form), "invalid_client")
    refused(site.post(TOKEN, form, auth=(client_id, secret + "x")), "invalid_client")
    refused(site.post(TOKEN, form | {"client_secret": "wrong"}), "invalid_client")
    refused(site.post(TOKEN, form, auth=("someone-else", secret)), "invalid_client")
    assert site.post(TOKEN, form, auth=(client_id, secret)).status_code == 200  # HTTP Basic
    code = issue_code(runtime, site, confidential)
    response = site.post(TOKEN, code_form(confidential, code, client_secret=secret))
    assert response.status_code == 200, response.text  # or the secret in the form


def test_a_public_client_has_no_secret_to_give(runtime: Runtime, site: Site, client: Any) -> None:
    code = issue_code(runtime, site, client)
    refused(site.post(TOKEN, code_form(client, code, client_secret="guess")), "invalid_client")
    assert site.post(TOKEN, code_form(client, code)).status_code == 200


def test_a_client_not_allowed_the_code_flow(cognito: Any, runtime: Runtime, site: Site) -> None:
    machine = oauth_client(cognito, site.pool_id, AllowedOAuthFlows=["implicit"])
    code = issue_code(runtime, site, machine)
    refused(site.post(TOKEN, code_form(machine, code)), "unauthorized_client")


@pytest.mark.parametrize("missing", ["code", "redirect_uri", "client_id"])
def test_missing_parameters(runtime: Runtime, site: Site, client: Any, missing: str) -> None:
    form = code_form(client, issue_code(runtime, site, client))
    del form[missing]
    refused(
        site.post(TOKEN, form), "invalid_client" if missing == "client_id" else "invalid_request"
    )


def test_the_refresh_token_grant_keeps_the_scopes(
    server: Server, cognito: Any, runtime: Runtime, site: Site, client: Any
) -> None:
    tokens = site.post(TOKEN, code_form(client, issue_code(runtime, site, client))).json()
    form = {"grant_type": "refresh_token", "client_id": client["ClientId"]}
    response = site.post(TOKEN, form | {"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "id_token", "token_type", "expires_in"}
    access = verified(server, site.pool_id, body["access_token"])
    assert access["scope"] == "openid email"
    assert access["origin_jti"] == claims(tokens["access_token"])["origin_jti"]
    assert "nonce" not in claims(body["id_token"])
    refused(site.post(TOKEN, form | {"refresh_token": "not-a-token"}), "invalid_grant")
    refused(site.post(TOKEN, form), "invalid_request")
    # Through the API too, the refresh token's tokens keep its OAuth scopes.
    api = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["refresh_token"]},
    )["AuthenticationResult"]
    assert claims(api["AccessToken"])["scope"] == "openid email"


def test_a_refresh_token_of_another_client_is_an_invalid_grant(
    cognito: Any, runtime: Runtime, site: Site, client: Any
) -> None:
    tokens = site.post(TOKEN, code_form(client, issue_code(runtime, site, client))).json()
    other = oauth_client(cognito, site.pool_id)
    form = {"grant_type": "refresh_token", "client_id": other["ClientId"]}
    refused(site.post(TOKEN, form | {"refresh_token": tokens["refresh_token"]}), "invalid_grant")


def test_rotation_gives_a_new_refresh_token(cognito: Any, runtime: Runtime, site: Site) -> None:
    rotating = oauth_client(cognito, site.pool_id, RefreshTokenRotation={"Feature": "ENABLED"})
    first = site.post(TOKEN, code_form(rotating, issue_code(runtime, site, rotating))).json()
    form = {"grant_type": "refresh_token", "client_id": rotating["ClientId"]}
    body = site.post(TOKEN, form | {"refresh_token": first["refresh_token"]}).json()
    assert body["refresh_token"] != first["refresh_token"]
    assert claims(body["access_token"])["scope"] == "openid email"
    refused(site.post(TOKEN, form | {"refresh_token": first["refresh_token"]}), "invalid_grant")
    again = site.post(TOKEN, form | {"refresh_token": body["refresh_token"]}).json()
    assert claims(again["access_token"])["scope"] == "openid email"  # the successor keeps them
