"""Helpers for the key rotation tests: two nodes on one database (two servers on one data dir
for SQLite, two `--db` servers with one USERPOOL_SECRET_KEY for PostgreSQL), `userpool keys`
run as a subprocess, accounts whose tokens live 5 minutes, and the kids of tokens and JWKS."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from botocore.exceptions import ClientError
from sqlalchemy import select, update

from tests.conftest import Server, make_client, start_server
from tests.pg import fresh_database
from tests.signin_support import (
    PASSWORD,
    confirmed_user,
    new_client,
    new_pool,
    tokens_of,
    unique,
    user_auth,
)
from userpool.storage import database
from userpool.storage.schema import clients, metadata
from userpool.tokens.keys import RECHECK_SECONDS
from userpool.tokens.rotation import MARGIN_SECONDS

VALIDITY_MINUTES = 5  # Cognito's shortest ID and access token validity
PICKED_UP_SECONDS = RECHECK_SECONDS + 3.0  # a node reads a rotation made elsewhere by then
PUBLIC_URL = "http://idp.rotation.test"
INVALID = ("NotAuthorizedException", "Invalid Access Token")
MINUTES = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}


@dataclass(frozen=True)
class Legacy:
    """A client whose secret was stored in clear, as versions before sealing stored it."""

    pool_id: str
    client_id: str
    secret: str
    username: str


@dataclass
class Nodes:
    """Two servers on one database, and what `userpool keys` needs to reach it directly."""

    backend: str
    servers: list[Server]
    clients: list[Any]
    direct: list[str]  # --data-dir DIR or --db URL
    legacy: Legacy  # stored in clear once the first node ran, before the second started
    env: dict[str, str] = field(default_factory=dict)  # USERPOOL_SECRET_KEY, if shared so


@contextmanager
def two_nodes(backend: str, base: Path, *args: str) -> Iterator[Nodes]:
    """The nodes share a public URL, hence the tokens' issuer, as nodes behind one name do.
    They start one after the other: the first makes the database (and on SQLite the key)."""
    args = ("--public-url", PUBLIC_URL, *args)
    env: dict[str, str] = {}
    with ExitStack() as stack:
        if backend == "sqlite":
            bases, direct = [base, base], ["--data-dir", str(base)]
        else:
            url = stack.enter_context(fresh_database())
            env = {"USERPOOL_SECRET_KEY": secrets.token_urlsafe(32)}
            bases, direct = [base / "node-a", base / "node-b"], ["--db", url]
            args = ("--db", url, *args)
        servers, clients = [], []
        for where in bases:
            servers.append(start_server(where, *args, env=env))
            stack.callback(servers[-1].stop)
            clients.append(make_client(servers[-1].url))
            if len(servers) == 1:
                legacy = stored_in_clear(clients[0], servers[0])
        yield Nodes(backend, servers, clients, direct, legacy, env)


def stored_in_clear(cognito: Any, server: Server) -> Legacy:
    """A client with a secret, then its row given the secret in clear."""
    pool_id = new_pool(cognito)
    flows = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    client = new_client(cognito, pool_id, flows, GenerateSecret=True)
    username = unique("legacy")
    confirmed_user(cognito, pool_id, username)
    engine = database.create(server.db_url)
    with engine.begin() as connection:
        statement = update(clients).where(clients.c.id == client["ClientId"])
        connection.execute(statement.values(secret=client["ClientSecret"]))
    engine.dispose()
    return Legacy(pool_id, client["ClientId"], client["ClientSecret"], username)


def stored_secret(server: Server, client_id: str) -> str:
    """A client's secret as its row holds it."""
    engine = database.create(server.db_url)
    with engine.connect() as connection:
        stored = connection.execute(select(clients.c.secret).where(clients.c.id == client_id))
        value: str = stored.scalar_one()
    engine.dispose()
    return value


def keys_cli(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`userpool keys ... --json`, asserted successful; its answer."""
    done = run_keys_cli(*args, "--json", env=env)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def run_keys_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("USERPOOL_", "AWS_"))}
    return subprocess.run(
        [sys.executable, "-m", "userpool", "keys", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**base, **(env or {})},
    )


@dataclass(frozen=True)
class Account:
    pool_id: str
    client_id: str
    username: str


def short_lived_account(cognito: Any) -> Account:
    """A pool whose one client's ID and access tokens live 5 minutes, and a user of it."""
    pool_id = new_pool(cognito)
    client = new_client(
        cognito,
        pool_id,
        AccessTokenValidity=VALIDITY_MINUTES,
        IdTokenValidity=VALIDITY_MINUTES,
        TokenValidityUnits=MINUTES,
    )
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    return Account(pool_id, client["ClientId"], username)


def sign_in(cognito: Any, account: Account) -> dict[str, Any]:
    return tokens_of(user_auth(cognito, account.client_id, account.username, PASSWORD))


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


def kids_of(tokens: dict[str, Any]) -> set[str]:
    return {kid_of(tokens["IdToken"]), kid_of(tokens["AccessToken"])}


def jwks_kids(server: Server, pool_id: str) -> set[str]:
    response = httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=10)
    assert response.status_code == 200, response.text
    return {key["kid"] for key in response.json()["keys"]}


def signing_kids(answer: dict[str, Any]) -> set[str]:
    """The newest keys: those not rotated out."""
    return {key["Kid"] for key in answer["Keys"] if key["Retires"] is None}


def signs_from(answer: dict[str, Any]) -> float:
    """When the newest keys start to sign."""
    (start,) = {key["SignsFrom"] for key in answer["Keys"] if key["Retires"] is None}
    return float(start)


def retiring(answer: dict[str, Any]) -> dict[str, float]:
    return {key["Kid"]: key["Retires"] for key in answer["Keys"] if key["Retires"] is not None}


def expected_retirement(new_keys_sign_from: float) -> float:
    """When the keys rotated out leave the JWKS of a pool of short-lived tokens."""
    return new_keys_sign_from + VALIDITY_MINUTES * 60 + MARGIN_SECONDS


def within(seconds: float, check: Callable[[], bool], pause: float = 0.1) -> float | None:
    """How long `check` took to hold, asked until it does or `seconds` pass (then None)."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            return None
        time.sleep(pause)


def signed_by(
    cognito: Any, account: Account, kids: set[str], seconds: float
) -> dict[str, Any] | None:
    """The first tokens signed by `kids` in sign-ins for up to `seconds`, else None."""
    tokens: list[dict[str, Any]] = []

    def signs() -> bool:
        tokens.append(sign_in(cognito, account))
        return kids_of(tokens[-1]) == kids

    return tokens[-1] if within(seconds, signs) is not None else None


def refused(cognito: Any, access_token: str) -> bool:
    """Whether GetUser refuses the token as signed by no key of its pool."""
    try:
        cognito.get_user(AccessToken=access_token)
    except ClientError as error:
        assert (error.response["Error"]["Code"], error.response["Error"]["Message"]) == INVALID
        return True
    return False


def client_id_of(cognito: Any, pool_id: str) -> str:
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=1)
    return str(listed["UserPoolClients"][0]["ClientId"])


def everything_stored(engine: Any, node: Any) -> bytes:
    """The SQLite files as bytes (the WAL too), or every row of every table on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        files = [node.data_dir / "userpool.db", node.data_dir / "userpool.db-wal"]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dumped = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).all():
                for value in row:
                    dumped.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(dumped)


def other_address() -> str | None:
    """An address of this machine other than loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address
