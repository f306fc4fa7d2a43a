"""`serve`'s flags for code delivery and the development endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from userpool.delivery import COGNITO_FROM, NAMES
from userpool.delivery.smtp import DEFAULT_PORTS, TLS_MODES


def delivery_options(command: Callable[..., Any]) -> Callable[..., Any]:
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
            help=(
                "Serve GET /_userpool/outbox (every stored message, codes included) and "
                "/_userpool/clock (a clock that tests advance, set or reset)."
            ),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
