"""User pools: Create/Describe/Update/Delete/ListUserPools with boto3 against the server."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of, make_client

DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
STANDARD_ATTRIBUTES = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
]
MISSING_POOL = "us-east-1_Missing99"
PROTECTED = (
    "The user pool cannot be deleted because deletion protection is activated. "
    "Deletion protection must be inactivated first."
)


def new_pool(cognito: Any, **settings: Any) -> dict[str, Any]:
    name = f"pool-{uuid.uuid4().hex[:8]}"
    return dict(cognito.create_user_pool(PoolName=name, **settings)["UserPool"])


def failure(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def schema_of(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["Name"]: entry for entry in pool["SchemaAttributes"]}


# --- create --------------------------------------------------------------------------------


def test_new_pool_has_cognitos_defaults(cognito: Any) -> None:
    pool = new_pool(cognito)
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Name"].startswith("pool-")
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool['Id']}"
    assert pool["Policies"] == {
        "PasswordPolicy": DEFAULT_PASSWORD_POLICY,
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    }
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["LambdaConfig"] == {}
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["CreationDate"] == pool["LastModifiedDate"]
    for absent in ("AliasAttributes", "UsernameAttributes", "AutoVerifiedAttributes"):
        assert absent not in pool


def test_given_settings_are_kept(cognito: Any) -> None:
    policy = {**DEFAULT_PASSWORD_POLICY, "MinimumLength": 12, "RequireSymbols": False}
    pool = new_pool(
        cognito,
        Policies={"PasswordPolicy": policy},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        DeletionProtection="ACTIVE",
        UsernameConfiguration={"CaseSensitive": False},
    )
    assert pool["Policies"]["PasswordPolicy"] == policy
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    cognito.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")


def test_schema_lists_every_standard_attribute(cognito: Any) -> None:
    schema = new_pool(cognito)["SchemaAttributes"]
    assert [entry["Name"] for entry in schema] == STANDARD_ATTRIBUTES
    by_name = schema_of({"SchemaAttributes": schema})
    assert by_name["sub"]["Required"] is True
    assert by_name["sub"]["Mutable"] is False
    assert by_name["email"] == {
        "Name": "email",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"},
    }
    assert by_name["email_verified"]["AttributeDataType"] == "Boolean"
    assert by_name["updated_at"]["AttributeDataType"] == "Number"


def test_schema_changes_standard_attributes_and_adds_custom_ones(cognito: Any) -> None:
    pool = new_pool(
        cognito,
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True},
            {
                "Name": "tenant",
                "AttributeDataType": "String",
                "Mutable": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            },
            {
                "Name": "level",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "9"},
            },
        ],
    )
    schema = schema_of(pool)
    assert schema["email"]["Required"] is True
    assert schema["custom:tenant"] == {
        "Name": "custom:tenant",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
    }
    assert schema["custom:level"]["AttributeDataType"] == "Number"
    assert schema["custom:level"]["NumberAttributeConstraints"] == {
        "MinValue": "0",
        "MaxValue": "9",
    }
    assert "tenant" not in schema
    assert len(schema) == len(STANDARD_ATTRIBUTES) + 2


def test_required_custom_attribute_is_refused(cognito: Any) -> None:
    code, message = failure(
        cognito.create_user_pool,
        PoolName="p",
        Schema=[{"Name": "tenant", "AttributeDataType": "String", "Required": True}],
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    )


def test_alias_and_username_attributes_do_not_go_together(cognito: Any) -> None:
    code, message = failure(
        cognito.create_user_pool,
        PoolName="p",
        AliasAttributes=["phone_number"],
        UsernameAttributes=["email"],
    )
    assert code == "InvalidParameterException"
    assert message == "Only one of AliasAttributes or UsernameAttributes can be set in a User Pool"


def test_pool_id_region_follows_the_signature_scope(server: Server) -> None:
    europe = make_client(server.url, region_name="eu-west-1")
    pool = europe.create_user_pool(PoolName="eu")["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Arn"].startswith("arn:aws:cognito-idp:eu-west-1:")
    assert europe.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]


# --- describe ------------------------------------------------------------------------------


def test_describe_returns_the_created_pool(cognito: Any) -> None:
    pool = new_pool(cognito, AliasAttributes=["email", "preferred_username"])
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described == pool


@pytest.mark.parametrize(
    "operation", ["describe_user_pool", "update_user_pool", "delete_user_pool"]
)
def test_unknown_pool(cognito: Any, operation: str) -> None:
    assert failure(getattr(cognito, operation), UserPoolId=MISSING_POOL) == (
        "ResourceNotFoundException",
        f"User pool {MISSING_POOL} does not exist.",
    )


# --- update --------------------------------------------------------------------------------


def test_update_sets_what_it_is_given_and_resets_the_rest(cognito: Any) -> None:
    pool = new_pool(
        cognito,
        Policies={"PasswordPolicy": {**DEFAULT_PASSWORD_POLICY, "MinimumLength": 14}},
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        Schema=[{"Name": "tenant", "AttributeDataType": "String"}],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )
    cognito.update_user_pool(
        UserPoolId=pool["Id"],
        AutoVerifiedAttributes=["phone_number"],
        EmailVerificationSubject="Your code",
    )
    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert updated["AutoVerifiedAttributes"] == ["phone_number"]
    assert updated["EmailVerificationSubject"] == "Your code"
    assert updated["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert updated["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    # What UpdateUserPool cannot change stays: name, sign-in names, schema, creation date.
    assert updated["Name"] == pool["Name"]
    assert updated["AliasAttributes"] == ["email"]
    assert updated["SchemaAttributes"] == pool["SchemaAttributes"]
    assert updated["CreationDate"] == pool["CreationDate"]
    assert updated["LastModifiedDate"] >= pool["LastModifiedDate"]


def test_update_without_a_setting_removes_it(cognito: Any) -> None:
    pool = new_pool(cognito, AutoVerifiedAttributes=["email"], DeletionProtection="ACTIVE")
    cognito.update_user_pool(UserPoolId=pool["Id"])
    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert "AutoVerifiedAttributes" not in updated
    assert updated["DeletionProtection"] == "INACTIVE"


def test_update_renames_the_pool(cognito: Any) -> None:
    pool = new_pool(cognito)
    cognito.update_user_pool(UserPoolId=pool["Id"], PoolName="renamed")
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "renamed"


# --- delete --------------------------------------------------------------------------------


def test_delete_removes_the_pool_and_its_clients(cognito: Any) -> None:
    pool_id = new_pool(cognito)["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")
    cognito.delete_user_pool(UserPoolId=pool_id)
    gone = ("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    assert failure(cognito.describe_user_pool, UserPoolId=pool_id) == gone
    client_id = client["UserPoolClient"]["ClientId"]
    assert failure(cognito.describe_user_pool_client, UserPoolId=pool_id, ClientId=client_id) == (
        gone
    )


def test_deletion_protection_refuses_delete_until_lifted(cognito: Any) -> None:
    pool_id = new_pool(cognito, DeletionProtection="ACTIVE")["Id"]
    assert failure(cognito.delete_user_pool, UserPoolId=pool_id) == (
        "InvalidParameterException",
        PROTECTED,
    )
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)
    code, _ = failure(cognito.describe_user_pool, UserPoolId=pool_id)
    assert code == "ResourceNotFoundException"


# --- list ----------------------------------------------------------------------------------


def all_pools(cognito: Any, page_size: int) -> tuple[list[dict[str, Any]], list[int]]:
    found: list[dict[str, Any]] = []
    sizes: list[int] = []
    kwargs: dict[str, Any] = {"MaxResults": page_size}
    while True:
        page = cognito.list_user_pools(**kwargs)
        found.extend(page["UserPools"])
        sizes.append(len(page["UserPools"]))
        if "NextToken" not in page:
            return found, sizes
        kwargs["NextToken"] = page["NextToken"]


def test_list_pages_through_every_pool(cognito: Any) -> None:
    made = [new_pool(cognito) for _ in range(3)]
    found, sizes = all_pools(cognito, 2)
    ids = [entry["Id"] for entry in found]
    assert len(ids) == len(set(ids))
    assert {pool["Id"] for pool in made} <= set(ids)
    assert all(size == 2 for size in sizes[:-1]) and 1 <= sizes[-1] <= 2
    wide, _ = all_pools(cognito, 60)
    assert [entry["Id"] for entry in wide] == ids
    entry = next(entry for entry in found if entry["Id"] == made[0]["Id"])
    assert entry == {
        "Id": made[0]["Id"],
        "Name": made[0]["Name"],
        "LambdaConfig": {},
        "CreationDate": made[0]["CreationDate"],
        "LastModifiedDate": made[0]["LastModifiedDate"],
    }


def test_list_leaves_out_deleted_pools(cognito: Any) -> None:
    pool_id = new_pool(cognito)["Id"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    found, _ = all_pools(cognito, 60)
    assert pool_id not in {entry["Id"] for entry in found}


def test_list_max_results_is_limited(cognito: Any) -> None:
    code, message = failure(cognito.list_user_pools, MaxResults=61)
    assert code == "InvalidParameterException"
    assert (
        "Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60" in message
    )
