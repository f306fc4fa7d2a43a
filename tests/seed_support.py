"""Helpers for the seed file tests: a seed file with every kind of resource and fixed ids, the
`userpool` command run as a real process, a snapshot of every row a seed can write, and
sign-ins by a seeded user (password, authenticator code, client secret)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
from click.testing import CliRunner
from sqlalchemy import select

from tests.signin_support import secret_hash
from userpool.cli import main
from userpool.storage import database
from userpool.storage.schema import metadata

POOL_ID = "us-east-1_SeedPool1"
WEB_CLIENT = "seedwebclient0000000000001"
SERVICE_CLIENT = "seedserviceclient000000001"
SERVICE_SECRET = "seedfixedclientsecret0123456789abc"
ALICE_PASSWORD = "Alice-Passw0rd!"
BOB_TEMPORARY = "Bob-Temp0rary!"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Every table a seed writes (the others hold sign-in state that housekeeping may purge).
SEEDED_TABLES = (
    "pools",
    "clients",
    "resource_servers",
    "users",
    "user_search",
    "sign_in_names",
    "groups",
    "group_members",
    "domains",
    "signing_keys",
)

SEED = f"""\
# A pool with the same ids on every start.
Pools:
  - Id: {POOL_ID}
    PoolName: seeded
    Policies:
      PasswordPolicy: {{MinimumLength: 10}}
    UserPoolTags: {{team: tests}}
    Schema:
      - {{Name: tier, AttributeDataType: String}}
    MfaConfig:
      MfaConfiguration: OPTIONAL
      SoftwareTokenMfaConfiguration: {{Enabled: true}}
    ResourceServers:
      - Identifier: api
        Name: API
        Scopes: [{{ScopeName: read, ScopeDescription: Read things}}]
    Clients:
      - ClientId: {WEB_CLIENT}
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      - ClientId: {SERVICE_CLIENT}
        ClientName: service
        ClientSecret: {SERVICE_SECRET}
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    Groups:
      - GroupName: admins
        Description: Administrators
        Precedence: 1
      - GroupName: readers
    Users:
      - Username: alice
        Password: "{ALICE_PASSWORD}"
        Attributes:
          email: alice@example.com
          email_verified: "true"
          custom:tier: gold
        Groups: [admins, readers]
        TotpSecret: {TOTP_SECRET}
      - Username: bob
        TemporaryPassword: "{BOB_TEMPORARY}"
      - Username: carol
        UserStatus: UNCONFIRMED
        Password: "Carol-Passw0rd!"
        Enabled: false
    Domains:
      - Domain: seeded-pool
        ManagedLoginVersion: 2
"""


def userpool(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`userpool ARGS` in a process of its own, as a user runs it."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    full_env.update(env or {})
    command = [sys.executable, "-m", "userpool", *args]
    return subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=120)


def in_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`userpool ARGS` run by click in this process (the same command, without a second's
    start-up), its outcome as `userpool` gives it."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("USERPOOL_")}
    result = CliRunner().invoke(main, list(args), env={**unset, **(env or {})})
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def where_args(data_dir: Path, db_url: str) -> list[str]:
    """The options that point `userpool seed/export` at a server's database."""
    args = ["--data-dir", str(data_dir)]
    return [*args, "--db", db_url] if db_url.startswith("postgresql") else args


def snapshot(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a seed writes, sorted: equal snapshots mean nothing written
    (a rewritten client secret would differ too: it is sealed with a fresh nonce)."""
    engine = database.create(db_url)
    try:
        with engine.connect() as connection:
            return {
                name: sorted(
                    (tuple(row) for row in connection.execute(select(metadata.tables[name]))),
                    key=repr,
                )
                for name in SEEDED_TABLES
            }
    finally:
        engine.dispose()


def password_sign_in(cognito: Any, username: str, password: str, secret: bool = False) -> Any:
    """InitiateAuth USER_PASSWORD_AUTH on the web client, or the service client with its
    fixed secret in SECRET_HASH."""
    client = SERVICE_CLIENT if secret else WEB_CLIENT
    params = {"USERNAME": username, "PASSWORD": password}
    if secret:
        params["SECRET_HASH"] = secret_hash(SERVICE_SECRET, username, client)
    return cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
    )


def answer_totp(cognito: Any, challenge: Any, username: str, totp_secret: str) -> Any:
    """The SOFTWARE_TOKEN_MFA challenge answered with the authenticator's current code."""
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
    return cognito.respond_to_auth_challenge(
        ClientId=WEB_CLIENT,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(totp_secret).now(),
        },
    )
