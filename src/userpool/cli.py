"""The `userpool` command."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import click

from userpool.config import ServerConfig
from userpool.crypto.sealing import load_server_key
from userpool.protocol.sigv4 import load_credentials
from userpool.storage import database

DIRECTORY = click.Path(file_okay=False, path_type=Path)  # type: ignore[type-var]
EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)  # type: ignore[type-var]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fail(message: str) -> None:
    click.echo(f"userpool: {message}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """A self-hostable server that speaks the Amazon Cognito user-pool API."""


@main.command()
@click.option("--host", envvar="USERPOOL_HOST", default="127.0.0.1", show_default=True)
@click.option(
    "--port", envvar="USERPOOL_PORT", default=9230, type=click.IntRange(0, 65535), show_default=True
)
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="SQLAlchemy URL (sqlite:///..., postgresql://...). Default: SQLite in --data-dir.",
)
@click.option(
    "--data-dir", envvar="USERPOOL_DATA_DIR", default=".userpool", show_default=True, type=DIRECTORY
)
@click.option(
    "--workers", envvar="USERPOOL_WORKERS", default=1, type=click.IntRange(1, 64), show_default=True
)
@click.option(
    "--log-level",
    envvar="USERPOOL_LOG_LEVEL",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.option(
    "--region",
    envvar="USERPOOL_REGION",
    default="us-east-1",
    show_default=True,
    help="Region for new pool ids when a request is not SigV4-scoped.",
)
@click.option(
    "--credentials",
    "credentials_file",
    envvar="USERPOOL_CREDENTIALS",
    default=None,
    type=EXISTING_FILE,
    help="File of 'ACCESS_KEY_ID SECRET' lines; admin operations then need SigV4.",
)
@click.option(
    "--public-url",
    envvar="USERPOOL_PUBLIC_URL",
    default=None,
    help="URL clients reach this server at (token issuer base). Default: http://HOST:PORT.",
)
@click.option(
    "--issuer",
    envvar="USERPOOL_ISSUER",
    default="url",
    show_default=True,
    type=click.Choice(["url", "aws"]),
    help="Token issuer: PUBLIC_URL/POOL_ID, or https://cognito-idp.REGION.amazonaws.com/POOL_ID.",
)
@click.option(
    "--allow-any-credentials",
    is_flag=True,
    help="Listen on a non-loopback address without configured credentials.",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    data_dir: Path,
    workers: int,
    log_level: str,
    region: str,
    credentials_file: Path | None,
    public_url: str | None,
    issuer: str,
    allow_any_credentials: bool,
) -> None:
    """Run the server."""
    config = ServerConfig(
        host, port, data_dir, db, workers, log_level, region, credentials_file, public_url, issuer
    )
    if credentials_file is not None:
        try:
            load_credentials(credentials_file)
        except (OSError, ValueError) as error:
            _fail(f"bad credentials file: {error}")
    elif not _is_loopback(host) and not allow_any_credentials:
        _fail(
            f"refusing to listen on {host} without --credentials "
            "(pass --allow-any-credentials to accept any signature)"
        )
    try:
        database.migrate(database.create(config.db_url))
    except Exception as error:  # any driver error: one line, no traceback
        _fail(f"cannot use database {config.db_url}: {str(error).splitlines()[0]}")
    try:
        load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), data_dir)
    except (OSError, ValueError) as error:
        _fail(f"cannot load the server key: {error}")
    os.environ.update(config.to_env())
    import uvicorn

    click.echo(
        f"userpool listening on http://{host}:{port} (database: {config.db_url}, "
        f"workers: {workers})"
    )
    uvicorn.run(
        "userpool.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=log_level == "debug",
    )
