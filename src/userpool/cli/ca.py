"""`userpool ca`: the local CA's certificate, for clients to trust."""

from __future__ import annotations

from pathlib import Path

import click

from userpool.cli.common import DATA_DIR, fail
from userpool.http import tls as http_tls


@click.command()
@DATA_DIR
def ca(data_dir: Path) -> None:
    """Print the path of the local CA's certificate.

    The CA that `serve --tls` issues its certificate from, made in --data-dir if need be: for
    browsers and clients to trust (NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE, ...)."""
    try:
        click.echo(http_tls.ensure_authority(data_dir))
    except (OSError, ValueError, http_tls.TlsError) as error:
        fail(f"cannot make the local CA in {data_dir}: {error}")
