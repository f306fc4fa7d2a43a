"""What the `userpool` subcommands share: one-line failures and the option types."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from userpool.config import parse_duration

DIRECTORY = click.Path(file_okay=False, path_type=Path)
EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)
DATA_DIR = click.option(
    "--data-dir", envvar="USERPOOL_DATA_DIR", default=".userpool", show_default=True, type=DIRECTORY
)
# Where a command that reads or changes a server's state finds it: a running server
# (`--endpoint-url`, signed for `--region`) or its database (`--db`, else SQLite in --data-dir).
SERVER_OPTIONS = (
    click.option(
        "--endpoint-url", default=None, help="A running server's URL (else the database)."
    ),
    click.option(
        "--region",
        envvar=["AWS_REGION", "AWS_DEFAULT_REGION"],
        default="us-east-1",
        show_default=True,
        help="The region to sign for: the server's --region.",
    ),
    click.option(
        "--db",
        envvar="USERPOOL_DB",
        default=None,
        help="The server's database URL. Default: SQLite in --data-dir.",
    ),
    DATA_DIR,
)


def duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    """An option's callback: seconds from a duration such as 90s, 15m, 12h or 30d."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a duration such as 90s, 15m, 12h or 30d"
        ) from error


def fail(message: str) -> NoReturn:
    click.echo(f"userpool: {message}", err=True)
    sys.exit(2)


def redacted(url: str) -> str:
    """`url` fit to print: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
