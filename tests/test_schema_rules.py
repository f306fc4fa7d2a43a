"""The pool schema's rules through boto3: CreateUserPool and AddCustomAttributes refuse what
Cognito refuses (and store nothing), developer-only attributes are `dev:custom:<Name>` and
only administrators write them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.signin_support import PASSWORD, signed_in_account
from tests.user_support import attributes_of, failure

RETYPED = (
    "You can not change AttributeDataType or set developerOnlyAttribute "
    "for standard schema attribute email"
)
NO_DATA_TYPE = (
    "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
)


def pool_names(cognito: Any) -> set[str]:
    return {pool["Name"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]}


def schema_of(cognito: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {entry["Name"]: entry for entry in pool["SchemaAttributes"]}


def create_refusal(cognito: Any, schema: list[dict[str, Any]]) -> tuple[str, str]:
    """The error CreateUserPool gives for `schema`, having checked that no pool was made."""
    name = f"refused-{uuid.uuid4().hex[:8]}"
    refusal = failure(cognito.create_user_pool, PoolName=name, Schema=schema)
    assert name not in pool_names(cognito)
    return refusal


def add_refusal(cognito: Any, pool_id: str, attributes: list[dict[str, Any]]) -> tuple[str, str]:
    """The error AddCustomAttributes gives, having checked that the schema did not change."""
    before = schema_of(cognito, pool_id)
    refusal = failure(
        cognito.add_custom_attributes, UserPoolId=pool_id, CustomAttributes=attributes
    )
    assert schema_of(cognito, pool_id) == before
    return refusal


def string(name: str, **constraints: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Name": name, "AttributeDataType": "String"}
    if constraints:
        entry["StringAttributeConstraints"] = constraints
    return entry


def number(name: str, **constraints: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Name": name, "AttributeDataType": "Number"}
    if constraints:
        entry["NumberAttributeConstraints"] = constraints
    return entry


# --- standard attributes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        {"Name": "email", "AttributeDataType": "Number"},
        {"Name": "email", "DeveloperOnlyAttribute": True},
    ],
    ids=["retyped", "developer-only"],
)
def test_a_standard_attribute_keeps_its_type_and_audience(
    cognito: Any, entry: dict[str, Any]
) -> None:
    assert create_refusal(cognito, [entry]) == ("InvalidParameterException", RETYPED)


def test_a_standard_attribute_takes_new_constraints(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="narrow-email", Schema=[string("email", MinLength="5", MaxLength="100")]
    )["UserPool"]["Id"]
    email = schema_of(cognito, pool_id)["email"]
    assert email["StringAttributeConstraints"] == {"MinLength": "5", "MaxLength": "100"}
    assert (email["AttributeDataType"], email["DeveloperOnlyAttribute"]) == ("String", False)


# --- constraints ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            string("email", MinLength="short"),
            "Invalid StringAttributeConstraints for schema attribute email",
        ),
        (
            string("email", MaxLength="1.5"),
            "Invalid StringAttributeConstraints for schema attribute email",
        ),
        (
            string("email", MaxLength="2049"),
            "user.email: String attributes cannot have a length of more than 2048",
        ),
        (
            string("email", MinLength="2049"),
            "user.email: String attributes cannot have a length of more than 2048",
        ),
        (
            string("email", MinLength="2", MaxLength="1"),
            "user.email: Max length cannot be less than min length.",
        ),
        (
            number("updated_at", MaxValue="lots"),
            "Invalid NumberAttributeConstraints for schema attribute updated_at",
        ),
        (
            number("updated_at", MinValue="2", MaxValue="1"),
            "user.updated_at: Max value cannot be less than min value.",
        ),
        (
            string("tier", MaxLength="4096"),
            "user.custom:tier: String attributes cannot have a length of more than 2048",
        ),
        (
            string("tier", MaxLength="9" * 5000),
            "Invalid StringAttributeConstraints for schema attribute custom:tier",
        ),
        (
            number("level", MinValue=str(-(2**1023) - 1)),
            "Invalid NumberAttributeConstraints for schema attribute custom:level",
        ),
        (
            number("level", MinValue="10", MaxValue="-10"),
            "user.custom:level: Max value cannot be less than min value.",
        ),
    ],
    ids=[
        "words-for-a-length",
        "fractional-length",
        "max-length-over-2048",
        "min-length-over-2048",
        "min-over-max-length",
        "words-for-a-value",
        "min-over-max-value",
        "custom-too-long",
        "custom-too-many-digits",
        "custom-past-2-to-the-1023",
        "custom-min-over-max-value",
    ],
)
def test_constraints_that_make_no_sense_are_refused(
    cognito: Any, pool_id: str, entry: dict[str, Any], message: str
) -> None:
    assert create_refusal(cognito, [entry]) == ("InvalidParameterException", message)
    if entry["Name"] in ("tier", "level"):
        assert add_refusal(cognito, pool_id, [entry]) == ("InvalidParameterException", message)


def test_only_the_given_constraints_of_the_attributes_type_are_kept(cognito: Any) -> None:
    both = {
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "9"},
        "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "9"},
    }
    pool_id = cognito.create_user_pool(
        PoolName="constraints",
        Schema=[
            string("no_min", MaxLength="10"),
            number("no_max", MinValue="-5"),
            number("plain"),
            {"Name": "flag", "AttributeDataType": "Boolean", **both},
            {**number("mixed"), **both},
        ],
    )["UserPool"]["Id"]
    schema = schema_of(cognito, pool_id)
    assert schema["custom:no_min"]["StringAttributeConstraints"] == {"MaxLength": "10"}
    assert schema["custom:no_max"]["NumberAttributeConstraints"] == {"MinValue": "-5"}
    assert "NumberAttributeConstraints" not in schema["custom:plain"]
    for constraint in both:
        assert constraint not in schema["custom:flag"]
    assert "StringAttributeConstraints" not in schema["custom:mixed"]
    assert (
        schema["custom:mixed"]["NumberAttributeConstraints"] == both["NumberAttributeConstraints"]
    )


# --- custom entries without what they need -------------------------------------------------


def test_a_custom_attribute_needs_a_data_type(cognito: Any, pool_id: str) -> None:
    refusal = ("InvalidParameterException", NO_DATA_TYPE)
    assert create_refusal(cognito, [{"Name": "tier"}]) == refusal
    assert add_refusal(cognito, pool_id, [string("fine"), {"Name": "tier"}]) == refusal


def test_an_entry_needs_a_name(cognito: Any, pool_id: str) -> None:
    assert add_refusal(cognito, pool_id, [{}]) == (
        "InvalidParameterException",
        "1 validation error detected: Value null at 'customAttributes.1.member.name' "
        "failed to satisfy constraint: Member must not be null",
    )
    assert create_refusal(cognito, [string("tier"), {"AttributeDataType": "String"}]) == (
        "InvalidParameterException",
        "1 validation error detected: Value null at 'schema.2.member.name' "
        "failed to satisfy constraint: Member must not be null",
    )


def test_a_custom_name_twice_in_a_new_pool_is_refused(cognito: Any) -> None:
    assert create_refusal(cognito, [string("tier"), string("tier")]) == (
        "InvalidParameterException",
        "custom:tier: Existing attribute already has name custom:tier.",
    )


# --- developer-only attributes -------------------------------------------------------------


def developer_only(name: str) -> dict[str, Any]:
    return {**string(name), "DeveloperOnlyAttribute": True}


def test_developer_only_attributes_are_named_dev_custom(cognito: Any, pool_id: str) -> None:
    created = cognito.create_user_pool(PoolName="dev", Schema=[developer_only("secret")])
    schema = {entry["Name"]: entry for entry in created["UserPool"]["SchemaAttributes"]}
    assert schema["dev:custom:secret"]["DeveloperOnlyAttribute"] is True
    assert "custom:secret" not in schema
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[developer_only("note")])
    assert schema_of(cognito, pool_id)["dev:custom:note"] == {
        "Name": "dev:custom:note",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": True,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {},
    }
    assert add_refusal(cognito, pool_id, [developer_only("note")]) == (
        "InvalidParameterException",
        "custom:note: Existing attribute already has name dev:custom:note.",
    )


def test_an_administrator_writes_developer_only_attributes(cognito: Any, pool_id: str) -> None:
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[developer_only("plan")])
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="dora",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "dev:custom:plan", "Value": "gold"}],
    )
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="dora",
        UserAttributes=[{"Name": "dev:custom:plan", "Value": "platinum"}],
    )
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="dora")
    assert attributes_of(user["UserAttributes"])["dev:custom:plan"] == "platinum"


def test_only_an_administrator_writes_developer_only_attributes(cognito: Any) -> None:
    """A user's own token, SignUp and an app client's WriteAttributes are refused for them."""
    schema = [developer_only("plan")]
    account = signed_in_account(cognito, {"Schema": schema})
    pool_id, client_id = account.pool_id, account.client_id
    plan = [{"Name": "dev:custom:plan", "Value": "gold"}]
    refused = ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    token = account.tokens["AccessToken"]
    assert failure(cognito.update_user_attributes, AccessToken=token, UserAttributes=plan) == (
        refused
    )
    names = ["dev:custom:plan"]
    assert failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=names) == (
        refused
    )
    sign_up = {"ClientId": client_id, "Username": "eve", "Password": PASSWORD}
    assert failure(cognito.sign_up, **sign_up, UserAttributes=plan) == refused
    assert failure(
        cognito.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="writer",
        WriteAttributes=["dev:custom:plan"],
    ) == ("InvalidParameterException", "Invalid write attributes specified while creating a client")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=account.username)
    assert "dev:custom:plan" not in attributes_of(user["UserAttributes"])
