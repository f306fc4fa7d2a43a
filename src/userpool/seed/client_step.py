"""A declared app client: created by CreateUserPoolClient (with its fixed ClientId and
ClientSecret, when given), or brought to what the file says by UpdateUserPoolClient when its
settings or name differ. A client without a ClientId is the pool's client of that name.

Its secret is what the file says: the ClientSecret given; with GenerateSecret, the one it has
(or a new one); with neither, none. Cognito cannot change a client's secret in place, so the
seed writes it itself; an unchanged secret is not written again (it is sealed with a fresh
nonce each time: storage/client_secrets.py)."""

from __future__ import annotations

import copy

from userpool.crypto import ids
from userpool.domain import client_rules
from userpool.domain.models import AppClient, UserPool
from userpool.seed.applying import Step, blamed, refuse
from userpool.seed.layout import Part
from userpool.services import clients

PAGE = 1000
SECRET_FIELDS = ("ClientSecret", "GenerateSecret")
BOTH_SECRETS = (  # CreateUserPoolClient's words (services/clients.py)
    "InvalidParameterException: You cannot specify both GenerateSecret as true and provide a "
    "ClientSecret value."
)


def apply_client(step: Step, pool: UserPool, part: Part) -> str:
    """The client's id, once it is as declared."""
    request = {name: copy.deepcopy(value) for name, value in part.fields.items()}
    client_id = request.pop("ClientId", None)
    stored = _stored(step, pool, part, client_id)
    if stored is None:
        with blamed(part):
            made = clients.create_user_pool_client(
                step.ctx, {**request, "UserPoolId": pool.id}, client_id=client_id
            )
        step.tally.created["client"] += 1
        return str(made["UserPoolClient"]["ClientId"])
    secret = _secret(part, stored)
    with blamed(part):
        settings = client_rules.client_settings(request)
    differs = settings != stored.settings or part.get("ClientName") != stored.name
    if not differs and secret == stored.secret:
        step.tally.unchanged["client"] += 1
        return stored.id
    if secret != stored.secret:  # first: the settings are judged with the secret it will have
        stored.secret = secret
        stored.modified = step.now()
        step.tx.clients.update(stored)
    if differs:
        settings_request = {k: v for k, v in request.items() if k not in SECRET_FIELDS}
        with blamed(part):
            clients.update_user_pool_client(
                step.ctx, {**settings_request, "UserPoolId": pool.id, "ClientId": stored.id}
            )
    step.tally.updated["client"] += 1
    return stored.id


def _stored(step: Step, pool: UserPool, part: Part, client_id: str | None) -> AppClient | None:
    if client_id is not None:
        found = step.tx.clients.get_for_update(client_id)
        if found is not None and found.pool_id != pool.id:
            raise refuse(part, "ClientId", f"client {client_id} is another pool's")
        return found
    name = part.get("ClientName")
    named = [client for client in pool_clients(step, pool.id) if client.name == name]
    if len(named) > 1:
        raise refuse(
            part,
            "ClientName",
            f"the pool has {len(named)} clients named so: give the ClientId of the one meant",
        )
    return step.tx.clients.get_for_update(named[0].id) if named else None


def _secret(part: Part, stored: AppClient) -> str | None:
    if part.get("ClientSecret") is not None and part.get("GenerateSecret"):
        raise refuse(part, "GenerateSecret", BOTH_SECRETS)
    if part.get("ClientSecret") is not None:
        return str(part.get("ClientSecret"))
    if part.get("GenerateSecret"):
        return stored.secret or ids.client_secret()
    return None


def pool_clients(step: Step, pool_id: str) -> list[AppClient]:
    found: list[AppClient] = []
    after = None
    while True:
        page = step.tx.clients.list(pool_id, PAGE, after)
        found.extend(page.items)
        if page.next_key is None:
            return found
        after = page.next_key
