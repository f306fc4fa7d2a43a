"""Helpers for the auth event tests: pools with threat protection, a user's history as
AdminListUserAuthEvents lists it, sign-ins, the codes the pools' outbox holds, and
`userpool events export` run on the server's database."""

from __future__ import annotations

from typing import Any

import orjson
from click.testing import CliRunner

from tests.conftest import Server, server_store
from tests.signin_support import PASSWORD
from userpool.cli import main

THREAT_PROTECTION = {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}
TO_OUTBOX = {"UserPoolTags": {"userpool:delivery": "outbox"}}
NO_RISK = {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
NOT_ENABLED = "UserPoolAddOnNotEnabledException"


def auth_events(cognito: Any, pool_id: str, username: str, **paging: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = cognito.admin_list_user_auth_events(
        UserPoolId=pool_id, Username=username, **paging
    )["AuthEvents"]
    return events


def history(cognito: Any, pool_id: str, username: str) -> list[tuple[Any, ...]]:
    """Each event as (type, response, its challenges as "Name:Response"), newest first."""
    return [
        (
            event["EventType"],
            event["EventResponse"],
            [f"{c['ChallengeName']}:{c['ChallengeResponse']}" for c in event["ChallengeResponses"]],
        )
        for event in auth_events(cognito, pool_id, username)
    ]


def sign_in(cognito: Any, client_id: str, username: str, password: str = PASSWORD) -> Any:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def last_code(server: Server, pool_id: str, username: str) -> str:
    with server_store(server) as store, store.read() as tx:
        code = tx.outbox.list(pool_id, username, 0, 1000)[-1].message.code
    assert code is not None
    return code


def export(server: Server, *args: str) -> list[dict[str, Any]]:
    """`userpool events export` on the server's database (in this process, as the command
    line would run it), its lines parsed."""
    where = ("--data-dir", str(server.data_dir), "--db", server.db_url)
    # The server's own settings only: none of this process's USERPOOL_* variables.
    unset: dict[str, str | None] = {"USERPOOL_SECRET_KEY": None, "USERPOOL_DB": None}
    done = CliRunner().invoke(main, ["events", "export", *where, *args], env=unset)
    assert done.exit_code == 0, done.output
    return [orjson.loads(line) for line in done.stdout.splitlines()]
