"""GetClientToken over boto3: machine-to-machine access tokens without a pool domain, for an
app client with a secret whose only explicit auth flow is ALLOW_CLIENT_TOKEN_AUTH. The token is
checked with PyJWT against the pool's JWKS; each refusal is an AWS error that changes nothing.
The client is made as the developer guide's example makes it (the AWS CLI, no OAuth flows)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.conftest import REGION, Server
from tests.signin_support import failure, new_pool, secret_hash, unique
from tests.signin_trigger_support import (
    PRE_TOKEN,
    TriggerServer,
    trigger_pool,
    trigger_server_fixture,
)
from tests.test_aws_cli import call

triggers = trigger_server_fixture("get-client-token")
SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "r"},
    {"ScopeName": "write", "ScopeDescription": "w"},
]
MACHINE_FLOW = ["ALLOW_CLIENT_TOKEN_AUTH"]
INVALID_SECRET = ("NotAuthorizedException", "Invalid client or secret")
ALONE = (
    "InvalidParameterException",
    "ALLOW_CLIENT_TOKEN_AUTH cannot be combined with other authentication flows: it must be "
    "the only explicit authentication flow of the client.",
)


def api_pool(cognito: Any, pool_id: str | None = None) -> str:
    """A pool (or `pool_id`) with the resource server `api`: scopes api/read and api/write."""
    pool_id = pool_id or new_pool(cognito)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API", Scopes=SCOPES)
    return pool_id


def machine(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    """A GetClientToken client of `pool_id`: a secret, ALLOW_CLIENT_TOKEN_AUTH alone, and the
    custom scopes api/read and api/write (`settings` change any of that)."""
    request = {
        "GenerateSecret": True,
        "ExplicitAuthFlows": MACHINE_FLOW,
        "AllowedOAuthScopes": ["api/read", "api/write"],
    }
    response = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("machine"), **(request | settings)
    )
    client: dict[str, Any] = response["UserPoolClient"]
    return client


def verified(server: Server, pool_id: str, token: str) -> dict[str, Any]:
    """The token's claims, its signature checked against the pool's JWKS, and its issuer."""
    keys = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json")
    key = keys.get_signing_key_from_jwt(token)
    issuer = f"{server.url}/{pool_id}"
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer)
    return claims


def test_a_client_gets_a_token_for_all_its_scopes(server: Server, cognito: Any) -> None:
    pool_id = api_pool(cognito)
    client = machine(cognito, pool_id)
    before = time.time()
    response = cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
    result = response["ClientAuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType"}
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    claims = verified(server, pool_id, result["AccessToken"])
    assert claims["client_id"] == claims["sub"] == client["ClientId"]
    assert claims["token_use"] == "access" and claims["scope"] == "api/read api/write"
    assert claims["exp"] - claims["iat"] == 3600 and claims["iat"] >= int(before) - 1
    assert "username" not in claims and "cognito:groups" not in claims


def test_the_scopes_asked_for_and_the_clients_validity(server: Server, cognito: Any) -> None:
    pool_id = api_pool(cognito)
    client = machine(
        cognito, pool_id, AccessTokenValidity=5, TokenValidityUnits={"AccessToken": "minutes"}
    )
    credentials = {"ClientId": client["ClientId"], "Secret": client["ClientSecret"]}
    for asked, granted in (
        (["api/write"], "api/write"),
        (["api/write", "api/read", "api/write"], "api/write api/read"),
    ):
        result = cognito.get_client_token(**credentials, Scopes=asked)
        result = result["ClientAuthenticationResult"]
        assert result["ExpiresIn"] == 300
        claims = verified(server, pool_id, result["AccessToken"])
        assert claims["scope"] == granted and claims["exp"] - claims["iat"] == 300


def test_a_scope_the_client_is_not_allowed_is_refused(cognito: Any) -> None:
    pool_id = api_pool(cognito)
    cognito.create_resource_server(
        UserPoolId=pool_id, Identifier="other", Name="Other", Scopes=SCOPES[:1]
    )
    client = machine(cognito, pool_id, AllowedOAuthScopes=["api/read"])
    credentials = {"ClientId": client["ClientId"], "Secret": client["ClientSecret"]}
    for scope in ("api/write", "api/delete", "other/read", "openid"):
        assert failure(cognito.get_client_token, **credentials, Scopes=["api/read", scope]) == (
            "InvalidParameterException",
            f"Invalid scope requested: {scope}",
        )


def test_a_client_allowed_no_custom_scope_gets_nothing(cognito: Any) -> None:
    pool_id = api_pool(cognito)
    client = machine(cognito, pool_id, AllowedOAuthScopes=[])
    assert failure(
        cognito.get_client_token, ClientId=client["ClientId"], Secret=client["ClientSecret"]
    ) == ("InvalidParameterException", "The client is allowed no custom scopes to grant.")


def test_a_wrong_secret_and_a_client_without_one(cognito: Any) -> None:
    pool_id = api_pool(cognito)
    client = machine(cognito, pool_id)
    get = cognito.get_client_token
    assert failure(get, ClientId=client["ClientId"], Secret=client["ClientSecret"] + "x") == (
        INVALID_SECRET
    )
    assert failure(get, ClientId=client["ClientId"], Secret=client["ClientSecret"][:-1]) == (
        INVALID_SECRET
    )
    public = machine(cognito, pool_id, GenerateSecret=False)
    assert "ClientSecret" not in public
    assert failure(get, ClientId=public["ClientId"], Secret="a" * 51) == INVALID_SECRET


def test_a_client_without_the_flow_is_refused(cognito: Any) -> None:
    """Even one allowed the client_credentials grant of the token endpoint."""
    pool_id = api_pool(cognito)
    oauth = machine(
        cognito,
        pool_id,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
    )
    assert failure(
        cognito.get_client_token, ClientId=oauth["ClientId"], Secret=oauth["ClientSecret"]
    ) == ("NotAuthorizedException", "ALLOW_CLIENT_TOKEN_AUTH flow not enabled for this client")


def test_an_unknown_client(cognito: Any) -> None:
    assert failure(cognito.get_client_token, ClientId="nobody1234", Secret="s" * 51) == (
        "ResourceNotFoundException",
        "User pool client nobody1234 does not exist.",
    )


@pytest.mark.parametrize(
    "others", [["ALLOW_REFRESH_TOKEN_AUTH"], ["ALLOW_USER_AUTH"], ["USER_PASSWORD_AUTH"]]
)
def test_the_flow_stands_alone(cognito: Any, others: list[str]) -> None:
    pool_id = api_pool(cognito)
    flows = [*MACHINE_FLOW, *others]
    assert failure(machine, cognito, pool_id, ExplicitAuthFlows=flows) == ALONE
    assert cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"] == []
    client = machine(cognito, pool_id)
    update = cognito.update_user_pool_client
    assert (
        failure(update, UserPoolId=pool_id, ClientId=client["ClientId"], ExplicitAuthFlows=flows)
        == ALONE
    )
    kept = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert kept["UserPoolClient"]["ExplicitAuthFlows"] == MACHINE_FLOW


def test_the_flow_is_a_known_value_and_signs_no_user_in(cognito: Any) -> None:
    pool_id = api_pool(cognito)
    code, message = failure(machine, cognito, pool_id, ExplicitAuthFlows=["ALLOW_NOTHING"])
    assert code == "InvalidParameterException"
    assert "ALLOW_TOKEN_EXCHANGE_IMPERSONATION, ALLOW_CLIENT_TOKEN_AUTH]" in message
    client = machine(cognito, pool_id)
    parameters = {
        "USERNAME": "someone",
        "PASSWORD": "Passw0rd!",
        "SECRET_HASH": secret_hash(client["ClientSecret"], "someone", client["ClientId"]),
    }
    assert failure(
        cognito.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters=parameters,
    ) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")


def test_no_aws_credentials_are_needed(server: Server, cognito: Any) -> None:
    pool_id = api_pool(cognito)
    client = machine(cognito, pool_id)
    unsigned = boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    response = unsigned.get_client_token(
        ClientId=client["ClientId"], Secret=client["ClientSecret"], Scopes=["api/read"]
    )
    token = response["ClientAuthenticationResult"]["AccessToken"]
    assert verified(server, pool_id, token)["scope"] == "api/read"


@pytest.mark.timeout(300)
def test_the_developer_guides_client_made_with_the_aws_cli(server: Server, cognito: Any) -> None:
    """`aws cognito-idp create-user-pool-client --generate-secret --explicit-auth-flows
    ALLOW_CLIENT_TOKEN_AUTH --allowed-o-auth-scopes ...`, as the guide has it. (The AWS CLI v1
    available, 1.46.3, has no get-client-token: its own botocore's model predates it.)"""
    pool_id = api_pool(cognito)
    client = call(
        server.url,
        "create-user-pool-client",
        "--user-pool-id",
        pool_id,
        "--client-name",
        "my-m2m-client",
        "--generate-secret",
        "--explicit-auth-flows",
        "ALLOW_CLIENT_TOKEN_AUTH",
        "--allowed-o-auth-scopes",
        "api/write",
    )["UserPoolClient"]
    assert client["ExplicitAuthFlows"] == MACHINE_FLOW
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    response = cognito.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
    token = response["ClientAuthenticationResult"]["AccessToken"]
    assert verified(server, pool_id, token)["scope"] == "api/write"


def trigger_machine(triggers: TriggerServer, version: str) -> tuple[str, dict[str, Any]]:
    config = {"LambdaVersion": version, "LambdaArn": PRE_TOKEN}
    lambda_config = {"PreTokenGeneration": PRE_TOKEN, "PreTokenGenerationConfig": config}
    pool_id = api_pool(triggers.cognito, trigger_pool(triggers.cognito, lambda_config))
    return pool_id, machine(triggers.cognito, pool_id)


def test_a_version_3_function_sees_the_request(triggers: TriggerServer) -> None:
    pool_id, client = trigger_machine(triggers, "V3_0")
    response = triggers.cognito.get_client_token(
        ClientId=client["ClientId"],
        Secret=client["ClientSecret"],
        Scopes=["api/read"],
        ClientMetadata={"purpose": "nightly-sync"},
    )
    token = response["ClientAuthenticationResult"]["AccessToken"]
    claims = verified(triggers.server, pool_id, token)
    assert claims["trigger_source"] == "TokenGeneration_ClientCredentials"
    assert claims["tier"] == "gold" and claims["token_use"] == "access"
    assert claims["client_id"] == client["ClientId"]  # a function cannot change it
    assert claims["scope"] == "api/read orders/read"
    event = triggers.only(pool_id, "TokenGeneration_ClientCredentials")
    assert event["version"] == "3" and event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"]["scopes"] == ["api/read"]
    assert event["request"]["clientMetadata"] == {"purpose": "nightly-sync"}
    assert event["request"]["userAttributes"] == {}


def test_other_versions_are_not_called(triggers: TriggerServer) -> None:
    pool_id, client = trigger_machine(triggers, "V2_0")
    response = triggers.cognito.get_client_token(
        ClientId=client["ClientId"], Secret=client["ClientSecret"]
    )
    token = response["ClientAuthenticationResult"]["AccessToken"]
    assert verified(triggers.server, pool_id, token)["scope"] == "api/read api/write"
    assert triggers.events(pool_id) == []


def test_a_failing_function_refuses_the_token(triggers: TriggerServer) -> None:
    _, client = trigger_machine(triggers, "V3_0")
    assert failure(
        triggers.cognito.get_client_token,
        ClientId=client["ClientId"],
        Secret=client["ClientSecret"],
        ClientMetadata={"token": "throw"},
    ) == (
        "UserLambdaValidationException",
        "PreTokenGeneration failed with error no tokens today.",
    )
