"""CreateResourceServer, DescribeResourceServer, ListResourceServers, UpdateResourceServer,
DeleteResourceServer.

A resource server defines custom scopes (`{identifier}/{scope name}`) that app clients may then
list in AllowedOAuthScopes (services/clients.py asks `custom_scopes` here). Deleting a server,
or an update that drops some of its scopes, is allowed while clients use them: Cognito's API
reference says only that no access token carries those scopes any more. Here the scopes that
no longer exist are taken out of every client's AllowedOAuthScopes in the same write, so that
no client keeps a scope its pool does not define (and a client described and sent back to
UpdateUserPoolClient unchanged is not refused for it).

Every write locks the pool's row first, as Create/UpdateUserPoolClient do: a client that
names a custom scope and a delete of that scope are decided one after the other, never both
against the state before either.
"""

from __future__ import annotations

from userpool.accounts.resources import require_pool
from userpool.domain import resource_server_rules as rules
from userpool.domain.errors import ResourceNotFoundException
from userpool.domain.resource_server_rules import ResourceServer
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

MAX_RESULTS = 50  # the model's maximum for ListResourceServers, and the default here
CLIENT_PAGE = 1000


def custom_scopes(tx: Transaction, pool_id: str) -> set[str]:
    """Every custom scope the pool's resource servers define."""
    return {
        name for server in tx.resource_servers.of_pool(pool_id) for name in server.scope_names()
    }


def _require(tx: Transaction, pool_id: str, identifier: str) -> ResourceServer:
    server = tx.resource_servers.get_for_update(pool_id, identifier)
    if server is None:
        raise ResourceNotFoundException(rules.not_found(identifier))
    return server


def _withdraw(tx: Transaction, pool_id: str, gone: set[str]) -> None:
    """Take the scopes in `gone` out of the AllowedOAuthScopes of the pool's clients."""
    if not gone:
        return
    after = None
    while True:
        page = tx.clients.list(pool_id, CLIENT_PAGE, after)
        for client in page.items:
            scopes = client.settings.get("AllowedOAuthScopes") or []
            kept = [scope for scope in scopes if scope not in gone]
            if len(kept) == len(scopes):
                continue
            if kept:
                client.settings["AllowedOAuthScopes"] = kept
            else:
                # As a client stores an empty list: not at all (client_rules.OPTIONAL_SETTINGS).
                del client.settings["AllowedOAuthScopes"]
            tx.clients.update(client)
        if page.next_key is None:
            return
        after = page.next_key


@operation("CreateResourceServer")
def create_resource_server(ctx: Context, request: Request) -> Response:
    scopes = rules.checked_scopes(request.get("Scopes"))
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        server = ResourceServer(pool.id, request["Identifier"], request["Name"], scopes)
        # The identifier's key decides a duplicate (one statement); the count is safe to
        # trust because the pool's row is held, and every create takes it first.
        if tx.resource_servers.get(pool.id, server.identifier) is not None:
            raise rules.duplicate_identifier(server.identifier, pool.id)
        rules.check_room(tx.resource_servers.count(pool.id))
        if not tx.resource_servers.add(server):
            raise rules.duplicate_identifier(server.identifier, pool.id)
    return {"ResourceServer": rules.described(server)}


@operation("DescribeResourceServer")
def describe_resource_server(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        server = tx.resource_servers.get(pool.id, request["Identifier"])
    if server is None:
        raise ResourceNotFoundException(rules.not_found(request["Identifier"]))
    return {"ResourceServer": rules.described(server)}


@operation("ListResourceServers")
def list_resource_servers(ctx: Context, request: Request) -> Response:
    limit = int(request.get("MaxResults") or MAX_RESULTS)
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        page = tx.resource_servers.list(pool.id, limit, decode_token(request.get("NextToken")))
    response: Response = {"ResourceServers": [rules.described(server) for server in page.items]}
    if page.next_key is not None:
        response["NextToken"] = encode_token(page.next_key)
    return response


@operation("UpdateResourceServer")
def update_resource_server(ctx: Context, request: Request) -> Response:
    """Replace the name and the scopes; Scopes left out means none (the API reference: an
    attribute not given goes back to its default)."""
    scopes = rules.checked_scopes(request.get("Scopes"))
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        server = _require(tx, pool.id, request["Identifier"])
        before = set(server.scope_names())
        server.name = request["Name"]
        server.scopes = scopes
        tx.resource_servers.update(server)
        _withdraw(tx, pool.id, before - set(server.scope_names()))
    return {"ResourceServer": rules.described(server)}


@operation("DeleteResourceServer")
def delete_resource_server(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        server = _require(tx, pool.id, request["Identifier"])
        tx.resource_servers.delete(pool.id, server.identifier)
        _withdraw(tx, pool.id, set(server.scope_names()))
    return {}
