"""Groups and membership.

CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.
"""

from __future__ import annotations

from typing import Any

from userpool.accounts.lookup import require_user
from userpool.accounts.resources import require_pool
from userpool.domain.errors import GroupExistsException, ResourceNotFoundException
from userpool.domain.models import Group, Page
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.users import user_type
from userpool.storage.repositories import Transaction

DEFAULT_LIMIT = 60
SCAN_PAGE = 1000
# GroupType members that CreateGroup and UpdateGroup set, and the Group fields that hold them.
OPTIONAL_FIELDS = (
    ("Description", "description"),
    ("RoleArn", "role_arn"),
    ("Precedence", "precedence"),
)


def group_type(group: Group) -> dict[str, Any]:
    result: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    for wire, field in OPTIONAL_FIELDS:
        value = getattr(group, field)
        if value is not None:
            result[wire] = value
    result["LastModifiedDate"] = group.modified
    result["CreationDate"] = group.created
    return result


def _require_group(tx: Transaction, pool_id: str, name: str, *, for_update: bool = False) -> Group:
    group = tx.groups.get_for_update(pool_id, name) if for_update else tx.groups.get(pool_id, name)
    if group is None:
        raise ResourceNotFoundException("Group not found.")
    return group


def _name_taken(tx: Transaction, pool_id: str, name: str) -> bool:
    """Whether a group's name equals `name` ignoring case: Cognito refuses such a twin."""
    folded = name.lower()
    after = None
    while True:
        page = tx.groups.list(pool_id, SCAN_PAGE, after)
        if any(group.name.lower() == folded for group in page.items):
            return True
        if page.next_key is None:
            return False
        after = page.next_key


def _limit(request: Request) -> int:
    return int(request.get("Limit") or DEFAULT_LIMIT)


def _listing(key: str, items: list[dict[str, Any]], page: Page) -> Response:
    response: Response = {key: items}
    if page.next_key is not None:
        response["NextToken"] = encode_token(page.next_key)
    return response


@operation("CreateGroup")
def create_group(ctx: Context, request: Request) -> Response:
    now = ctx.clock()
    group = Group(request["UserPoolId"], request["GroupName"], now, now)
    for wire, field in OPTIONAL_FIELDS:
        setattr(group, field, request.get(wire))
    with ctx.store.write() as tx:
        require_pool(tx, group.pool_id)
        if _name_taken(tx, group.pool_id, group.name) or not tx.groups.add(group):
            raise GroupExistsException("A group with the name already exists.")
    return {"Group": group_type(group)}


@operation("GetGroup")
def get_group(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        require_pool(tx, request["UserPoolId"])
        group = _require_group(tx, request["UserPoolId"], request["GroupName"])
    return {"Group": group_type(group)}


@operation("UpdateGroup")
def update_group(ctx: Context, request: Request) -> Response:
    """Change the members the request supplies; the others keep their values."""
    with ctx.store.write() as tx:
        require_pool(tx, request["UserPoolId"])
        name = request["GroupName"]
        group = _require_group(tx, request["UserPoolId"], name, for_update=True)
        for wire, field in OPTIONAL_FIELDS:
            if request.get(wire) is not None:
                setattr(group, field, request[wire])
        group.modified = ctx.clock()
        tx.groups.update(group)
    return {"Group": group_type(group)}


@operation("DeleteGroup")
def delete_group(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        require_pool(tx, request["UserPoolId"])
        group = _require_group(tx, request["UserPoolId"], request["GroupName"])
        tx.groups.delete(group.pool_id, group.name)
    return {}


@operation("ListGroups")
def list_groups(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        after = decode_token(request.get("NextToken"))
        page = tx.groups.list(pool.id, _limit(request), after)
    return _listing("Groups", [group_type(group) for group in page.items], page)


@operation("AdminAddUserToGroup")
def admin_add_user_to_group(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        group = _require_group(tx, pool.id, request["GroupName"])
        user = require_user(tx, pool, request["Username"])
        tx.groups.add_member(pool.id, group.name, user.sub)
    return {}


@operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        group = _require_group(tx, pool.id, request["GroupName"])
        user = require_user(tx, pool, request["Username"])
        tx.groups.remove_member(pool.id, group.name, user.sub)
    return {}


@operation("AdminListGroupsForUser")
def admin_list_groups_for_user(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        after = decode_token(request.get("NextToken"))
        page = tx.groups.groups_of(pool.id, user.sub, _limit(request), after)
    return _listing("Groups", [group_type(group) for group in page.items], page)


@operation("ListUsersInGroup")
def list_users_in_group(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        group = _require_group(tx, pool.id, request["GroupName"])
        after = decode_token(request.get("NextToken"))
        page = tx.groups.members(pool.id, group.name, _limit(request), after)
    return _listing("Users", [user_type(user) for user in page.items], page)
