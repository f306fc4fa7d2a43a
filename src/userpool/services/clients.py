"""CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient,
ListUserPoolClients."""

from __future__ import annotations

import copy

from userpool.accounts.resources import require_client, require_pool
from userpool.crypto import ids
from userpool.domain import client_rules, oauth_rules, tier_rules
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import AppClient, JSONDict, UserPool
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.services.resource_servers import custom_scopes
from userpool.storage.repositories import Transaction

DEFAULT_PAGE_SIZE = 60


def _secret(request: Request) -> str | None:
    supplied = request.get("ClientSecret")
    if supplied is not None and request.get("GenerateSecret"):
        raise InvalidParameterException(
            "You cannot specify both GenerateSecret as true and provide a ClientSecret value."
        )
    if request.get("GenerateSecret"):
        return ids.client_secret()
    return str(supplied) if supplied is not None else None


def _settings(
    tx: Transaction, request: Request, pool: UserPool, has_secret: bool, verb: str
) -> JSONDict:
    """The client's settings, checked. The caller holds the pool's row: the custom scopes
    read here cannot be deleted before this client is written (services/resource_servers.py)."""
    settings = client_rules.client_settings(request)
    schema = pool.settings.get("SchemaAttributes") or []
    client_rules.check_attribute_permissions(settings, schema, verb)
    client_rules.check_secret_use(settings, has_secret)
    # Only COGNITO as an identity provider: this server has no federated ones yet.
    oauth_rules.check_oauth(
        settings,
        pool_id=pool.id,
        has_secret=has_secret,
        custom_scopes=custom_scopes(tx, pool.id),
    )
    tier_rules.check_client(pool.settings, settings)
    return settings


def describe(client: AppClient) -> Response:
    """The UserPoolClientType of `client`."""
    described: Response = {
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
        "LastModifiedDate": client.modified,
        "CreationDate": client.created,
        **copy.deepcopy(client.settings),
    }
    if client.secret is not None:
        described["ClientSecret"] = client.secret
    return described


@operation("CreateUserPoolClient")
def create_user_pool_client(
    ctx: Context, request: Request, *, client_id: str | None = None
) -> Response:
    """`client_id`: the id to give the client instead of a new one (a seed file's)."""
    secret = _secret(request)
    now = ctx.clock()
    with ctx.store.write() as tx:
        # Locked: an UpdateUserPool moving the pool down a plan judges its clients too, and a
        # resource server's delete takes its scopes out of them.
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        settings = _settings(tx, request, pool, secret is not None, "creating")
        name = request["ClientName"]
        client = AppClient(client_id or ids.client_id(), pool.id, name, secret, now, now, settings)
        tx.clients.add(client)
    return {"UserPoolClient": describe(client)}


@operation("DescribeUserPoolClient")
def describe_user_pool_client(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        client = require_client(tx, pool.id, request["ClientId"])
    return {"UserPoolClient": describe(client)}


@operation("UpdateUserPoolClient")
def update_user_pool_client(ctx: Context, request: Request) -> Response:
    """Replace the client's settings; as on AWS, one the request omits returns to its default."""
    with ctx.store.write() as tx:
        # Locked: an UpdateUserPool moving the pool down a plan judges its clients too.
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        client = require_client(tx, pool.id, request["ClientId"], for_update=True)
        client.settings = _settings(tx, request, pool, client.secret is not None, "updating")
        if request.get("ClientName") is not None:
            client.name = request["ClientName"]
        client.modified = ctx.clock()
        tx.clients.update(client)
    return {"UserPoolClient": describe(client)}


@operation("DeleteUserPoolClient")
def delete_user_pool_client(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        client = require_client(tx, pool.id, request["ClientId"])
        tx.clients.delete(client.id)
    return {}


@operation("ListUserPoolClients")
def list_user_pool_clients(ctx: Context, request: Request) -> Response:
    limit = request.get("MaxResults") or DEFAULT_PAGE_SIZE
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        page = tx.clients.list(pool.id, limit, decode_token(request.get("NextToken")))
    response: Response = {
        "UserPoolClients": [
            {"ClientId": client.id, "UserPoolId": client.pool_id, "ClientName": client.name}
            for client in page.items
        ]
    }
    if page.next_key is not None:
        response["NextToken"] = encode_token(page.next_key)
    return response
