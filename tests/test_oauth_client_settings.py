"""An app client's OAuth 2.0 settings over boto3: every rule Create/UpdateUserPoolClient
applies to AllowedOAuthFlows, AllowedOAuthScopes, the redirect URLs and the identity
providers, with Cognito's messages, and DescribeUserPoolClient giving them back."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from userpool.domain import oauth_rules

CALLBACK = "https://app.example.com/callback"
# A browser app's settings that Cognito accepts.
WEB = {
    "AllowedOAuthFlowsUserPoolClient": True,
    "AllowedOAuthFlows": ["code", "implicit"],
    "AllowedOAuthScopes": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
    "CallbackURLs": [CALLBACK, "http://localhost:3000/cb", "myapp://signed-in"],
    "LogoutURLs": ["https://app.example.com/bye", "http://127.0.0.1:8080/"],
    "DefaultRedirectURI": CALLBACK,
    "SupportedIdentityProviders": ["COGNITO"],
}


def create(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    response = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **settings)
    return dict(response["UserPoolClient"])


def refused(cognito: Any, pool_id: str, **settings: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        create(cognito, pool_id, **settings)
    return error_of(excinfo)


def refused_update(cognito: Any, pool_id: str, client_id: str, **settings: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, **settings)
    return error_of(excinfo)


def with_(**changes: Any) -> dict[str, Any]:
    """WEB with `changes`; a change to None leaves that setting out."""
    settings = {**WEB, **changes}
    return {key: value for key, value in settings.items() if value is not None}


def test_settings_round_trip_through_describe(cognito: Any, pool_id: str) -> None:
    created = create(cognito, pool_id, **WEB)
    for key, value in WEB.items():
        assert created[key] == value
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])
    assert described["UserPoolClient"] == created


def test_update_sets_and_clears_them(cognito: Any, pool_id: str) -> None:
    client_id = create(cognito, pool_id)["ClientId"]
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, **WEB)
    assert {key: updated["UserPoolClient"][key] for key in WEB} == WEB
    # Settings an update leaves out go back to their defaults: OAuth off, nothing listed.
    cleared = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    client = cleared["UserPoolClient"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert not set(WEB) - {"AllowedOAuthFlowsUserPoolClient"} & set(client)


@pytest.mark.parametrize(
    "changes",
    [{"AllowedOAuthFlows": None}, {"AllowedOAuthScopes": None}, {"AllowedOAuthScopes": []}],
)
def test_oauth_needs_flows_and_scopes(cognito: Any, pool_id: str, changes: Any) -> None:
    assert refused(cognito, pool_id, **with_(**changes)) == (
        "InvalidParameterException",
        oauth_rules.FLOWS_AND_SCOPES_REQUIRED,
    )


@pytest.mark.parametrize("changes", [{}, {"AllowedOAuthFlows": None}, {"AllowedOAuthScopes": None}])
def test_flows_and_scopes_need_oauth_allowed(cognito: Any, pool_id: str, changes: Any) -> None:
    settings = with_(AllowedOAuthFlowsUserPoolClient=False, **changes)
    assert refused(cognito, pool_id, **settings) == (
        "InvalidParameterException",
        oauth_rules.OAUTH_NOT_ALLOWED,
    )


def test_urls_alone_need_no_oauth(cognito: Any, pool_id: str) -> None:
    client = create(cognito, pool_id, CallbackURLs=[CALLBACK], LogoutURLs=[CALLBACK])
    assert (client["CallbackURLs"], client["AllowedOAuthFlowsUserPoolClient"]) == (
        [CALLBACK],
        False,
    )


@pytest.mark.parametrize("scope", ["Cognito", "openid2", "api/read", "aws.cognito.signin.user"])
def test_unknown_scope(cognito: Any, pool_id: str, scope: str) -> None:
    assert refused(cognito, pool_id, **with_(AllowedOAuthScopes=["openid", scope])) == (
        "ScopeDoesNotExistException",
        f"Invalid scope requested: {scope}",
    )


@pytest.mark.parametrize("flows", [["code"], ["implicit"], ["code", "implicit"]])
def test_user_flows_need_callbacks(cognito: Any, pool_id: str, flows: list[str]) -> None:
    settings = with_(AllowedOAuthFlows=flows, CallbackURLs=None, DefaultRedirectURI=None)
    assert refused(cognito, pool_id, **settings) == (
        "InvalidOAuthFlowException",
        oauth_rules.CALLBACKS_REQUIRED,
    )


def machine(**changes: Any) -> dict[str, Any]:
    settings = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["api/read"],
        "GenerateSecret": True,
        **changes,
    }
    return {key: value for key, value in settings.items() if value is not None}


@pytest.fixture
def api_pool(cognito: Any, pool_id: str) -> str:
    scope = {"ScopeName": "read", "ScopeDescription": "read"}
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="api", Scopes=[scope])
    return pool_id


def test_client_credentials_with_a_secret(cognito: Any, api_pool: str) -> None:
    client = create(cognito, api_pool, **machine())
    assert (client["AllowedOAuthFlows"], client["AllowedOAuthScopes"]) == (
        ["client_credentials"],
        ["api/read"],
    )
    assert "CallbackURLs" not in client  # a machine is redirected nowhere


def test_client_credentials_needs_a_secret(cognito: Any, api_pool: str) -> None:
    assert refused(cognito, api_pool, **machine(GenerateSecret=None)) == (
        "InvalidOAuthFlowException",
        oauth_rules.SECRET_REQUIRED,
    )
    # Also on update: a client created without a secret never gets one.
    client_id = create(cognito, api_pool)["ClientId"]
    settings = machine(GenerateSecret=None)
    assert refused_update(cognito, api_pool, client_id, **settings) == (
        "InvalidOAuthFlowException",
        oauth_rules.SECRET_REQUIRED,
    )


@pytest.mark.parametrize("other", ["code", "implicit"])
def test_client_credentials_goes_alone(cognito: Any, api_pool: str, other: str) -> None:
    settings = machine(AllowedOAuthFlows=["client_credentials", other], CallbackURLs=[CALLBACK])
    assert refused(cognito, api_pool, **settings) == (
        "InvalidOAuthFlowException",
        oauth_rules.CREDENTIALS_ALONE,
    )


@pytest.mark.parametrize("scope", sorted(oauth_rules.STANDARD_SCOPES))
def test_client_credentials_takes_only_custom_scopes(
    cognito: Any, api_pool: str, scope: str
) -> None:
    assert refused(cognito, api_pool, **machine(AllowedOAuthScopes=["api/read", scope])) == (
        "InvalidOAuthFlowException",
        f"{scope} is not supported with client_credentials flow",
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "http://app.example.com/cb",
            "must use HTTPS (HTTP only for localhost, 127.0.0.1 and [::1])",
        ),
        ("https://app.example.com/cb#top", "must not include a fragment component"),
        ("app.example.com/cb", "must be an absolute URI"),
        ("https:///cb", "must name a host"),
    ],
)
@pytest.mark.parametrize("parameter", ["CallbackURLs", "LogoutURLs"])
def test_redirect_url_rules(
    cognito: Any, pool_id: str, parameter: str, url: str, problem: str
) -> None:
    settings = with_(**{parameter: [*WEB[parameter], url]})
    assert refused(cognito, pool_id, **settings) == (
        "InvalidParameterException",
        f"Invalid {parameter} {url}: {problem}.",
    )


@pytest.mark.parametrize(
    "url", ["http://localhost/", "http://127.0.0.1:9000/x", "http://[::1]:80/"]
)
def test_http_back_to_this_machine_is_fine(cognito: Any, pool_id: str, url: str) -> None:
    client = create(cognito, pool_id, **with_(CallbackURLs=[url], DefaultRedirectURI=url))
    assert client["DefaultRedirectURI"] == url


def test_default_redirect_is_one_of_the_callbacks(cognito: Any, pool_id: str) -> None:
    settings = with_(DefaultRedirectURI="https://elsewhere.example.com/")
    assert refused(cognito, pool_id, **settings) == (
        "InvalidParameterException",
        oauth_rules.DEFAULT_NOT_A_CALLBACK,
    )


@pytest.mark.parametrize("provider", ["Google", "Facebook", "MySAMLIdP", "cognito"])
def test_only_cognito_as_identity_provider(cognito: Any, pool_id: str, provider: str) -> None:
    settings = with_(SupportedIdentityProviders=["COGNITO", provider])
    assert refused(cognito, pool_id, **settings) == (
        "InvalidParameterException",
        f"The provider {provider} does not exist for User Pool {pool_id}.",
    )


def test_unknown_flow_is_a_validation_error(cognito: Any, pool_id: str) -> None:
    code, message = refused(cognito, pool_id, **with_(AllowedOAuthFlows=["token"]))
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '[token]' at ")


def test_a_refused_update_changes_nothing(cognito: Any, pool_id: str) -> None:
    created = create(cognito, pool_id, **WEB)
    client_id = created["ClientId"]
    assert refused_update(cognito, pool_id, client_id, **with_(AllowedOAuthScopes=["x"]))[0] == (
        "ScopeDoesNotExistException"
    )
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert described["UserPoolClient"] == created
