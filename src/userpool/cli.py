"""The `userpool` command."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from userpool.config import ServerConfig, is_loopback
from userpool.crypto.sealing import load_server_key
from userpool.delivery import COGNITO_FROM, NAMES
from userpool.delivery.outbox import PAGE, as_json, describe
from userpool.delivery.smtp import DEFAULT_PORTS, TLS_MODES
from userpool.domain.messages import OutboxEntry
from userpool.http import tls as http_tls
from userpool.http import workers as http_workers
from userpool.protocol.sigv4 import load_credentials
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

DIRECTORY = click.Path(file_okay=False, path_type=Path)
EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


def _fail(message: str) -> NoReturn:
    click.echo(f"userpool: {message}", err=True)
    sys.exit(2)


def _redacted(url: str) -> str:
    """`url` fit to print: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class _OneLineErrors(click.Group):
    """A usage error is one line, `userpool: <what is wrong>`, like every other refusal."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.ClickException as error:
            _fail(error.format_message())
        except click.Abort:  # Ctrl-C before the server runs
            sys.exit(130)


@click.group(cls=_OneLineErrors, invoke_without_command=True)
@click.pass_context
def main(context: click.Context) -> None:
    """A self-hostable server that speaks the Amazon Cognito user-pool API."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


def _delivery_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`serve`'s flags for code delivery and the development endpoints."""
    ports = ", ".join(f"{port} with {mode}" for mode, port in DEFAULT_PORTS.items())
    options = [
        click.option(
            "--delivery",
            envvar="USERPOOL_DELIVERY",
            default="console",
            show_default=True,
            type=click.Choice(NAMES),
            help="How codes reach users, unless a pool's 'userpool:delivery' tag says otherwise.",
        ),
        click.option(
            "--smtp-host",
            envvar="USERPOOL_SMTP_HOST",
            default=None,
            help="SMTP server for the smtp backend (email only: SMS goes to the console).",
        ),
        click.option(
            "--smtp-port",
            envvar="USERPOOL_SMTP_PORT",
            default=None,
            type=click.IntRange(1, 65535),
            help=f"Default: {ports}.",
        ),
        click.option(
            "--smtp-tls",
            envvar="USERPOOL_SMTP_TLS",
            default="starttls",
            show_default=True,
            type=click.Choice(TLS_MODES),
        ),
        click.option("--smtp-username", envvar="USERPOOL_SMTP_USERNAME", default=None),
        click.option(
            "--smtp-password",
            envvar="USERPOOL_SMTP_PASSWORD",
            default=None,
            help="Better given as USERPOOL_SMTP_PASSWORD than on the command line.",
        ),
        click.option(
            "--smtp-from",
            envvar="USERPOOL_SMTP_FROM",
            default=COGNITO_FROM,
            show_default=True,
            help="Sender, unless the pool's EmailConfiguration names one.",
        ),
        click.option(
            "--aws-endpoint-url",
            envvar="USERPOOL_AWS_ENDPOINT_URL",
            default=None,
            help="SNS/SES endpoint for the aws backend. Default: AWS's.",
        ),
        click.option(
            "--aws-region",
            envvar="USERPOOL_AWS_REGION",
            default=None,
            help="SNS/SES region. Default: the pool's.",
        ),
        click.option(
            "--dev-endpoints",
            envvar="USERPOOL_DEV_ENDPOINTS",
            is_flag=True,
            help="Serve GET /_userpool/outbox (every stored message, codes included).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
@click.option(
    "--triggers",
    "triggers_file",
    envvar="USERPOOL_TRIGGERS",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file mapping Lambda function names or ARNs to handlers on this machine.",
)
@click.option(
    "--lambda-endpoint-url",
    envvar="USERPOOL_LAMBDA_ENDPOINT_URL",
    default=None,
    help="Lambda Invoke API for the other functions (SAM local, LocalStack). Default: AWS.",
)
@click.option(
    "--tls",
    envvar="USERPOOL_TLS",
    is_flag=True,
    help="Serve HTTPS, with a certificate from a local CA in --data-dir (see `userpool ca`).",
)
@click.option(
    "--tls-cert",
    envvar="USERPOOL_TLS_CERT",
    type=EXISTING_FILE,
    help="Serve HTTPS with this certificate (PEM, chain after it) instead.",
)
@click.option(
    "--tls-key",
    envvar="USERPOOL_TLS_KEY",
    type=EXISTING_FILE,
    help="The private key of --tls-cert (PEM).",
)
@_delivery_options
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
    triggers_file: Path | None,
    lambda_endpoint_url: str | None,
    tls: bool,
    tls_cert: Path | None,
    tls_key: Path | None,
    **delivery: Any,
) -> None:
    """Run the server."""
    config = ServerConfig(
        host,
        port,
        data_dir,
        db,
        workers,
        log_level,
        region,
        credentials_file,
        public_url,
        issuer,
        **delivery,
        # absolute: the handlers' paths are relative to it, whatever the workers' directory
        triggers_file=triggers_file.absolute() if triggers_file else None,
        lambda_endpoint_url=lambda_endpoint_url or None,
        tls=tls or tls_cert is not None,
        tls_cert=tls_cert.absolute() if tls_cert else None,  # absolute: as for triggers_file
        tls_key=tls_key.absolute() if tls_key else None,
    )
    refusal = config.refusal(allow_any_credentials)
    if refusal is not None:
        _fail(refusal)
    if credentials_file is not None:
        try:
            load_credentials(credentials_file)
        except (OSError, ValueError) as error:
            _fail(f"bad credentials file: {error}")
    elif not is_loopback(host) and not allow_any_credentials:
        _fail(
            f"refusing to listen on {host} without --credentials "
            "(pass --allow-any-credentials to accept any signature)"
        )
    try:
        database.migrate(database.create(config.db_url))
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        _fail(f"cannot use database {_redacted(config.db_url)}: {reason}")
    try:
        load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), data_dir)
    except (OSError, ValueError) as error:
        _fail(f"cannot load the server key: {error}")
    try:  # before saying we listen: a port in use is one line too, not a uvicorn log
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        _fail(f"cannot listen on {host}:{port}: {reason}")
    try:  # each worker loads the files itself
        files = (config.data_dir, config.base_url, config.tls_cert, config.tls_key)
        tls_files = http_tls.uvicorn_options(*files) if config.tls else {}
    except (OSError, ValueError, http_tls.TlsError) as error:
        _fail(f"cannot serve HTTPS: {error}")
    options: dict[str, Any] = {
        "app": "userpool.app:create_app",
        "factory": True,
        "log_level": log_level,
        "access_log": log_level == "debug",
        **tls_files,
    }
    os.environ.update(config.to_env())
    import uvicorn

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    database_url = _redacted(config.db_url)
    own_ca = config.tls and config.tls_cert is None  # then say what clients are to trust
    trust = f", CA: {http_tls.ca_path(data_dir)}" if own_ca else ""
    click.echo(
        f"userpool listening on {config.scheme}://{where} "
        f"(database: {database_url}, workers: {workers}{trust})"
    )
    if workers == 1:
        uvicorn.run(host=host, port=port, **options)
    else:
        http_workers.run(host, port, workers, options)


@main.command()
@click.option(
    "--data-dir", envvar="USERPOOL_DATA_DIR", default=".userpool", show_default=True, type=DIRECTORY
)
def ca(data_dir: Path) -> None:
    """Print the path of the local CA's certificate.

    The CA that `serve --tls` issues its certificate from, made in --data-dir if need be: for
    browsers and clients to trust (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, ...)."""
    try:
        click.echo(http_tls.ensure_authority(data_dir))
    except (OSError, ValueError, http_tls.TlsError) as error:
        _fail(f"cannot make the local CA in {data_dir}: {error}")


@main.command()
@click.option("--pool", "pool_id", default=None, help="Only this user pool's messages.")
@click.option("--user", "username", default=None, help="Only the messages to this user name.")
@click.option("--follow", is_flag=True, help="Keep printing new messages until Ctrl-C.")
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="The server's database URL. Default: SQLite in --data-dir.",
)
@click.option(
    "--data-dir", envvar="USERPOOL_DATA_DIR", default=".userpool", show_default=True, type=DIRECTORY
)
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
        _fail(f"no database in {data_dir} (pass --data-dir or --db)")
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
        _fail(f"cannot read the outbox in {_redacted(url)}: {reason}")


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
