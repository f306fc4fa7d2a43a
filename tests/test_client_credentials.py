"""Machine-to-machine tokens: the client_credentials grant of a pool domain's token endpoint,
through `requests` with HTTP Basic (and the form's client_id / client_secret), the access
token checked with PyJWT against the pool's JWKS, and each OAuth 2.0 error of the endpoint."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from tests.conftest import Server
from tests.signin_support import new_pool, unique

SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "r"},
    {"ScopeName": "write", "ScopeDescription": "w"},
]


class Machine:
    """A pool with a domain and a resource server `api`, and an app client allowed the
    client_credentials flow for `api/read` and `api/write`."""

    def __init__(self, server: Server, cognito: Any, *, flow: bool = True) -> None:
        self.pool_id = new_pool(cognito)
        self.domain = unique("m2m")
        cognito.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        cognito.create_resource_server(
            UserPoolId=self.pool_id, Identifier="api", Name="API", Scopes=SCOPES
        )
        oauth: dict[str, Any] = {}
        if flow:
            oauth = {
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["api/read", "api/write"],
                "AllowedOAuthFlowsUserPoolClient": True,
            }
        client = cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="machine", GenerateSecret=True, **oauth
        )["UserPoolClient"]
        self.client_id, self.secret = client["ClientId"], client["ClientSecret"]
        self.url = f"{server.url}/domains/{self.domain}/oauth2/token"
        self.server = server

    def token(self, auth: Any = None, **form: str) -> requests.Response:
        body = {"grant_type": "client_credentials", **form}
        return requests.post(
            self.url, data=body, auth=auth or (self.client_id, self.secret), timeout=10
        )


def verified(server: Server, pool_id: str, token: str) -> dict[str, Any]:
    keys = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json")
    key = keys.get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"])
    return claims


def test_a_client_gets_a_token_for_its_scopes(server: Server, cognito: Any) -> None:
    machine = Machine(server, cognito)
    response = machine.token(scope="api/read")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = verified(server, machine.pool_id, body["access_token"])
    assert claims["sub"] == claims["client_id"] == machine.client_id
    assert claims["token_use"] == "access" and claims["scope"] == "api/read"
    assert "username" not in claims
    everything = verified(server, machine.pool_id, machine.token().json()["access_token"])
    assert everything["scope"] == "api/read api/write"  # no scope asked: all it is allowed


def test_the_secret_may_come_in_the_form(server: Server, cognito: Any) -> None:
    machine = Machine(server, cognito)
    body = {"grant_type": "client_credentials", "client_id": machine.client_id}
    response = requests.post(machine.url, data=body | {"client_secret": machine.secret}, timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"auth": ("unknown-client", "secret")}, "invalid_client"),
        ({"wrong_secret": True}, "invalid_client"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"scope": "api/delete"}, "invalid_scope"),
        ({"scope": "openid"}, "invalid_scope"),
    ],
)
def test_refusals(server: Server, cognito: Any, change: dict[str, Any], error: str) -> None:
    machine = Machine(server, cognito)
    form = dict(change)  # the parameters are shared by both backends' runs: not changed here
    auth = form.pop("auth", None)
    if form.pop("wrong_secret", False):
        auth = (machine.client_id, machine.secret + "x")
    response = machine.token(auth=auth, **form)
    assert (response.status_code, response.json()) == (400, {"error": error})


def test_a_client_not_allowed_the_flow_is_unauthorized(server: Server, cognito: Any) -> None:
    machine = Machine(server, cognito, flow=False)
    response = machine.token()
    assert (response.status_code, response.json()) == (400, {"error": "unauthorized_client"})


def test_the_request_must_be_a_form(server: Server, cognito: Any) -> None:
    machine = Machine(server, cognito)
    response = requests.post(
        machine.url,
        json={"grant_type": "client_credentials"},
        auth=(machine.client_id, machine.secret),
        timeout=10,
    )
    assert (response.status_code, response.json()) == (400, {"error": "invalid_request"})
