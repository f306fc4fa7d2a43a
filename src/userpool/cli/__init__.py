"""The `userpool` command: `serve`, `migrate`, `ca`, `outbox`, `keys`, `events`, `seed`,
`export`, `import-log`; each in its own module here."""

from __future__ import annotations

import sys
from typing import Any

import click

from userpool.cli.ca import ca
from userpool.cli.common import fail
from userpool.cli.events import events
from userpool.cli.import_log import import_log
from userpool.cli.keys import keys
from userpool.cli.migrate import migrate
from userpool.cli.outbox import outbox
from userpool.cli.seed import export_command, seed_command
from userpool.cli.serve import serve


class _OneLineErrors(click.Group):
    """A usage error is one line, `userpool: <what is wrong>`, like every other refusal."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.ClickException as error:
            fail(error.format_message())
        except click.Abort:  # Ctrl-C before the server runs
            sys.exit(130)


@click.group(cls=_OneLineErrors, invoke_without_command=True)
@click.pass_context
def main(context: click.Context) -> None:
    """A self-hostable server that speaks the Amazon Cognito user-pool API."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


for command in (
    serve,
    migrate,
    ca,
    outbox,
    keys,
    events,
    seed_command,
    export_command,
    import_log,
):
    main.add_command(command)
