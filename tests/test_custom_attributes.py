"""AddCustomAttributes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def string(name: str) -> dict[str, str]:
    return {"Name": name, "AttributeDataType": "String"}


def schema_of(cognito: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {entry["Name"]: entry for entry in pool["SchemaAttributes"]}


def test_added_attributes_get_the_custom_prefix_and_defaults(cognito: Any, pool_id: str) -> None:
    before = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    cognito.add_custom_attributes(
        UserPoolId=pool_id,
        CustomAttributes=[
            {"Name": "tier", "AttributeDataType": "String"},
            {
                "Name": "level",
                "AttributeDataType": "Number",
                "Mutable": False,
                "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "9"},
            },
        ],
    )
    after = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    names = [entry["Name"] for entry in after["SchemaAttributes"]]
    assert names[-2:] == ["custom:tier", "custom:level"]
    assert len(names) == len(before["SchemaAttributes"]) + 2
    schema = schema_of(cognito, pool_id)
    assert schema["custom:tier"] == {
        "Name": "custom:tier",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {},
    }
    assert schema["custom:level"]["Mutable"] is False
    assert schema["custom:level"]["NumberAttributeConstraints"] == {
        "MinValue": "1",
        "MaxValue": "9",
    }
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]


def test_a_name_already_in_the_schema_is_refused(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="with-custom", Schema=[{"Name": "tier", "AttributeDataType": "String"}]
    )["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "custom:tier: Existing attribute already has name custom:tier.",
    )


def test_a_name_twice_in_one_request_is_refused_and_nothing_is_added(
    cognito: Any, pool_id: str
) -> None:
    before = schema_of(cognito, pool_id)
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(
            UserPoolId=pool_id,
            CustomAttributes=[string("new"), string("dup"), string("dup")],
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "custom:dup: Existing attribute already has name custom:dup.",
    )
    assert schema_of(cognito, pool_id) == before


def test_a_prefixed_name_is_prefixed_again(cognito: Any, pool_id: str) -> None:
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[string("custom:x")])
    assert "custom:custom:x" in schema_of(cognito, pool_id)


def test_required_custom_attributes_are_refused(cognito: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[{**string("must"), "Required": True}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    )


def test_at_most_fifty_custom_attributes(cognito: Any, pool_id: str) -> None:
    for batch in range(2):
        attributes = [string(f"a{batch}_{i}") for i in range(25)]
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=attributes)
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[string("one_more")])
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert "custom:one_more" not in schema_of(cognito, pool_id)


def test_unknown_pool(cognito: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId="us-east-1_nopool", CustomAttributes=[string("a")])
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nopool does not exist.",
    )


def test_name_longer_than_twenty_characters_fails_validation(cognito: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[string("n" * 21)])
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert "Member must have length less than or equal to 20" in message
