"""ListUsers through boto3: pages, filters, AttributesToGet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.user_support import PASSWORD, attributes_of, create_user, failure, new_pool


def usernames(response: dict[str, Any]) -> list[str]:
    return [user["Username"] for user in response["Users"]]


def listed(cognito: Any, pool_id: str, filter_text: str) -> list[str]:
    return usernames(cognito.list_users(UserPoolId=pool_id, Filter=filter_text))


@pytest.fixture(scope="module")
def people(cognito: Any) -> str:
    """A pool with a few varied users, shared by the read-only tests below."""
    pool_id = new_pool(cognito)
    create_user(cognito, pool_id, "alice", email="alice@example.com", given_name="Alice")
    create_user(cognito, pool_id, "alfred", email="alfred@example.org", given_name="Alfred")
    create_user(cognito, pool_id, "bob", phone_number="+15555550100", family_name="Stone")
    create_user(cognito, pool_id, "carol", name='Carol "CJ" Jones', preferred_username="cj")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="bob", Password=PASSWORD, Permanent=True
    )
    cognito.admin_disable_user(UserPoolId=pool_id, Username="carol")
    return pool_id


def test_lists_everyone_with_their_details(cognito: Any, people: str) -> None:
    response = cognito.list_users(UserPoolId=people)
    assert usernames(response) == ["alfred", "alice", "bob", "carol"]
    assert "PaginationToken" not in response
    alice = response["Users"][1]
    assert attributes_of(alice["Attributes"])["email"] == "alice@example.com"
    assert alice["Attributes"][0]["Name"] == "sub"
    assert alice["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert alice["Enabled"] is True
    assert alice["UserCreateDate"] == alice["UserLastModifiedDate"]


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ("", ["alfred", "alice", "bob", "carol"]),
        ("   ", ["alfred", "alice", "bob", "carol"]),
        ('username = "alice"', ["alice"]),
        ('username ^= "al"', ["alfred", "alice"]),
        ('username="bob"', ["bob"]),
        ('email = "alfred@example.org"', ["alfred"]),
        ('email ^= "alice@"', ["alice"]),
        ('email = "ALICE@example.com"', []),
        ('given_name ^= "Al"', ["alfred", "alice"]),
        ('family_name = "Stone"', ["bob"]),
        ('phone_number = "+15555550100"', ["bob"]),
        ('preferred_username = "cj"', ["carol"]),
        ('name = "Carol \\"CJ\\" Jones"', ["carol"]),
        ('cognito:user_status = "CONFIRMED"', ["bob"]),
        ('cognito:user_status = "force_change_password"', ["alfred", "alice", "carol"]),
        ('status = "Disabled"', ["carol"]),
        ('status = "Enabled"', ["alfred", "alice", "bob"]),
        ('status = "enabled"', []),
        ('username = "nobody"', []),
    ],
)
def test_filters(cognito: Any, people: str, filter_text: str, expected: list[str]) -> None:
    assert listed(cognito, people, filter_text) == expected


def test_filter_on_sub(cognito: Any, people: str) -> None:
    user = cognito.admin_get_user(UserPoolId=people, Username="bob")
    sub = attributes_of(user["UserAttributes"])["sub"]
    assert listed(cognito, people, f'sub = "{sub}"') == ["bob"]


@pytest.mark.parametrize(
    "filter_text",
    ["username = alice", 'username == "alice"', 'username = "alice', '= "alice"', "email"],
)
def test_malformed_filters(cognito: Any, people: str, filter_text: str) -> None:
    code, message = failure(cognito.list_users, UserPoolId=people, Filter=filter_text)
    assert (code, message) == ("InvalidParameterException", "Error while parsing filter.")


def test_unsearchable_attribute(cognito: Any, people: str) -> None:
    code, message = failure(cognito.list_users, UserPoolId=people, Filter='nickname = "x"')
    assert (code, message) == ("InvalidParameterException", "Invalid search attribute: nickname")


def test_attributes_to_get(cognito: Any, people: str) -> None:
    response = cognito.list_users(UserPoolId=people, AttributesToGet=["email", "given_name"])
    by_name = {user["Username"]: attributes_of(user["Attributes"]) for user in response["Users"]}
    assert by_name["alice"] == {"email": "alice@example.com", "given_name": "Alice"}
    assert by_name["bob"] == {}
    none = cognito.list_users(UserPoolId=people, AttributesToGet=[])
    assert all(user["Attributes"] == [] for user in none["Users"])


def test_unknown_pool(cognito: Any) -> None:
    code, message = failure(cognito.list_users, UserPoolId="us-east-1_Nowhere00")
    assert (code, message) == (
        "ResourceNotFoundException",
        "User pool us-east-1_Nowhere00 does not exist.",
    )


def test_limit_above_sixty_is_refused(cognito: Any, people: str) -> None:
    code, message = failure(cognito.list_users, UserPoolId=people, Limit=61)
    assert code == "InvalidParameterException"
    assert "Member must have value less than or equal to 60" in message


def test_pages_over_more_than_sixty_users(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    names = sorted(f"user{number:03d}" for number in range(65))
    for name in names:
        cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    first = cognito.list_users(UserPoolId=pool_id)
    assert usernames(first) == names[:60]
    second = cognito.list_users(UserPoolId=pool_id, PaginationToken=first["PaginationToken"])
    assert usernames(second) == names[60:]
    assert "PaginationToken" not in second
    paginator = cognito.get_paginator("list_users")
    pages = list(paginator.paginate(UserPoolId=pool_id, Limit=7))
    assert [len(page["Users"]) for page in pages] == [7] * 9 + [2]
    assert [name for page in pages for name in usernames(page)] == names
    filtered = list(paginator.paginate(UserPoolId=pool_id, Filter='username ^= "user02"', Limit=3))
    assert [usernames(page) for page in filtered] == [
        ["user020", "user021", "user022"],
        ["user023", "user024", "user025"],
        ["user026", "user027", "user028"],
        ["user029"],
    ]


def test_case_insensitive_pool_lists_in_folded_order(cognito: Any) -> None:
    pool_id = new_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    for name in ("bravo", "Alpha", "charlie"):
        create_user(cognito, pool_id, name)
    response = cognito.list_users(UserPoolId=pool_id, Limit=2)
    assert usernames(response) == ["Alpha", "bravo"]
    rest = cognito.list_users(UserPoolId=pool_id, PaginationToken=response["PaginationToken"])
    assert usernames(rest) == ["charlie"]
