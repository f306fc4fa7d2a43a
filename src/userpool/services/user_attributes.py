"""AdminUpdateUserAttributes and AdminDeleteUserAttributes."""

from __future__ import annotations

from userpool.accounts.attributes import apply_attribute_changes, remove_attributes
from userpool.accounts.lookup import require_user
from userpool.accounts.resources import require_pool
from userpool.accounts.saving import save_user
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation


@operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        apply_attribute_changes(pool, user, request["UserAttributes"])
        user.modified = ctx.clock()
        save_user(tx, pool, user)
    return {}


@operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        remove_attributes(pool, user, request["UserAttributeNames"])
        user.modified = ctx.clock()
        save_user(tx, pool, user)
    return {}
