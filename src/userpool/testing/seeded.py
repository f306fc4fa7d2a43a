"""The pools a seed file declares (`userpool serve --seed FILE`), as the server holds them:
their ids are the file's, their app clients' ids the file's or, where it gives none, the
server's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from userpool.testing.pools import Pool

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def declared_pools(seed: Path) -> list[dict[str, Any]]:
    """The file's `Pools`, in its order, as plain data (the server has checked the file
    when it applied it: what it started with is valid)."""
    text = seed.read_text()
    if seed.suffix == ".json":
        document = json.loads(text)
    else:
        import yaml  # a dependency of the seed file's reader; loaded only when a test asks

        document = yaml.safe_load(text)
    pools: list[dict[str, Any]] = document["Pools"]
    return pools


def seeded_pools(client: CognitoIdentityProviderClient, seed: Path) -> list[Pool]:
    """Every pool `seed` declares, with its app clients by name; `client_id` is the first
    client the file declares (and `client_secret` its secret, if it has one)."""
    return [_pool(client, declared) for declared in declared_pools(seed)]


def _pool(client: CognitoIdentityProviderClient, declared: dict[str, Any]) -> Pool:
    pool_id = str(declared["Id"])
    name = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"]
    listed = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    by_name = {entry["ClientName"]: entry["ClientId"] for entry in listed}
    clients = {
        str(entry["ClientName"]): str(entry.get("ClientId") or by_name[entry["ClientName"]])
        for entry in declared.get("Clients", [])
    }
    if not clients:
        return Pool(pool_id, name, "", clients=clients)
    first = next(iter(clients.values()))
    described = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=first)
    secret = described["UserPoolClient"].get("ClientSecret")
    return Pool(pool_id, name, first, secret, clients)
