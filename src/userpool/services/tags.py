"""TagResource, UntagResource, ListTagsForResource on user pool ARNs.

A pool's tags are its `UserPoolTags` setting, the same one CreateUserPool, UpdateUserPool and
DescribeUserPool use.
"""

from __future__ import annotations

import re

from userpool.domain.errors import InvalidParameterException, ResourceNotFoundException
from userpool.domain.models import UserPool
from userpool.services.common import pool_arn
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

POOL_ARN = re.compile(
    r"arn:aws[\w-]*:cognito-idp:[\w-]+:\d{12}:userpool/(?P<pool>[\w-]+_[0-9a-zA-Z]+)"
)


def _tagged_pool(ctx: Context, tx: Transaction, arn: str, *, for_update: bool = True) -> UserPool:
    """The pool that `arn` names; only the ARN DescribeUserPool gives for it matches.
    `for_update`: held until commit, for a change of its tags."""
    match = POOL_ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(f"Invalid ARN: {arn}")
    pools = tx.pools
    pool = pools.get_for_update(match["pool"]) if for_update else pools.get(match["pool"])
    if pool is None or pool_arn(pool, ctx.settings.account_id) != arn:
        raise ResourceNotFoundException(f"User pool {match['pool']} does not exist.")
    return pool


@operation("TagResource")
def tag_resource(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = _tagged_pool(ctx, tx, request["ResourceArn"])
        tags = dict(pool.settings.get("UserPoolTags") or {})
        tags.update(request["Tags"])
        pool.settings["UserPoolTags"] = tags
        tx.pools.update(pool)
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = _tagged_pool(ctx, tx, request["ResourceArn"])
        tags = dict(pool.settings.get("UserPoolTags") or {})
        for key in request["TagKeys"]:
            tags.pop(key, None)
        pool.settings["UserPoolTags"] = tags
        tx.pools.update(pool)
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = _tagged_pool(ctx, tx, request["ResourceArn"], for_update=False)
    return {"Tags": dict(pool.settings.get("UserPoolTags") or {})}
