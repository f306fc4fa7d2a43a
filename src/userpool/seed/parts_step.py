"""Declared groups, resource servers and domains: each created by its Create operation, or
brought to what the file says when it differs (a resource server by UpdateResourceServer, a
domain by UpdateUserPoolDomain; a group is rewritten whole here, since UpdateGroup keeps the
members a request omits, where the file's omitted Description means none)."""

from __future__ import annotations

from typing import Any

from userpool.domain import resource_server_rules
from userpool.domain.models import UserPool
from userpool.domain.pool_domains import HOSTED_UI, DomainKind
from userpool.seed.applying import Step, blamed, refuse
from userpool.seed.layout import Part
from userpool.services import domains, groups, resource_servers


def apply_group(step: Step, pool: UserPool, part: Part) -> None:
    stored = step.tx.groups.get_for_update(pool.id, part.fields["GroupName"])
    if stored is None:
        with blamed(part):
            groups.create_group(step.ctx, {**part.fields, "UserPoolId": pool.id})
        step.tally.created["group"] += 1
        return
    wanted = (part.get("Description"), part.get("RoleArn"), part.get("Precedence"))
    if wanted == (stored.description, stored.role_arn, stored.precedence):
        step.tally.unchanged["group"] += 1
        return
    stored.description, stored.role_arn, stored.precedence = wanted
    stored.modified = step.now()
    step.tx.groups.update(stored)
    step.tally.updated["group"] += 1


def apply_resource_server(step: Step, pool: UserPool, part: Part) -> None:
    request = {**part.fields, "UserPoolId": pool.id}
    stored = step.tx.resource_servers.get_for_update(pool.id, part.fields["Identifier"])
    if stored is None:
        with blamed(part):
            resource_servers.create_resource_server(step.ctx, request)
        step.tally.created["resource server"] += 1
        return
    with blamed(part, "Scopes"):
        scopes = resource_server_rules.checked_scopes(part.get("Scopes"))
    if (stored.name, stored.scopes) == (part.fields["Name"], scopes):
        step.tally.unchanged["resource server"] += 1
        return
    with blamed(part):
        resource_servers.update_resource_server(step.ctx, request)
    step.tally.updated["resource server"] += 1


def apply_domain(step: Step, pool: UserPool, part: Part) -> None:
    name = part.fields["Domain"]
    custom = part.get("CustomDomainConfig")
    version = part.get("ManagedLoginVersion", HOSTED_UI)
    request: dict[str, Any] = {**part.fields, "UserPoolId": pool.id, "ManagedLoginVersion": version}
    stored = step.tx.domains.get(name)
    if stored is None or stored.pool_id != pool.id:
        with blamed(part, "Domain"):
            domains.create_user_pool_domain(step.ctx, request)
        step.tally.created["domain"] += 1
        return
    if (stored.kind is DomainKind.CUSTOM) != (custom is not None):
        raise refuse(
            part,
            "CustomDomainConfig",
            f"{name} is a {stored.kind.value} domain of the pool: a domain cannot change kind "
            "(remove it from the file and apply with --prune, then declare it again)",
        )
    certificate = custom.get("CertificateArn") if custom is not None else None
    if (stored.managed_login_version, stored.certificate_arn) == (version, certificate):
        step.tally.unchanged["domain"] += 1
        return
    with blamed(part):
        domains.update_user_pool_domain(step.ctx, request)
    step.tally.updated["domain"] += 1
