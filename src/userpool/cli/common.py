"""What the `userpool` subcommands share: one-line failures and the option types."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DIRECTORY = click.Path(file_okay=False, path_type=Path)
EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)
DATA_DIR = click.option(
    "--data-dir", envvar="USERPOOL_DATA_DIR", default=".userpool", show_default=True, type=DIRECTORY
)


def fail(message: str) -> NoReturn:
    click.echo(f"userpool: {message}", err=True)
    sys.exit(2)


def redacted(url: str) -> str:
    """`url` fit to print: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
