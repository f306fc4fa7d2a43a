"""ListUsers: pages of a pool's users, optionally filtered on one attribute.

Cognito's filter is `<attribute> = "<value>"` (exact) or `<attribute> ^= "<value>"`
(starts with), where `\\"` and `\\\\` stand for a quote and a backslash in the value.
An empty filter lists everyone.
"""

from __future__ import annotations

import re

from userpool.accounts.resources import require_pool
from userpool.domain.errors import InvalidParameterException
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.users import user_type
from userpool.storage.repositories import FilterOp

MAX_PAGE = 60
SEARCHABLE = frozenset(
    {
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
    }
)
Condition = tuple[str, FilterOp, str]

_FILTER = re.compile(r'\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*')
_ESCAPED = re.compile(r"\\(.)")


def parse_filter(text: str) -> Condition | None:
    """The condition that a ListUsers `Filter` states; None for an empty filter."""
    if not text.strip():
        return None
    match = _FILTER.fullmatch(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter.")
    name, operator, quoted = match.groups()
    if name not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    op: FilterOp = "=" if operator == "=" else "^="
    return name, op, _ESCAPED.sub(r"\1", quoted)


@operation("ListUsers")
def list_users(ctx: Context, request: Request) -> Response:
    condition = parse_filter(request.get("Filter") or "")
    limit = request.get("Limit") or MAX_PAGE  # 0, like no Limit, asks for a full page
    after = decode_token(request.get("PaginationToken"))
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        page = tx.users.list(pool.id, limit, after, condition)
    names = request.get("AttributesToGet")
    response: Response = {"Users": [user_type(user, names) for user in page.items]}
    if page.next_key is not None:
        response["PaginationToken"] = encode_token(page.next_key)
    return response
