"""`userpool serve`: check the settings, migrate the database, run uvicorn."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import click

from userpool.cli.common import DATA_DIR, EXISTING_FILE, duration, fail, redacted
from userpool.cli.delivery_options import delivery_options
from userpool.cli.keys import seal_with_server_key
from userpool.config import ServerConfig, is_loopback
from userpool.crypto.sealing import load_server_key
from userpool.http import logs as http_logs
from userpool.http import metrics_files
from userpool.http import tls as http_tls
from userpool.http import workers as http_workers
from userpool.protocol.sigv4 import load_credentials
from userpool.storage import database


@click.command()
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
@DATA_DIR
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
    "--log-format",
    envvar="USERPOOL_LOG_FORMAT",
    default="text",
    show_default=True,
    type=click.Choice(http_logs.FORMATS),
    help="json: one JSON object a line, with the request id (x-amzn-RequestId).",
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
    "--rotate-keys-every",
    envvar="USERPOOL_ROTATE_KEYS_EVERY",
    metavar="DURATION",
    default=None,
    callback=duration,
    help="Rotate each pool's signing keys this often (30d, 12h, ...). Default: never.",
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
@click.option(
    "--sqlite-synchronous",
    envvar="USERPOOL_SQLITE_SYNCHRONOUS",
    default="normal",
    show_default=True,
    type=click.Choice(database.SQLITE_SYNCHRONOUS),
    help="SQLite's sync at commit: normal (a power loss may undo the last commits), full.",
)
@click.option(
    "--quotas",
    envvar="USERPOOL_QUOTAS",
    default=None,
    help="Cognito's request rate quotas: 'cognito' (its defaults), or a JSON file of "
    "quota (a category, PerUserRead, ...; README, Quotas): requests per second over them. "
    "Default: none.",
)
@click.option(
    "--quotas-store",
    envvar="USERPOOL_QUOTAS_STORE",
    default=ServerConfig.quotas_store,
    show_default=True,
    help="Where every node counts the quotas: a redis:// URL, or 'database'.",
)
@click.option(
    "--seed",
    "seed_file",
    envvar="USERPOOL_SEED",
    default=None,
    type=EXISTING_FILE,
    help="A seed file (YAML or JSON: pools, clients, users, ...) applied before the server "
    "listens; see docs/seed.md.",
)
@delivery_options
def serve(
    host: str,
    port: int,
    db: str | None,
    data_dir: Path,
    workers: int,
    log_level: str,
    log_format: str,
    region: str,
    credentials_file: Path | None,
    public_url: str | None,
    issuer: str,
    rotate_keys_every: float | None,
    allow_any_credentials: bool,
    triggers_file: Path | None,
    lambda_endpoint_url: str | None,
    tls: bool,
    tls_cert: Path | None,
    tls_key: Path | None,
    sqlite_synchronous: str,
    quotas: str | None,
    quotas_store: str,
    seed_file: Path | None,
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
        rotate_keys_every=rotate_keys_every or None,
        # absolute: the handlers' paths are relative to it, whatever the workers' directory
        triggers_file=triggers_file.absolute() if triggers_file else None,
        lambda_endpoint_url=lambda_endpoint_url or None,
        tls=tls or tls_cert is not None,
        tls_cert=tls_cert.absolute() if tls_cert else None,  # absolute: as for triggers_file
        tls_key=tls_key.absolute() if tls_key else None,
        log_format=log_format,
        sqlite_synchronous=sqlite_synchronous,
        # a file's path absolute, as for triggers_file
        quotas=str(Path(quotas).absolute()) if quotas and quotas != "cognito" else quotas,
        quotas_store=quotas_store,
    )
    refusal = config.refusal(allow_any_credentials)
    if refusal is not None:
        fail(refusal)
    if credentials_file is not None:
        try:
            load_credentials(credentials_file)
        except (OSError, ValueError) as error:
            fail(f"bad credentials file: {error}")
    elif not is_loopback(host) and not allow_any_credentials:
        fail(
            f"refusing to listen on {host} without --credentials "
            "(pass --allow-any-credentials to accept any signature)"
        )
    try:
        newer = database.migrate(database.create(config.db_url, sqlite_synchronous))
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot use database {redacted(config.db_url)}: {reason}")
    if newer is not None:  # a rolling upgrade under way, or rolled back (docs/deploy.md)
        click.echo(
            f"userpool: schema at {newer}, newer than this version's: left as it is", err=True
        )
    try:
        server_key = load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), data_dir)
    except (OSError, ValueError) as error:
        fail(f"cannot load the server key: {error}")
    seal_with_server_key(config.db_url, server_key)
    try:  # before saying we listen: a port in use is one line too, not a uvicorn log
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        fail(f"cannot listen on {host}:{port}: {reason}")
    try:  # each worker loads the files itself
        files = (config.data_dir, config.base_url, config.tls_cert, config.tls_key)
        tls_files = http_tls.uvicorn_options(*files) if config.tls else {}
    except (OSError, ValueError, http_tls.TlsError) as error:
        fail(f"cannot serve HTTPS: {error}")
    if seed_file is not None:  # once, here, before any worker serves (cli/seed.py)
        from userpool.cli.seed import apply_at_start

        apply_at_start(config, seed_file)
    options: dict[str, Any] = {
        "app": "userpool.app:create_app",
        "factory": True,
        "log_level": log_level,
        # JSON: http/observed.py writes a richer access line (request id, operation) instead
        "access_log": log_level == "debug" and log_format == "text",
        **tls_files,
    }
    log_config = http_logs.uvicorn_log_config(log_format, log_level)
    if log_config is not None:  # else uvicorn's own (None would mean: configure nothing)
        options["log_config"] = log_config
    os.environ.update(config.to_env())
    import uvicorn

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    database_url = redacted(config.db_url)
    own_ca = config.tls and config.tls_cert is None  # then say what clients are to trust
    trust = f", CA: {http_tls.ca_path(data_dir)}" if own_ca else ""
    listening = (
        f"userpool listening on {config.scheme}://{where} "
        f"(database: {database_url}, workers: {workers}{trust})"
    )
    click.echo(http_logs.announce(listening, log_format))
    with metrics_files.run_directory():  # set before uvicorn loads the app
        if workers == 1:
            uvicorn.run(host=host, port=port, **options)
        else:
            http_workers.run(host, port, workers, options)
