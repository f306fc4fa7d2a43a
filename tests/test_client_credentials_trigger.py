"""PreTokenGeneration for a machine's token (TokenGeneration_ClientCredentials): a version 3
function changes the client_credentials access token's claims and scopes; a version 2 one is
not called for it, as on Cognito (real handler files, tests/triggers/signin/pre_token.py)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from tests.signin_support import unique
from tests.signin_trigger_support import (
    PRE_TOKEN,
    TriggerServer,
    trigger_pool,
    trigger_server_fixture,
)

triggers = trigger_server_fixture("client-credentials-trigger")
SCOPES = [{"ScopeName": "read", "ScopeDescription": "r"}]


def machine_token(triggers: TriggerServer, version: str) -> dict[str, Any]:
    cognito = triggers.cognito
    config = {"LambdaVersion": version, "LambdaArn": PRE_TOKEN}
    pool_id = trigger_pool(
        cognito, {"PreTokenGeneration": PRE_TOKEN, "PreTokenGenerationConfig": config}
    )
    domain = unique("m2m")
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API", Scopes=SCOPES)
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    response = requests.post(
        f"{triggers.server.url}/domains/{domain}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(client["ClientId"], client["ClientSecret"]),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    claims: dict[str, Any] = jwt.decode(
        response.json()["access_token"], options={"verify_signature": False}
    )
    assert claims["client_id"] == client["ClientId"]  # a function cannot change it
    events = triggers.events(pool_id, "TokenGeneration_ClientCredentials")
    return {"claims": claims, "events": events}


def test_a_version_3_function_changes_a_machines_token(triggers: TriggerServer) -> None:
    made = machine_token(triggers, "V3_0")
    claims = made["claims"]
    assert claims["trigger_source"] == "TokenGeneration_ClientCredentials"
    assert claims["tier"] == "gold" and claims["token_use"] == "access"
    assert claims["scope"] == "api/read orders/read"
    [event] = made["events"]
    assert event["request"]["scopes"] == ["api/read"]
    assert event["request"]["userAttributes"] == {}


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_other_versions_are_not_called_for_machines(triggers: TriggerServer, version: str) -> None:
    made = machine_token(triggers, version)
    assert made["events"] == []
    assert made["claims"]["scope"] == "api/read" and "tier" not in made["claims"]
