"""AddCustomAttributes: append `custom:` (and developer-only `dev:custom:`) attributes to a
pool's schema."""

from __future__ import annotations

from typing import Any

from userpool.accounts.resources import require_pool
from userpool.domain.attributes import CUSTOM_PREFIX, DEV_PREFIX
from userpool.domain.errors import InvalidParameterException
from userpool.domain.schema_rules import added_attributes
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

MAX_CUSTOM_ATTRIBUTES = 50


def _check_limit(schema: list[dict[str, Any]]) -> None:
    custom = sum(1 for entry in schema if entry["Name"].startswith((CUSTOM_PREFIX, DEV_PREFIX)))
    if custom > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )


@operation("AddCustomAttributes")
def add_custom_attributes(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        schema = list(pool.settings.get("SchemaAttributes") or [])
        schema.extend(added_attributes(schema, request["CustomAttributes"]))
        _check_limit(schema)
        pool.settings["SchemaAttributes"] = schema
        pool.modified = ctx.clock()
        tx.pools.update(pool)
    return {}
