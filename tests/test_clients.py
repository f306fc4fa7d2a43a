"""App clients: Create/Describe/Update/Delete/ListUserPoolClients with boto3, and the pure rules."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from userpool.domain import client_rules
from userpool.domain.client_rules import TokenKind

DEFAULT_FIELDS = {
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {},
    "AllowedOAuthFlowsUserPoolClient": False,
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}
INVALID_RANGE = ("InvalidParameterException", "Invalid range for token validity.")
MISSING_POOL = "us-east-1_Missing99"


def create(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    response = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)
    return dict(response["UserPoolClient"])


def failure(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def refused(cognito: Any, pool_id: str, **settings: Any) -> tuple[str, str]:
    """The error CreateUserPoolClient gets for `settings`."""
    return failure(cognito.create_user_pool_client, UserPoolId=pool_id, ClientName="a", **settings)


def settings_of(client: dict[str, Any]) -> dict[str, Any]:
    identity = {"UserPoolId", "ClientName", "ClientId", "CreationDate", "LastModifiedDate"}
    return {key: value for key, value in client.items() if key not in identity}


# --- create and describe -------------------------------------------------------------------
def test_minimal_client_has_cognitos_defaults_and_nothing_else(cognito: Any, pool_id: str) -> None:
    client = create(cognito, pool_id)
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert client["UserPoolId"] == pool_id
    assert client["ClientName"] == "app"
    assert client["CreationDate"] == client["LastModifiedDate"]
    assert settings_of(client) == DEFAULT_FIELDS


def test_describe_returns_what_create_returned(cognito: Any, pool_id: str) -> None:
    secret = "my_own_secret_value_123456789"  # a supplied secret is kept
    created = create(cognito, pool_id, ClientSecret=secret, AccessTokenValidity=2)
    assert created["ClientSecret"] == secret
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])
    assert described["UserPoolClient"] == created


def test_generated_secret_is_51_characters(cognito: Any, pool_id: str) -> None:
    first = create(cognito, pool_id, GenerateSecret=True)
    second = create(cognito, pool_id, GenerateSecret=True)
    assert re.fullmatch(r"[a-z0-9]{51}", first["ClientSecret"])
    assert first["ClientSecret"] != second["ClientSecret"]
    assert "ClientSecret" not in create(cognito, pool_id, GenerateSecret=False)


def test_supplied_and_generated_secret_together_are_refused(cognito: Any, pool_id: str) -> None:
    code, message = refused(
        cognito, pool_id, GenerateSecret=True, ClientSecret="my_own_secret_value_123456789"
    )
    assert code == "InvalidParameterException"
    assert "GenerateSecret" in message and "ClientSecret" in message


# --- auth flows ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "flows",
    [
        ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"],
        ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"],  # legacy values on their own
    ],
)
def test_explicit_auth_flows_are_echoed(cognito: Any, pool_id: str, flows: list[str]) -> None:
    assert create(cognito, pool_id, ExplicitAuthFlows=flows)["ExplicitAuthFlows"] == flows


@pytest.mark.parametrize(
    ("flows", "message"),
    [
        (["ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], client_rules.MIXED_FLOWS),
        (["ALLOW_USER_SRP_AUTH"], "REFRESH_TOKEN_AUTH should always be allowed."),
    ],
)
def test_flow_rules(cognito: Any, pool_id: str, flows: list[str], message: str) -> None:
    assert refused(cognito, pool_id, ExplicitAuthFlows=flows) == (
        "InvalidParameterException",
        message,
    )


def test_unknown_flow_is_a_validation_error(cognito: Any, pool_id: str) -> None:
    code, message = refused(cognito, pool_id, ExplicitAuthFlows=["ALLOW_TELEPATHY"])
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '[ALLOW_TELEPATHY]' at ")


# --- token validity ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        {"AccessTokenValidity": 5, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"AccessTokenValidity": 24},
        {"IdTokenValidity": 86400, "TokenValidityUnits": {"IdToken": "seconds"}},
        {"IdTokenValidity": 1, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3650},
    ],
)
def test_validities_at_the_limits_are_accepted_and_echoed(
    cognito: Any, pool_id: str, settings: dict[str, Any]
) -> None:
    client = create(cognito, pool_id, **settings)
    assert {key: client[key] for key in settings} == settings


@pytest.mark.parametrize(
    "settings",
    [
        {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"AccessTokenValidity": 25},
        {"AccessTokenValidity": 60},  # hours when no unit is given
        {"IdTokenValidity": 1441, "TokenValidityUnits": {"IdToken": "minutes"}},
        {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3651},
        {"TokenValidityUnits": {"RefreshToken": "minutes"}},  # the default 30, in minutes
    ],
)
def test_validities_out_of_range_are_refused(
    cognito: Any, pool_id: str, settings: dict[str, Any]
) -> None:
    assert refused(cognito, pool_id, **settings) == INVALID_RANGE


def test_refresh_validity_zero_means_the_default(cognito: Any, pool_id: str) -> None:
    assert create(cognito, pool_id, RefreshTokenValidity=0)["RefreshTokenValidity"] == 30


# --- attributes ----------------------------------------------------------------------------
@pytest.fixture
def schema_pool(cognito: Any) -> str:
    """A pool where email is required and custom:tenant exists."""
    pool = cognito.create_user_pool(
        PoolName=f"schema-{uuid.uuid4().hex[:8]}",
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True},
            {"Name": "tenant", "AttributeDataType": "String"},
        ],
    )
    return str(pool["UserPool"]["Id"])


def test_read_and_write_attributes_are_echoed(cognito: Any, schema_pool: str) -> None:
    client = create(
        cognito,
        schema_pool,
        ReadAttributes=["email", "email_verified", "custom:tenant"],
        WriteAttributes=["email", "custom:tenant"],
    )
    assert client["ReadAttributes"] == ["email", "email_verified", "custom:tenant"]
    assert client["WriteAttributes"] == ["email", "custom:tenant"]


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("Read", ["custom:nope"]),
        ("Read", ["shoe_size"]),
        ("Write", ["email", "custom:x"]),
        ("Write", ["email", "email_verified"]),
        ("Write", ["email", "sub"]),
        ("Write", ["name"]),  # leaves out the required email
    ],
)
def test_attribute_permissions_are_checked_against_the_schema(
    cognito: Any, schema_pool: str, kind: str, names: list[str]
) -> None:
    assert refused(cognito, schema_pool, **{f"{kind}Attributes": names}) == (
        "InvalidParameterException",
        f"Invalid {kind.lower()} attributes specified while creating a client",
    )


# --- other settings ------------------------------------------------------------------------
def test_other_settings_are_stored_and_echoed(cognito: Any, pool_id: str) -> None:
    settings = {
        "PreventUserExistenceErrors": "ENABLED",
        "AuthSessionValidity": 15,
        "EnableTokenRevocation": False,
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 60},
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "CallbackURLs": ["https://app.example.com/callback"],
        "LogoutURLs": ["https://app.example.com/"],
        "DefaultRedirectURI": "https://app.example.com/callback",
        "SupportedIdentityProviders": ["COGNITO"],
    }
    client = create(cognito, pool_id, **settings)
    assert {key: client[key] for key in settings} == settings


def test_context_data_propagation_needs_a_secret(cognito: Any, pool_id: str) -> None:
    assert refused(cognito, pool_id, EnablePropagateAdditionalUserContextData=True) == (
        "InvalidParameterException",
        client_rules.SECRET_REQUIRED,
    )
    client = create(
        cognito, pool_id, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True
    )
    assert client["EnablePropagateAdditionalUserContextData"] is True


@pytest.mark.parametrize(
    ("settings", "member"),
    [
        ({"AuthSessionValidity": 16}, "authSessionValidity"),
        (
            {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 61}},
            "refreshTokenRotation.retryGracePeriodSeconds",
        ),
    ],
)
def test_model_limits_are_enforced(
    cognito: Any, pool_id: str, settings: dict[str, Any], member: str
) -> None:
    code, message = refused(cognito, pool_id, **settings)
    assert code == "InvalidParameterException"
    assert f"at '{member}' failed to satisfy constraint: Member must have value less" in message


# --- update --------------------------------------------------------------------------------
def test_update_resets_what_it_omits_and_keeps_identity(cognito: Any, pool_id: str) -> None:
    client = create(
        cognito,
        pool_id,
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=2,
        PreventUserExistenceErrors="ENABLED",
        AuthSessionValidity=10,
        EnableTokenRevocation=False,
    )
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"], IdTokenValidity=3
    )["UserPoolClient"]
    assert settings_of(updated) == {
        **DEFAULT_FIELDS,
        "IdTokenValidity": 3,
        "ClientSecret": client["ClientSecret"],
    }
    assert updated["ClientName"] == "app"
    assert updated["CreationDate"] == client["CreationDate"]
    assert updated["LastModifiedDate"] >= client["LastModifiedDate"]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"] == updated


def test_update_renames(cognito: Any, pool_id: str) -> None:
    client_id = create(cognito, pool_id)["ClientId"]
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, ClientName="renamed"
    )
    assert updated["UserPoolClient"]["ClientName"] == "renamed"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"AccessTokenValidity": 30}, "Invalid range for token validity."),
        (
            {"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH"]},
            "REFRESH_TOKEN_AUTH should always be allowed.",
        ),
        ({"EnablePropagateAdditionalUserContextData": True}, client_rules.SECRET_REQUIRED),
        (
            {"WriteAttributes": ["name"]},
            "Invalid write attributes specified while updating a client",
        ),
    ],
)
def test_update_applies_the_same_rules(
    cognito: Any, schema_pool: str, settings: dict[str, Any], message: str
) -> None:
    client_id = create(cognito, schema_pool)["ClientId"]
    kwargs = {"UserPoolId": schema_pool, "ClientId": client_id, **settings}
    assert failure(cognito.update_user_pool_client, **kwargs) == (
        "InvalidParameterException",
        message,
    )


# --- delete, not found ---------------------------------------------------------------------
def test_delete_removes_the_client(cognito: Any, pool_id: str) -> None:
    client_id = create(cognito, pool_id)["ClientId"]
    assert cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    for call in (cognito.describe_user_pool_client, cognito.delete_user_pool_client):
        assert failure(call, UserPoolId=pool_id, ClientId=client_id) == (
            "ResourceNotFoundException",
            f"User pool client {client_id} does not exist.",
        )


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        ("create_user_pool_client", {"ClientName": "a"}),
        ("list_user_pool_clients", {}),
        ("describe_user_pool_client", {"ClientId": "nosuchclient"}),
        ("update_user_pool_client", {"ClientId": "nosuchclient"}),
        ("delete_user_pool_client", {"ClientId": "nosuchclient"}),
    ],
)
def test_unknown_pool(cognito: Any, operation: str, arguments: dict[str, str]) -> None:
    assert failure(getattr(cognito, operation), UserPoolId=MISSING_POOL, **arguments) == (
        "ResourceNotFoundException",
        f"User pool {MISSING_POOL} does not exist.",
    )


@pytest.mark.parametrize(
    "operation", ["describe_user_pool_client", "update_user_pool_client", "delete_user_pool_client"]
)
def test_unknown_client(cognito: Any, pool_id: str, operation: str) -> None:
    elsewhere = create(cognito, cognito.create_user_pool(PoolName="other")["UserPool"]["Id"])
    for client_id in ("nosuchclient", elsewhere["ClientId"]):
        assert failure(getattr(cognito, operation), UserPoolId=pool_id, ClientId=client_id) == (
            "ResourceNotFoundException",
            f"User pool client {client_id} does not exist.",
        )


# --- list ----------------------------------------------------------------------------------
def pages_of(cognito: Any, pool_id: str, size: int) -> list[list[dict[str, Any]]]:
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": size}
    pages = [cognito.list_user_pool_clients(**kwargs)]
    while "NextToken" in pages[-1]:
        pages.append(cognito.list_user_pool_clients(**kwargs, NextToken=pages[-1]["NextToken"]))
    return [page["UserPoolClients"] for page in pages]


def test_list_pages_through_every_client(cognito: Any, pool_id: str) -> None:
    made = {create(cognito, pool_id)["ClientId"] for _ in range(5)}
    pages = pages_of(cognito, pool_id, 2)
    assert [len(page) for page in pages] == [2, 2, 1]
    seen = [entry for page in pages for entry in page]
    assert {entry["ClientId"] for entry in seen} == made
    for entry in seen:
        assert entry == {"ClientId": entry["ClientId"], "UserPoolId": pool_id, "ClientName": "app"}
    assert pages_of(cognito, pool_id, 60) == [seen]


def test_list_of_an_empty_pool(cognito: Any, pool_id: str) -> None:
    assert pages_of(cognito, pool_id, 60) == [[]]


def test_list_max_results_is_limited(cognito: Any, pool_id: str) -> None:
    code, message = failure(cognito.list_user_pool_clients, UserPoolId=pool_id, MaxResults=61)
    assert code == "InvalidParameterException"
    assert "Value '61' at 'maxResults' failed to satisfy constraint" in message


# --- the pure rules the sign-in engine uses ------------------------------------------------
@pytest.mark.parametrize(
    ("flows", "allowed"),
    [
        ([], "REFRESH_TOKEN USER_SRP CUSTOM"),
        (["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "USER REFRESH_TOKEN"),
        (["ADMIN_NO_SRP_AUTH"], "ADMIN_USER_PASSWORD REFRESH_TOKEN USER_SRP CUSTOM"),
        (["USER_PASSWORD_AUTH"], "USER_PASSWORD REFRESH_TOKEN USER_SRP CUSTOM"),
        (["CUSTOM_AUTH_FLOW_ONLY"], "CUSTOM REFRESH_TOKEN"),
    ],
)
def test_allowed_flows(flows: list[str], allowed: str) -> None:
    expected = {f"ALLOW_{name}_AUTH" for name in allowed.split()}
    assert client_rules.allowed_flows({"ExplicitAuthFlows": flows}) == expected


def test_token_validity_seconds() -> None:
    seconds = client_rules.token_validity_seconds
    defaults = client_rules.client_settings({})
    assert [seconds(defaults, kind) for kind in TokenKind] == [3600, 3600, 30 * 86400]
    settings = {
        "AccessTokenValidity": 2,
        "IdTokenValidity": 10,
        "RefreshTokenValidity": 90,
        "TokenValidityUnits": {"IdToken": "minutes", "RefreshToken": "minutes"},
    }
    assert [seconds(settings, kind) for kind in TokenKind] == [7200, 600, 5400]


def test_session_existence_and_rotation_settings() -> None:
    defaults = client_rules.client_settings({})
    assert client_rules.auth_session_seconds(defaults) == 180
    assert client_rules.auth_session_seconds({"AuthSessionValidity": 15}) == 900
    assert not client_rules.hides_user_existence(defaults)
    assert not client_rules.hides_user_existence({"PreventUserExistenceErrors": "LEGACY"})
    assert client_rules.hides_user_existence({"PreventUserExistenceErrors": "ENABLED"})
    assert client_rules.rotation_grace_seconds(defaults) is None
    rotation = {"Feature": "DISABLED", "RetryGracePeriodSeconds": 9}
    assert client_rules.rotation_grace_seconds({"RefreshTokenRotation": rotation}) is None
    rotation["Feature"] = "ENABLED"
    assert client_rules.rotation_grace_seconds({"RefreshTokenRotation": rotation}) == 9
    assert (
        client_rules.rotation_grace_seconds({"RefreshTokenRotation": {"Feature": "ENABLED"}}) == 0
    )
