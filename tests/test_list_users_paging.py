"""ListUsers and ListUsersInGroup tokens stay valid while users come and go between pages
(issue 19, item 3): boto3's paginator, on both backends, walks to the end while users are
created before, among and after the pages already read, and others deleted ahead of it; every
user there at the start and still there at the end comes exactly once, and no one twice.

A token names the last row's place in the listing's order (storage/sql_user_listing.py), not
a count of rows, which an insert or a delete before it would shift.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.user_support import create_user, failure, new_pool

START = [f"m{number:03d}" for number in range(0, 40, 2)]  # 20 users, room between them
PAGE = 6


def _names(users: list[dict[str, Any]]) -> list[str]:
    return [user["Username"] for user in users]


def _walk_while_changing(
    cognito: Any, pages: Iterator[dict[str, Any]], pool_id: str, join: Callable[[str], None]
) -> tuple[list[str], set[str]]:
    """Page to the end; after each page, create a user before everyone, one among the first
    users and one after everyone (each `join`ed), and delete one not yet listed."""
    listed: list[str] = []
    deleted: set[str] = set()
    for index, page in enumerate(pages):
        listed.extend(_names(page["Users"]))
        for name in (f"a{index:03d}", f"m{2 * index + 1:03d}", f"z{index:03d}"):
            create_user(cognito, pool_id, name, email=f"{name}@example.com", given_name="Al")
            join(name)
        ahead = [name for name in reversed(START) if name not in listed and name not in deleted]
        if ahead:
            cognito.admin_delete_user(UserPoolId=pool_id, Username=ahead[0])
            deleted.add(ahead[0])
    return listed, deleted


@pytest.fixture
def crowd(cognito: Any) -> str:
    pool_id = new_pool(cognito)
    cognito.create_group(UserPoolId=pool_id, GroupName="crew")
    for name in START:
        create_user(cognito, pool_id, name, email=f"{name}@example.com", given_name="Al")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="crew")
    return pool_id


def _check(listed: list[str], deleted: set[str]) -> None:
    assert len(listed) == len(set(listed)), "a user listed twice"
    assert deleted, "nothing was deleted ahead of the pages"
    stayed = [name for name in START if name not in deleted]
    assert sorted(name for name in listed if name in START) == stayed


@pytest.mark.parametrize(
    "filter_text", ["", 'given_name ^= "A"', 'email ^= "m"', 'cognito:user_status ^= ""']
)
def test_list_users_tokens_survive_changes(cognito: Any, crowd: str, filter_text: str) -> None:
    paginator = cognito.get_paginator("list_users")
    pages = paginator.paginate(
        UserPoolId=crowd, Filter=filter_text, PaginationConfig={"PageSize": PAGE}
    )
    listed, deleted = _walk_while_changing(cognito, iter(pages), crowd, lambda _: None)
    _check(listed, deleted)
    if filter_text in ("", 'cognito:user_status ^= ""'):  # by username: "z..." after all pages
        assert {"z000", "z001"} <= set(listed)


def test_list_users_in_group_tokens_survive_changes(cognito: Any, crowd: str) -> None:
    def join(name: str) -> None:
        cognito.admin_add_user_to_group(UserPoolId=crowd, Username=name, GroupName="crew")

    paginator = cognito.get_paginator("list_users_in_group")
    pages = paginator.paginate(
        UserPoolId=crowd, GroupName="crew", PaginationConfig={"PageSize": PAGE}
    )
    listed, deleted = _walk_while_changing(cognito, iter(pages), crowd, join)
    _check(listed, deleted)


@pytest.mark.parametrize(
    ("filter_text", "key"),
    [("", "a\x00b"), ('email ^= "m"', "not a position"), ('email ^= "m"', '["m", 1]')],
)
def test_forged_tokens_are_refused(cognito: Any, crowd: str, filter_text: str, key: str) -> None:
    token = base64.urlsafe_b64encode(key.encode()).decode()
    code, message = failure(
        cognito.list_users, UserPoolId=crowd, Filter=filter_text, PaginationToken=token
    )
    assert (code, message) == ("InvalidParameterException", "Invalid pagination token.")
