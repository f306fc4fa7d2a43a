"""`userpool outbox`: the messages the outbox backend stored, codes included."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
import orjson

from userpool.cli.common import DATA_DIR, fail, redacted
from userpool.delivery.outbox import PAGE, as_json, describe
from userpool.domain.messages import OutboxEntry
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


@click.command()
@click.option("--pool", "pool_id", default=None, help="Only this user pool's messages.")
@click.option("--user", "username", default=None, help="Only the messages to this user name.")
@click.option("--follow", is_flag=True, help="Keep printing new messages until Ctrl-C.")
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="The server's database URL. Default: SQLite in --data-dir.",
)
@DATA_DIR
@click.option("--json", "lines_of_json", is_flag=True, help="One JSON object a line.")
def outbox(
    pool_id: str | None,
    username: str | None,
    follow: bool,
    db: str | None,
    data_dir: Path,
    lines_of_json: bool,
) -> None:
    """Print the messages stored by the outbox backend, codes included."""
    url = db or database.sqlite_url(data_dir)
    if db is None and not (data_dir / "userpool.db").is_file():
        fail(f"no database in {data_dir} (pass --data-dir or --db)")
    show = (lambda entry: orjson.dumps(as_json(entry)).decode()) if lines_of_json else describe
    try:
        store = SqlStore(database.create(url))
        after = _print_outbox(store, pool_id, username, 0, show)
        while follow:
            time.sleep(0.5)
            after = _print_outbox(store, pool_id, username, after, show)
    except KeyboardInterrupt:  # how --follow ends
        return
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot read the outbox in {redacted(url)}: {reason}")


def _print_outbox(
    store: SqlStore,
    pool_id: str | None,
    username: str | None,
    after: int,
    show: Callable[[OutboxEntry], str],
) -> int:
    """Print the messages stored after id `after`; the last id printed (else `after`)."""
    while entries := _outbox_page(store, pool_id, username, after):
        for entry in entries:
            click.echo(show(entry))
        after = entries[-1].id
    return after


def _outbox_page(
    store: SqlStore, pool_id: str | None, username: str | None, after: int
) -> list[OutboxEntry]:
    with store.read() as tx:
        return tx.outbox.list(pool_id, username, after, PAGE)
