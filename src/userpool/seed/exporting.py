"""The store written as a seed file that makes it again (`userpool export`).

Each resource is written as its Create request would be sent (what Describe shows, less what
Cognito sets itself: ids aside, dates, ARNs, counts), so that `userpool seed` of the export
on an empty server, then another export, gives the same file. Secrets only on request: a
client's secret (else `GenerateSecret: true`, which keeps the one a client has), a user's SRP
salt and verifier (never a password: none is stored) and authenticator secret.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from userpool.accounts import mfa as factors
from userpool.auth import Runtime
from userpool.crypto.sealing import Sealer
from userpool.domain.attributes import CUSTOM_PREFIX, DEV_PREFIX, standard_schema
from userpool.domain.client_rules import DEFAULT_SETTINGS
from userpool.domain.models import AppClient, User, UserPool
from userpool.domain.pool_domains import DomainKind
from userpool.domain.resource_server_rules import described
from userpool.protocol.model import service_model
from userpool.seed.applying import OneTransaction
from userpool.seed.pruning import every
from userpool.services import clients, mfa_config, pools
from userpool.services.context import Context, Settings
from userpool.services.groups import OPTIONAL_FIELDS
from userpool.storage.repositories import Transaction
from userpool.storage.sql_store import SqlStore

JSONDict = dict[str, Any]
MISSING = object()
# What DescribeUserPoolClient shows that is not a setting (or is written first, apart).
CLIENT_NOT_SETTINGS = frozenset(
    ("UserPoolId", "ClientId", "ClientName", "ClientSecret", "CreationDate", "LastModifiedDate")
)


def export(
    store: SqlStore, runtime: Runtime, *, include_secrets: bool, settings: Settings | None = None
) -> JSONDict:
    """Every pool and what it holds, as a seed document (a mapping, for YAML or JSON)."""
    with store.read() as tx:
        ctx = Context(settings or Settings(), replace(runtime, store=OneTransaction(tx)))
        sealer = factors.token_sealer(runtime.codes_key)
        exported = [
            _pool(ctx, tx, pool, sealer if include_secrets else None, include_secrets)
            for pool in every(tx.pools.list)
        ]
    return {"Pools": exported}


def _pool(
    ctx: Context, tx: Transaction, pool: UserPool, sealer: Sealer | None, secrets: bool
) -> JSONDict:
    entry: JSONDict = {"Id": pool.id, "PoolName": pool.name}
    configured = mfa_config.FACTORS in pool.settings  # by SetUserPoolMfaConfig
    defaults = pools.updated_settings({}, {})  # what a pool made with no settings has
    members = service_model().operation_model("CreateUserPool").input_shape.members
    for name in members:
        if name == "Schema":
            schema = _schema(pool.settings.get("SchemaAttributes") or [])
            if schema:
                entry["Schema"] = schema
        elif name == "MfaConfiguration" and configured:
            continue  # MfaConfig says it
        elif name in pools.DESCRIBED and pool.settings.get(name, MISSING) not in (
            MISSING,
            defaults.get(name),
        ):
            entry[name] = copy.deepcopy(pool.settings[name])
    if configured:
        entry["MfaConfig"] = mfa_config.get_user_pool_mfa_config(ctx, {"UserPoolId": pool.id})
    parts = {
        "ResourceServers": [_server(s) for s in tx.resource_servers.of_pool(pool.id)],
        "Clients": [_client(c, secrets) for c in _clients(tx, pool.id)],
        "Groups": [_group(g) for g in every(lambda n, a: tx.groups.list(pool.id, n, a))],
        "Users": [
            _user(tx, pool, user, sealer)
            for user in every(lambda n, a: tx.users.list(pool.id, n, a))
        ],
        "Domains": [_domain(d) for d in tx.domains.of_pool(pool.id)],
    }
    entry.update({name: items for name, items in parts.items() if items})
    return entry


def _schema(stored: list[JSONDict]) -> list[JSONDict]:
    """CreateUserPool's Schema for `stored`: the standard attributes changed, then the custom
    ones under the names they were given (without `custom:` or `dev:custom:`)."""
    standard = {entry["Name"]: entry for entry in standard_schema()}
    schema = []
    for entry in stored:
        name = entry["Name"]
        if name in standard:
            if entry != standard[name]:
                schema.append(
                    {k: copy.deepcopy(v) for k, v in entry.items() if k != "DeveloperOnlyAttribute"}
                )
            continue
        given = name.removeprefix(DEV_PREFIX).removeprefix(CUSTOM_PREFIX)
        request = {k: copy.deepcopy(v) for k, v in entry.items() if k != "Required"}
        if not request.get("DeveloperOnlyAttribute"):
            request.pop("DeveloperOnlyAttribute", None)
        schema.append({**request, "Name": given})
    return schema


def _server(server: Any) -> JSONDict:
    return {k: v for k, v in described(server).items() if k != "UserPoolId"}


def _clients(tx: Transaction, pool_id: str) -> list[AppClient]:
    return every(lambda limit, after: tx.clients.list(pool_id, limit, after))


def _client(client: AppClient, secrets: bool) -> JSONDict:
    shown = clients.describe(client)
    entry: JSONDict = {"ClientId": client.id, "ClientName": client.name}
    if client.secret is not None:
        entry.update({"ClientSecret": client.secret} if secrets else {"GenerateSecret": True})
    entry.update(
        {
            name: value
            for name, value in shown.items()
            if name not in CLIENT_NOT_SETTINGS and DEFAULT_SETTINGS.get(name, MISSING) != value
        }
    )
    return entry


def _group(group: Any) -> JSONDict:
    entry: JSONDict = {"GroupName": group.name}
    for wire, field in OPTIONAL_FIELDS:
        value = getattr(group, field)
        if value is not None:
            entry[wire] = value
    return entry


def _user(tx: Transaction, pool: UserPool, user: User, sealer: Sealer | None) -> JSONDict:
    entry: JSONDict = {
        "Username": _sign_in_name(pool, user),
        "Attributes": {"sub": user.sub, **user.attributes},
        "UserStatus": user.status.value,
        "Enabled": user.enabled,
    }
    groups = list(tx.groups.names_of(pool.id, user.sub))
    if groups:
        entry["Groups"] = groups
    if sealer is None:
        return entry
    if user.password is not None:
        verifier = {"Salt": user.password.salt, "Verifier": user.password.verifier}
        entry["PasswordVerifier"] = verifier
    elif user.imported_hash is not None:  # imported, not signed in since
        hashed = user.imported_hash
        entry["PasswordHash"] = {"Algorithm": hashed.algorithm, "Hash": hashed.value}
    token = factors.read(user).token
    offered = factors.SOFTWARE_TOKEN_MFA in factors.pool_factors(pool)
    if token is not None and offered:
        entry["TotpSecret"] = factors.open_secret(sealer, user, token["secret"])
    return entry


def _sign_in_name(pool: UserPool, user: User) -> str:
    """What the user was created with: their username, or where emails or phone numbers are
    usernames (the stored one is then the sub), that value."""
    for attribute in pool.username_attributes:
        if user.username == user.sub and user.attributes.get(attribute):
            return user.attributes[attribute]
    return user.username


def _domain(domain: Any) -> JSONDict:
    entry: JSONDict = {"Domain": domain.domain, "ManagedLoginVersion": domain.managed_login_version}
    if domain.kind is DomainKind.CUSTOM and domain.certificate_arn:
        entry["CustomDomainConfig"] = {"CertificateArn": domain.certificate_arn}
    return entry
