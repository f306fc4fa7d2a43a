"""`userpool migrate`: bring the database's schema to this version's, once, before the nodes
start (docs/deploy.md). `serve` migrates on start too, under the same lock, so a lone server
needs no separate step."""

from __future__ import annotations

from pathlib import Path

import click

from userpool.cli.common import DATA_DIR, fail, redacted
from userpool.storage import database


@click.command()
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="The database URL the nodes use. Default: SQLite in --data-dir.",
)
@DATA_DIR
def migrate(db: str | None, data_dir: Path) -> None:
    """Migrate the database's schema to this version's, then exit."""
    url = db or database.sqlite_url(data_dir)
    try:
        engine = database.create(url)
        try:
            newer = database.migrate(engine)
        finally:
            engine.dispose()
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot migrate {redacted(url)}: {reason}")
    if newer is None:
        click.echo(f"{redacted(url)}: schema up to date")
    else:
        click.echo(f"{redacted(url)}: schema at {newer}, newer than this version's: left as it is")
