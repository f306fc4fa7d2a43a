"""User attributes on AdminCreateUser, AdminUpdateUserAttributes and AdminDeleteUserAttributes:
the pool schema, value constraints, verification flags, through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from tests.user_support import (
    attributes_of,
    create_user,
    failure,
    get_attributes,
    new_pool,
)

CREATION_REFUSAL = "Attributes did not conform to the schema: "
CHANGE_REFUSAL = "Invalid user attributes: "


@pytest.fixture
def schema_pool(cognito: Any) -> str:
    """A pool with custom attributes and a required email."""
    return new_pool(
        cognito,
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True},
            {
                "Name": "team",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MaxLength": "5"},
            },
            {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
            {
                "Name": "level",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"},
            },
        ],
    )


def update(cognito: Any, pool_id: str, username: str, **attributes: str) -> Any:
    return cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
    )


def create_failure(cognito: Any, pool_id: str, **attributes: str) -> tuple[str, str]:
    return failure(
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="someone",
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
    )


def test_unknown_attributes_are_listed(cognito: Any, pool_id: str) -> None:
    code, message = create_failure(cognito, pool_id, favourite="tea", **{"custom:team": "a"})
    assert code == "InvalidParameterException"
    assert message == (
        CREATION_REFUSAL + "favourite: Attribute does not exist in the schema.\n"
        "custom:team: Attribute does not exist in the schema.\n"
    )


def test_sub_cannot_be_chosen(cognito: Any, pool_id: str) -> None:
    code, message = create_failure(cognito, pool_id, sub="my-own-sub")
    assert (code, message) == (
        "InvalidParameterException",
        CREATION_REFUSAL + "sub: Attribute cannot be updated.\n",
    )


def test_custom_attributes_follow_the_schema(cognito: Any, schema_pool: str) -> None:
    user = create_user(
        cognito,
        schema_pool,
        "alice",
        email="a@example.com",
        **{"custom:team": "red", "custom:badge": "B-1", "custom:level": "3"},
    )
    attributes = attributes_of(user["Attributes"])
    assert attributes["custom:team"] == "red"
    assert attributes["custom:badge"] == "B-1"
    code, message = create_failure(
        cognito, schema_pool, **{"custom:team": "purple", "custom:level": "11"}
    )
    assert code == "InvalidParameterException"
    assert message == (
        CREATION_REFUSAL + "custom:team: String must be no longer than 5 characters\n"
        "custom:level: Number must be no greater than 10\n"
    )


def test_number_attributes_need_numbers(cognito: Any, schema_pool: str) -> None:
    _, message = create_failure(cognito, schema_pool, **{"custom:level": "high"})
    assert message == CREATION_REFUSAL + "custom:level: Value must be a number\n"


def test_standard_string_limits(cognito: Any, pool_id: str) -> None:
    _, message = create_failure(cognito, pool_id, name="x" * 2049)
    assert message == (
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to "
        "satisfy constraint: Member must have length less than or equal to 2048"
    )
    _, message = create_failure(cognito, pool_id, birthdate="1990-1-1")
    assert message == CREATION_REFUSAL + "birthdate: String must be no shorter than 10 characters\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("email", "not-an-email", "Invalid email address format."),
        ("email", "two@@example.com", "Invalid email address format."),
        ("phone_number", "5555550100", "Invalid phone number format."),
        ("phone_number", "+1 555 0100", "Invalid phone number format."),
    ],
)
def test_email_and_phone_formats(
    cognito: Any, pool_id: str, name: str, value: str, message: str
) -> None:
    assert create_failure(cognito, pool_id, **{name: value}) == (
        "InvalidParameterException",
        message,
    )


def test_verified_flags_are_booleans(cognito: Any, pool_id: str) -> None:
    user = create_user(cognito, pool_id, "bob", email="b@example.com", email_verified="True")
    assert attributes_of(user["Attributes"])["email_verified"] == "true"
    _, message = create_failure(cognito, pool_id, email="c@example.com", email_verified="yes")
    assert message == CREATION_REFUSAL + "email_verified: Value must be true or false\n"


def test_update_changes_and_adds_attributes(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "carol", name="Carol")
    update(cognito, pool_id, "carol", name="Caroline", given_name="Caro")
    attributes = get_attributes(cognito, pool_id, "carol")
    assert attributes["name"] == "Caroline"
    assert attributes["given_name"] == "Caro"


def test_changed_email_is_no_longer_verified(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "dave", email="d@example.com", email_verified="true")
    update(cognito, pool_id, "dave", email="dave@example.com")
    attributes = get_attributes(cognito, pool_id, "dave")
    assert attributes["email"] == "dave@example.com"
    assert attributes["email_verified"] == "false"


def test_changed_email_stays_verified_when_said_so(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "erin", phone_number="+15555550101", phone_number_verified="true")
    update(cognito, pool_id, "erin", phone_number="+15555550102", phone_number_verified="true")
    update(cognito, pool_id, "erin", phone_number="+15555550102", name="Erin")
    attributes = get_attributes(cognito, pool_id, "erin")
    assert attributes["phone_number"] == "+15555550102"
    assert attributes["phone_number_verified"] == "true"


def test_update_refuses_immutable_and_unknown_attributes(cognito: Any, schema_pool: str) -> None:
    create_user(cognito, schema_pool, "frank", email="f@example.com", **{"custom:badge": "B-2"})
    code, message = failure(
        cognito.admin_update_user_attributes,
        UserPoolId=schema_pool,
        Username="frank",
        UserAttributes=[
            {"Name": "sub", "Value": "other"},
            {"Name": "custom:badge", "Value": "B-3"},
            {"Name": "custom:nope", "Value": "x"},
        ],
    )
    assert code == "InvalidParameterException"
    assert message == (
        CHANGE_REFUSAL + "user.sub: Attribute cannot be updated.\n"
        "user.custom:badge: Attribute cannot be updated.\n"
        "user.custom:nope: Attribute does not exist in the schema.\n"
    )
    assert get_attributes(cognito, schema_pool, "frank")["custom:badge"] == "B-2"


def test_update_checks_values(cognito: Any, schema_pool: str) -> None:
    create_user(cognito, schema_pool, "gina", email="g@example.com")
    _, message = failure(
        update, cognito=cognito, pool_id=schema_pool, username="gina", **{"custom:team": "toolong"}
    )
    assert (
        message == CHANGE_REFUSAL + "user.custom:team: String must be no longer than 5 characters\n"
    )
    _, message = failure(update, cognito=cognito, pool_id=schema_pool, username="gina", email="x")
    assert message == "Invalid email address format."


def test_update_refuses_a_verified_alias_of_another_user(cognito: Any) -> None:
    pool_id = new_pool(cognito, AliasAttributes=["email"])
    create_user(cognito, pool_id, "hank", email="shared@example.com", email_verified="true")
    create_user(cognito, pool_id, "ivan", email="ivan@example.com", email_verified="true")
    code, message = failure(
        update,
        cognito=cognito,
        pool_id=pool_id,
        username="ivan",
        email="shared@example.com",
        email_verified="true",
    )
    assert (code, message) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    update(cognito, pool_id, "ivan", email="shared@example.com")  # unverified: no alias
    assert get_attributes(cognito, pool_id, "ivan")["email_verified"] == "false"


def test_delete_attributes(cognito: Any, pool_id: str) -> None:
    create_user(
        cognito,
        pool_id,
        "judy",
        email="j@example.com",
        email_verified="true",
        name="Judy",
        nickname="J",
    )
    cognito.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="judy", UserAttributeNames=["email", "nickname", "website"]
    )
    attributes = get_attributes(cognito, pool_id, "judy")
    assert set(attributes) == {"sub", "name"}


def test_delete_refuses_required_immutable_and_unknown(cognito: Any, schema_pool: str) -> None:
    create_user(cognito, schema_pool, "kim", email="k@example.com", **{"custom:badge": "B-4"})
    code, message = failure(
        cognito.admin_delete_user_attributes,
        UserPoolId=schema_pool,
        Username="kim",
        UserAttributeNames=["email", "custom:badge", "sub", "custom:nope"],
    )
    assert code == "InvalidParameterException"
    assert message == (
        CHANGE_REFUSAL + "user.email: The attribute is required\n"
        "user.custom:badge: Attribute cannot be updated.\n"
        "user.sub: Attribute cannot be updated.\n"
        "user.custom:nope: Attribute does not exist in the schema.\n"
    )
    assert get_attributes(cognito, schema_pool, "kim")["email"] == "k@example.com"
