"""`--prune`: what the file does not declare is deleted, by the operations' own Delete
handlers (a pool with deletion protection on is refused, as DeleteUserPool refuses it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from userpool.domain.models import Page, UserPool
from userpool.seed.applying import Step, blamed
from userpool.seed.layout import Part, PoolPart
from userpool.services import clients, domains, groups, pools, resource_servers, users

PAGE = 1000


def every(listing: Callable[[int, str | None], Page]) -> list[Any]:
    """All the items of a paged listing."""
    found: list[Any] = []
    after = None
    while True:
        page = listing(PAGE, after)
        found.extend(page.items)
        if page.next_key is None:
            return found
        after = page.next_key


def prune_pools(step: Step, declared: Iterable[str], document: Part) -> None:
    keep = set(declared)
    for pool in every(step.tx.pools.list):
        if pool.id not in keep:
            with blamed(document, "Pools"):
                pools.delete_user_pool(step.ctx, {"UserPoolId": pool.id})
            step.tally.deleted["pool"] += 1
            step.tally.pruned_pools.append(pool.id)


def prune_resource_servers(step: Step, pool: UserPool, seed: PoolPart) -> None:
    keep = {part.fields["Identifier"] for part in seed.resource_servers}
    for server in step.tx.resource_servers.of_pool(pool.id):
        if server.identifier not in keep:
            request = {"UserPoolId": pool.id, "Identifier": server.identifier}
            with blamed(seed.part):
                resource_servers.delete_resource_server(step.ctx, request)
            step.tally.deleted["resource server"] += 1


def prune_clients(step: Step, pool: UserPool, seed: PoolPart, kept: set[str]) -> None:
    for client in every(lambda limit, after: step.tx.clients.list(pool.id, limit, after)):
        if client.id not in kept:
            request = {"UserPoolId": pool.id, "ClientId": client.id}
            with blamed(seed.part):
                clients.delete_user_pool_client(step.ctx, request)
            step.tally.deleted["client"] += 1


def prune_users(step: Step, pool: UserPool, seed: PoolPart, kept: set[str]) -> None:
    for user in every(lambda limit, after: step.tx.users.list(pool.id, limit, after)):
        if user.sub not in kept:
            with blamed(seed.part):
                users.admin_delete_user(step.ctx, {"UserPoolId": pool.id, "Username": user.sub})
            step.tally.deleted["user"] += 1


def prune_groups(step: Step, pool: UserPool, seed: PoolPart) -> None:
    keep = {part.fields["GroupName"] for part in seed.groups}
    for group in every(lambda limit, after: step.tx.groups.list(pool.id, limit, after)):
        if group.name not in keep:
            with blamed(seed.part):
                groups.delete_group(step.ctx, {"UserPoolId": pool.id, "GroupName": group.name})
            step.tally.deleted["group"] += 1


def prune_domains(step: Step, pool: UserPool, seed: PoolPart) -> None:
    keep = {part.fields["Domain"] for part in seed.domains}
    for domain in step.tx.domains.of_pool(pool.id):
        if domain.domain not in keep:
            with blamed(seed.part):
                domains.delete_user_pool_domain(
                    step.ctx, {"UserPoolId": pool.id, "Domain": domain.domain}
                )
            step.tally.deleted["domain"] += 1
