"""How operations find a user: email/phone as username, aliases, case-insensitive pools."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.user_support import (
    attributes_of,
    create_user,
    failure,
    get_attributes,
    new_pool,
)


@pytest.fixture
def email_pool(cognito: Any) -> str:
    return new_pool(cognito, UsernameAttributes=["email"])


@pytest.fixture
def alias_pool(cognito: Any) -> str:
    return new_pool(cognito, AliasAttributes=["email", "phone_number", "preferred_username"])


def test_email_username_gets_a_uuid_username(cognito: Any, email_pool: str) -> None:
    user = create_user(cognito, email_pool, "Ann@Example.com")
    attributes = attributes_of(user["Attributes"])
    assert attributes["email"] == "Ann@Example.com"
    assert user["Username"] == attributes["sub"]
    assert str(uuid.UUID(user["Username"])) == user["Username"]
    for name in ("Ann@Example.com", attributes["sub"]):
        got = cognito.admin_get_user(UserPoolId=email_pool, Username=name)
        assert got["Username"] == attributes["sub"]


def test_email_username_may_be_unverified(cognito: Any, email_pool: str) -> None:
    user = create_user(cognito, email_pool, "bo@example.com", email_verified="false")
    cognito.admin_disable_user(UserPoolId=email_pool, Username="bo@example.com")
    got = cognito.admin_get_user(UserPoolId=email_pool, Username=user["Username"])
    assert got["Enabled"] is False


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (["email"], "Username should be an email."),
        (["phone_number"], "Username should be a phone number."),
        (["email", "phone_number"], "Username should be either an email or a phone number."),
    ],
)
def test_username_must_be_an_email_or_phone(
    cognito: Any, attributes: list[str], message: str
) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=attributes)
    code, text = failure(cognito.admin_create_user, UserPoolId=pool_id, Username="plainname")
    assert (code, text) == ("InvalidParameterException", message)


def test_phone_or_email_username(cognito: Any) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["email", "phone_number"])
    by_phone = create_user(cognito, pool_id, "+15555550123")
    by_email = create_user(cognito, pool_id, "cy@example.com")
    assert attributes_of(by_phone["Attributes"])["phone_number"] == "+15555550123"
    assert "email" not in attributes_of(by_phone["Attributes"])
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="+15555550123")
    assert got["Username"] == by_phone["Username"] != by_email["Username"]


def test_email_username_is_unique(cognito: Any, email_pool: str) -> None:
    create_user(cognito, email_pool, "dee@example.com")
    code, message = failure(
        cognito.admin_create_user, UserPoolId=email_pool, Username="dee@example.com"
    )
    assert (code, message) == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )


def test_case_insensitive_pool(cognito: Any) -> None:
    pool_id = new_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    create_user(cognito, pool_id, "Eve")
    for spelling in ("eve", "EVE", "Eve"):
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=spelling)["Username"] == "Eve"
    code, message = failure(cognito.admin_create_user, UserPoolId=pool_id, Username="EVE")
    assert (code, message) == ("UsernameExistsException", "User account already exists")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="eVe")
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username="Eve")
    assert code == "UserNotFoundException"


def test_case_insensitive_pool_folds_email_usernames(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False}
    )
    user = create_user(cognito, pool_id, "Fay@Example.com")
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="fay@example.COM")
    assert got["Username"] == user["Username"]
    code, _ = failure(cognito.admin_create_user, UserPoolId=pool_id, Username="FAY@example.com")
    assert code == "UsernameExistsException"


@pytest.mark.parametrize(
    ("username", "message"),
    [
        (
            "nia@example.com",
            "Username cannot be of email format, since user pool is configured for email alias.",
        ),
        (
            "+15555550125",
            "Username cannot be of phone number format, since user pool is configured for "
            "phone number alias.",
        ),
    ],
)
def test_username_cannot_look_like_an_alias(
    cognito: Any, alias_pool: str, username: str, message: str
) -> None:
    code, text = failure(cognito.admin_create_user, UserPoolId=alias_pool, Username=username)
    assert (code, text) == ("InvalidParameterException", message)
    create_user(cognito, new_pool(cognito), username)  # fine where they are no aliases


def test_verified_email_and_phone_are_aliases(cognito: Any, alias_pool: str) -> None:
    create_user(
        cognito,
        alias_pool,
        "gus",
        email="gus@example.com",
        email_verified="true",
        phone_number="+15555550124",
        phone_number_verified="true",
    )
    for alias in ("gus@example.com", "+15555550124"):
        assert cognito.admin_get_user(UserPoolId=alias_pool, Username=alias)["Username"] == "gus"


def test_unverified_email_is_not_an_alias(cognito: Any, alias_pool: str) -> None:
    create_user(cognito, alias_pool, "hal", email="hal@example.com")
    code, _ = failure(cognito.admin_get_user, UserPoolId=alias_pool, Username="hal@example.com")
    assert code == "UserNotFoundException"


def test_email_is_no_alias_when_the_pool_has_none(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "ike", email="ike@example.com", email_verified="true")
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username="ike@example.com")
    assert code == "UserNotFoundException"


def test_preferred_username_is_an_alias(cognito: Any, alias_pool: str) -> None:
    create_user(cognito, alias_pool, "jon", preferred_username="jonny")
    cognito.admin_disable_user(UserPoolId=alias_pool, Username="jonny")
    assert cognito.admin_get_user(UserPoolId=alias_pool, Username="jon")["Enabled"] is False
    code, message = failure(
        cognito.admin_create_user,
        UserPoolId=alias_pool,
        Username="jonathan",
        UserAttributes=[{"Name": "preferred_username", "Value": "jonny"}],
    )
    assert (code, message) == (
        "AliasExistsException",
        "An account with the given preferred_username already exists.",
    )


def test_verified_alias_cannot_be_shared(cognito: Any, alias_pool: str) -> None:
    create_user(cognito, alias_pool, "kit", email="k@example.com", email_verified="true")
    code, message = failure(
        cognito.admin_create_user,
        UserPoolId=alias_pool,
        Username="kat",
        UserAttributes=[
            {"Name": "email", "Value": "k@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert (code, message) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    code, _ = failure(cognito.admin_get_user, UserPoolId=alias_pool, Username="kat")
    assert code == "UserNotFoundException"
    create_user(cognito, alias_pool, "kat", email="k@example.com")  # unverified is fine


def test_force_alias_creation_moves_the_alias(cognito: Any, alias_pool: str) -> None:
    create_user(cognito, alias_pool, "lou", email="l@example.com", email_verified="true")
    cognito.admin_create_user(
        UserPoolId=alias_pool,
        Username="lea",
        MessageAction="SUPPRESS",
        ForceAliasCreation=True,
        UserAttributes=[
            {"Name": "email", "Value": "l@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert cognito.admin_get_user(UserPoolId=alias_pool, Username="l@example.com")["Username"] == (
        "lea"
    )
    previous = get_attributes(cognito, alias_pool, "lou")
    assert previous["email"] == "l@example.com"
    assert previous["email_verified"] == "false"


def test_username_wins_over_an_alias(cognito: Any, alias_pool: str) -> None:
    create_user(cognito, alias_pool, "max", preferred_username="moe")
    create_user(cognito, alias_pool, "moe", preferred_username="maxwell")
    assert cognito.admin_get_user(UserPoolId=alias_pool, Username="moe")["Username"] == "moe"
    assert cognito.admin_get_user(UserPoolId=alias_pool, Username="maxwell")["Username"] == "moe"
