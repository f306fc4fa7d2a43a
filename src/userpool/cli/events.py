"""`userpool events export`: users' auth events as JSON lines, read from the database."""

from __future__ import annotations

import os
from pathlib import Path

import click
import orjson

from userpool.auth import SessionSealer
from userpool.cli.common import DATA_DIR, fail, redacted
from userpool.config import ServerConfig
from userpool.crypto.sealing import KEY_FILE
from userpool.services.auth_events import as_wire, feedback_token
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

PAGE = 500


@click.group()
def events() -> None:
    """Users' auth events (kept where a pool's threat protection is on)."""


@events.command()
@click.option("--pool", "pool_id", default=None, help="Only this user pool's events.")
@click.option("--user", "username", default=None, help="Only the events of this user name.")
@click.option(
    "--feedback-tokens",
    is_flag=True,
    help="Add each event's FeedbackToken (for UpdateAuthEventFeedback): to send to its user.",
)
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="The server's database URL. Default: SQLite in --data-dir.",
)
@DATA_DIR
def export(
    pool_id: str | None, username: str | None, feedback_tokens: bool, db: str | None, data_dir: Path
) -> None:
    """Print auth events, oldest first, one JSON object a line: AdminListUserAuthEvents'
    AuthEventType with UserPoolId, Username and UserSub."""
    url = db or database.sqlite_url(data_dir)
    if db is None and not (data_dir / "userpool.db").is_file():
        fail(f"no database in {data_dir} (pass --data-dir or --db)")
    if feedback_tokens and not (
        os.environ.get("USERPOOL_SECRET_KEY") or (data_dir / KEY_FILE).is_file()
    ):
        fail(f"no server key in {data_dir}: pass the server's --data-dir or USERPOOL_SECRET_KEY")
    try:
        engine = database.create(url)
        try:
            _export(SqlStore(engine), pool_id, username, feedback_tokens, data_dir, db)
        finally:
            engine.dispose()
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot read the auth events in {redacted(url)}: {reason}")


def _export(
    store: SqlStore,
    pool_id: str | None,
    username: str | None,
    feedback_tokens: bool,
    data_dir: Path,
    db: str | None,
) -> None:
    sealer = None
    if feedback_tokens:  # sealed with the server key, as the server seals them
        from userpool.app import build_runtime  # the server's wiring: only for this

        sealer = build_runtime(ServerConfig(data_dir=data_dir, db=db), store).sessions
    _print_events(store, pool_id, username, sealer)


def _print_events(
    store: SqlStore, pool_id: str | None, username: str | None, sealer: SessionSealer | None
) -> None:
    after: tuple[int, str] | None = None
    while True:
        with store.read() as tx:
            page = tx.auth_events.export(pool_id, username, PAGE, after)
        for event in page:
            line = {
                "UserPoolId": event.pool_id,
                "Username": event.username,
                "UserSub": event.sub,
                **as_wire(event),
            }
            if sealer is not None:
                line["FeedbackToken"] = feedback_token(sealer, event)
            click.echo(orjson.dumps(line).decode())
        if len(page) < PAGE:
            return
        after = (page[-1].created, page[-1].event_id)
