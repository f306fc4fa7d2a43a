"""`userpool keys list|rotate --pool ID`: a pool's signing keys, through a running server
(`--endpoint-url`: its /_userpool/keys endpoint, signed with the AWS credentials of the
environment as the AWS CLI signs) or straight on its database (`--data-dir` / `--db`, with
the server key the servers use)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson

from userpool.cli import endpoint
from userpool.cli.common import SERVER_OPTIONS, duration, fail, redacted
from userpool.crypto.sealing import KEY_FILE, load_server_key
from userpool.domain.errors import CognitoError
from userpool.http.key_admin import ROOT
from userpool.storage import database
from userpool.storage.client_secrets import ClientSecrets, seal_stored
from userpool.storage.sql_store import SqlStore
from userpool.tokens import rotation
from userpool.tokens.keys import KeyRing


def _where(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say where the keys are, and how to print them."""
    for option in reversed(
        [
            click.option("--pool", "pool_id", required=True, help="The user pool's id."),
            *SERVER_OPTIONS,
            click.option("--json", "as_json", is_flag=True, help="One JSON object."),
        ]
    ):
        command = option(command)
    return command


@click.group()
def keys() -> None:
    """A pool's signing keys: list them, or rotate them."""


@keys.command("list")
@_where
def list_keys(
    pool_id: str,
    endpoint_url: str | None,
    region: str,
    db: str | None,
    data_dir: Path,
    as_json: bool,
) -> None:
    """The keys in the pool's JWKS: when each signs from, and when it retires."""
    if endpoint_url:
        _refuse_both(db)
        answer = _call(endpoint_url, region, "GET", {"UserPoolId": pool_id}, None)
    else:
        states = _list_locally(db, data_dir, pool_id)
        answer = {"UserPoolId": pool_id, "Keys": [state.as_json() for state in states]}
    _show(answer, as_json)


@keys.command("rotate")
@click.option(
    "--publish-ahead",
    metavar="DURATION",
    callback=duration,
    default=None,
    help="How long the new keys are in the JWKS before they sign. Default: 5m; 0: at once.",
)
@click.option(
    "--keep-old",
    metavar="DURATION",
    callback=duration,
    default=None,
    help="How long the keys rotated out stay in the JWKS (90s, 15m, 12h, 1d). Default: the "
    "longest token validity of the pool's app clients, and a margin. 0: out at once.",
)
@_where
def rotate_keys(
    publish_ahead: float | None,
    keep_old: float | None,
    pool_id: str,
    endpoint_url: str | None,
    region: str,
    db: str | None,
    data_dir: Path,
    as_json: bool,
) -> None:
    """New keys: in the JWKS at once, signing after --publish-ahead. The old ones stay in the
    JWKS until the tokens they signed have expired."""
    if endpoint_url:
        _refuse_both(db)
        params: dict[str, Any] = {"UserPoolId": pool_id}
        if keep_old is not None:
            params["KeepOldSeconds"] = keep_old
        if publish_ahead is not None:
            params["PublishAheadSeconds"] = publish_ahead
        answer = _call(endpoint_url, region, "POST", {}, params, "/rotate")
    else:
        states = _rotate_locally(db, data_dir, pool_id, keep_old, publish_ahead)
        answer = {"UserPoolId": pool_id, "Keys": [state.as_json() for state in states]}
    _show(answer, as_json)


def server_key_problem(store: SqlStore, ring: KeyRing) -> str | None:
    """Why `ring`'s server key is not the one the stored signing keys were sealed with, or
    None (when it is, or when none is stored yet)."""
    with store.read() as tx:
        sample = tx.signing_keys.sample()
    if sample is None or ring.opens(sample):
        return None
    return (
        "the server key does not open the signing keys stored in the database: every "
        "server of one database needs the same key (USERPOOL_SECRET_KEY, or the secret.key "
        "of the data dir that made them)"
    )


def _list_locally(db: str | None, data_dir: Path, pool_id: str) -> list[rotation.KeyState]:
    engine = _engine(db, data_dir)
    try:
        return _locally(lambda: rotation.key_states(SqlStore(engine), pool_id, time.time()))
    finally:
        engine.dispose()


def _rotate_locally(
    db: str | None,
    data_dir: Path,
    pool_id: str,
    keep_old: float | None,
    publish_ahead: float | None,
) -> list[rotation.KeyState]:
    server_key = _server_key(data_dir)
    engine = _engine(db, data_dir)
    try:
        store = SqlStore(engine, ClientSecrets.from_server_key(server_key))
        ring = KeyRing.from_server_key(store, server_key)
        problem = server_key_problem(store, ring)
        if problem is not None:
            fail(problem)
        return _locally(
            lambda: rotation.rotate(
                ring, store, pool_id, time.time(), keep_old=keep_old, publish_ahead=publish_ahead
            )
        )
    finally:
        engine.dispose()


def seal_with_server_key(url: str, server_key: bytes) -> None:
    """Before a server starts: refuse a server key that does not open the stored signing
    keys (every sign-in would fail), and seal the client secrets stored in clear."""
    engine = database.create(url)
    try:
        secrets = ClientSecrets.from_server_key(server_key)
        store = SqlStore(engine, secrets)
        problem = server_key_problem(store, KeyRing.from_server_key(store, server_key))
        if problem is not None:
            fail(problem)
        seal_stored(engine, secrets)
    finally:
        engine.dispose()


def _refuse_both(db: str | None) -> None:
    if db is not None:
        fail("--endpoint-url and --db do not go together: the server knows its database")


def _engine(db: str | None, data_dir: Path) -> Any:
    url = db or database.sqlite_url(data_dir)
    if db is None and not (data_dir / "userpool.db").is_file():
        fail(f"no database in {data_dir} (pass --data-dir, --db or --endpoint-url)")
    try:
        engine = database.create(url)
        database.migrate(engine)  # as `serve` does: the keys' retirement is a column of 0013
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot use database {redacted(url)}: {reason}")
    return engine


def _server_key(data_dir: Path) -> bytes:
    """The servers' key: never a new one, which would seal keys no server can open."""
    secret = os.environ.get("USERPOOL_SECRET_KEY")
    if not secret and not (data_dir / KEY_FILE).is_file():
        fail(f"no server key: no {KEY_FILE} in {data_dir}, and USERPOOL_SECRET_KEY is not set")
    try:
        return load_server_key(secret, data_dir)
    except (OSError, ValueError) as error:
        fail(f"cannot load the server key: {error}")


def _locally(work: Callable[[], list[rotation.KeyState]]) -> list[rotation.KeyState]:
    try:
        return work()
    except CognitoError as error:
        fail(f"{error.type_name}: {error.message}")


def _call(
    endpoint_url: str, region: str, method: str, query: dict[str, str], body: Any, path: str = ""
) -> dict[str, Any]:
    try:
        return endpoint.call(endpoint_url, region, method, ROOT + path, query, body)
    except (endpoint.Refused, endpoint.Unreachable) as error:
        fail(str(error))


def _show(answer: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(orjson.dumps(answer).decode())
        return
    for key in answer["Keys"]:
        retires = "" if key["Retires"] is None else f"  retires {_moment(key['Retires'])}"
        click.echo(
            f"{key['Kid']}  {key['Use']:<6}  signs from {_moment(key['SignsFrom'])}{retires}"
        )


def _moment(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
