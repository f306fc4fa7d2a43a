"""Groups: CRUD, listing, and membership of users."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of

ROLE = "arn:aws:iam::000000000000:role/readers"
NOT_FOUND = ("ResourceNotFoundException", "Group not found.")


def failure(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**request)
    return error_of(excinfo)


def group_names(groups: list[dict[str, Any]]) -> list[str]:
    return [group["GroupName"] for group in groups]


def all_pages(call: Any, key: str, **request: Any) -> list[list[Any]]:
    pages = []
    while True:
        response = call(**request)
        pages.append(response[key])
        if "NextToken" not in response:
            return pages
        request["NextToken"] = response["NextToken"]


def test_create_and_get_a_group_with_every_field(cognito: Any, pool_id: str) -> None:
    before = time.time()
    created = cognito.create_group(
        UserPoolId=pool_id, GroupName="readers", Description="Read only", RoleArn=ROLE, Precedence=3
    )["Group"]
    assert set(created) == {
        "GroupName",
        "UserPoolId",
        "Description",
        "RoleArn",
        "Precedence",
        "LastModifiedDate",
        "CreationDate",
    }
    assert (created["GroupName"], created["UserPoolId"]) == ("readers", pool_id)
    assert (created["Description"], created["RoleArn"], created["Precedence"]) == (
        "Read only",
        ROLE,
        3,
    )
    assert created["CreationDate"] == created["LastModifiedDate"]
    assert created["CreationDate"].timestamp() >= before - 1
    assert cognito.get_group(UserPoolId=pool_id, GroupName="readers")["Group"] == created


def test_a_group_without_optional_fields_has_none(cognito: Any, pool_id: str) -> None:
    group = cognito.create_group(UserPoolId=pool_id, GroupName="bare")["Group"]
    assert set(group) == {"GroupName", "UserPoolId", "LastModifiedDate", "CreationDate"}


def test_precedence_zero_is_kept(cognito: Any, pool_id: str) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="top", Precedence=0)
    assert cognito.get_group(UserPoolId=pool_id, GroupName="top")["Group"]["Precedence"] == 0


@pytest.mark.parametrize("twin", ["admins", "ADMINS", "Admins"])
def test_a_name_taken_in_any_case_is_refused(cognito: Any, pool_id: str, twin: str) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    assert failure(cognito.create_group, UserPoolId=pool_id, GroupName=twin) == (
        "GroupExistsException",
        "A group with the name already exists.",
    )


def test_the_same_name_in_another_pool_is_another_group(cognito: Any, pool_id: str) -> None:
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cognito.create_group(UserPoolId=pool_id, GroupName="staff", Description="here")
    cognito.create_group(UserPoolId=other, GroupName="staff", Description="there")
    assert cognito.get_group(UserPoolId=other, GroupName="staff")["Group"]["Description"] == "there"
    assert (
        cognito.get_group(UserPoolId=pool_id, GroupName="staff")["Group"]["Description"] == "here"
    )


def test_update_changes_only_the_supplied_fields(cognito: Any, pool_id: str) -> None:
    created = cognito.create_group(
        UserPoolId=pool_id, GroupName="editors", Description="Edit", RoleArn=ROLE, Precedence=5
    )["Group"]
    time.sleep(0.01)
    updated = cognito.update_group(UserPoolId=pool_id, GroupName="editors", Precedence=0)["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("Edit", ROLE, 0)
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] > created["LastModifiedDate"]
    updated = cognito.update_group(UserPoolId=pool_id, GroupName="editors", Description="New")
    assert updated["Group"]["Description"] == "New"
    assert cognito.get_group(UserPoolId=pool_id, GroupName="editors")["Group"] == updated["Group"]


def test_delete_group(cognito: Any, pool_id: str) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="gone")
    cognito.delete_group(UserPoolId=pool_id, GroupName="gone")
    assert failure(cognito.get_group, UserPoolId=pool_id, GroupName="gone") == NOT_FOUND
    assert failure(cognito.delete_group, UserPoolId=pool_id, GroupName="gone") == NOT_FOUND
    cognito.create_group(UserPoolId=pool_id, GroupName="gone")


@pytest.mark.parametrize(
    "operation", ["get_group", "update_group", "delete_group", "list_users_in_group"]
)
def test_unknown_group(cognito: Any, pool_id: str, operation: str) -> None:
    call = getattr(cognito, operation)
    assert failure(call, UserPoolId=pool_id, GroupName="nobody") == NOT_FOUND


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("create_group", {"GroupName": "g"}),
        ("get_group", {"GroupName": "g"}),
        ("update_group", {"GroupName": "g"}),
        ("delete_group", {"GroupName": "g"}),
        ("list_groups", {}),
        ("list_users_in_group", {"GroupName": "g"}),
        ("admin_add_user_to_group", {"GroupName": "g", "Username": "u"}),
        ("admin_remove_user_from_group", {"GroupName": "g", "Username": "u"}),
        ("admin_list_groups_for_user", {"Username": "u"}),
    ],
)
def test_unknown_pool(cognito: Any, operation: str, request_: dict[str, Any]) -> None:
    call = getattr(cognito, operation)
    assert failure(call, UserPoolId="us-east-1_nopool", **request_) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nopool does not exist.",
    )


def test_list_groups_pages_through_every_group(cognito: Any, pool_id: str) -> None:
    names = [f"group-{i}" for i in range(5)]
    for name in names:
        cognito.create_group(UserPoolId=pool_id, GroupName=name)
    pages = all_pages(cognito.list_groups, "Groups", UserPoolId=pool_id, Limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(group_names([g for page in pages for g in page])) == names
    assert all(g["UserPoolId"] == pool_id for page in pages for g in page)


def test_list_groups_returns_sixty_by_default(cognito: Any, pool_id: str) -> None:
    for i in range(61):
        cognito.create_group(UserPoolId=pool_id, GroupName=f"g{i:02}")
    first = cognito.list_groups(UserPoolId=pool_id)
    assert len(first["Groups"]) == 60
    rest = cognito.list_groups(UserPoolId=pool_id, NextToken=first["NextToken"])
    assert len(rest["Groups"]) == 1
    assert "NextToken" not in rest
    assert len(set(group_names(first["Groups"] + rest["Groups"]))) == 61


def test_an_empty_pool_lists_no_groups(cognito: Any, pool_id: str) -> None:
    response = cognito.list_groups(UserPoolId=pool_id)
    assert response["Groups"] == []
    assert "NextToken" not in response


def test_limit_above_sixty_fails_validation(cognito: Any, pool_id: str) -> None:
    code, message = failure(cognito.list_groups, UserPoolId=pool_id, Limit=61)
    assert code == "InvalidParameterException"
    assert "Member must have value less than or equal to 60" in message


# Membership: users come from AdminCreateUser.


def create_user(cognito: Any, pool_id: str, username: str, **extra: Any) -> dict[str, Any]:
    user = cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", **extra
    )["User"]
    return dict(user)


def members(cognito: Any, pool_id: str, group: str) -> list[str]:
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]
    return [user["Username"] for user in users]


def groups_of(cognito: Any, pool_id: str, username: str) -> list[str]:
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
    return group_names(groups)


def test_membership_lifecycle(cognito: Any, pool_id: str) -> None:
    created = create_user(
        cognito, pool_id, "alice", UserAttributes=[{"Name": "email", "Value": "a@example.com"}]
    )
    cognito.create_group(UserPoolId=pool_id, GroupName="staff", Precedence=1)
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    listed = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="staff")["Users"]
    assert len(listed) == 1
    user = listed[0]
    for field in ("Username", "UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"):
        assert user[field] == created[field]
    attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert attributes == {a["Name"]: a["Value"] for a in created["Attributes"]}
    assert attributes["email"] == "a@example.com"
    assert "sub" in attributes
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert sorted(group_names(groups)) == ["admins", "staff"]
    assert groups == [
        cognito.get_group(UserPoolId=pool_id, GroupName=name)["Group"]
        for name in group_names(groups)
    ]
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
    assert members(cognito, pool_id, "staff") == []
    assert groups_of(cognito, pool_id, "alice") == ["admins"]


def test_a_user_is_named_by_username_alias_or_sub(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="by-email", UsernameAttributes=["email"])[
        "UserPool"
    ]["Id"]
    created = create_user(cognito, pool_id, "bob@example.com")
    sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="bob@example.com", GroupName="g")
    assert groups_of(cognito, pool_id, sub) == ["g"]
    assert members(cognito, pool_id, "g") == [created["Username"]]
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=sub, GroupName="g")
    assert groups_of(cognito, pool_id, "bob@example.com") == []


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("admin_add_user_to_group", {"GroupName": "g"}),
        ("admin_remove_user_from_group", {"GroupName": "g"}),
        ("admin_list_groups_for_user", {}),
    ],
)
def test_unknown_user(cognito: Any, pool_id: str, operation: str, request_: dict[str, Any]) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    call = getattr(cognito, operation)
    assert failure(call, UserPoolId=pool_id, Username="ghost", **request_) == (
        "UserNotFoundException",
        "User does not exist.",
    )


@pytest.mark.parametrize("operation", ["admin_add_user_to_group", "admin_remove_user_from_group"])
def test_unknown_group_for_a_member(cognito: Any, pool_id: str, operation: str) -> None:
    create_user(cognito, pool_id, "carol")
    call = getattr(cognito, operation)
    assert failure(call, UserPoolId=pool_id, Username="carol", GroupName="nobody") == NOT_FOUND


def test_deleting_a_group_ends_its_memberships(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "dave")
    cognito.create_group(UserPoolId=pool_id, GroupName="temp")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="dave", GroupName="temp")
    cognito.delete_group(UserPoolId=pool_id, GroupName="temp")
    assert groups_of(cognito, pool_id, "dave") == []
    cognito.create_group(UserPoolId=pool_id, GroupName="temp")
    assert members(cognito, pool_id, "temp") == []


def test_deleting_a_user_ends_their_memberships(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "erin")
    cognito.create_group(UserPoolId=pool_id, GroupName="team")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="erin", GroupName="team")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="erin")
    assert members(cognito, pool_id, "team") == []
    create_user(cognito, pool_id, "erin")
    assert groups_of(cognito, pool_id, "erin") == []
    assert members(cognito, pool_id, "team") == []


def test_membership_listings_page(cognito: Any, pool_id: str) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="crowd")
    usernames = [f"user{i}" for i in range(5)]
    for username in usernames:
        create_user(cognito, pool_id, username)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="crowd")
    pages = all_pages(
        cognito.list_users_in_group, "Users", UserPoolId=pool_id, GroupName="crowd", Limit=2
    )
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(user["Username"] for page in pages for user in page) == usernames
    names = [f"team{i}" for i in range(5)]
    for name in names:
        cognito.create_group(UserPoolId=pool_id, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="user0", GroupName=name)
    pages = all_pages(
        cognito.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username="user0", Limit=2
    )
    assert [len(page) for page in pages] == [2, 2, 2]
    assert sorted(group_names([g for page in pages for g in page])) == sorted([*names, "crowd"])
