"""`userpool seed FILE` and `userpool export`: a seed file (docs/seed.md) applied to a running
server (`--endpoint-url`: its /_userpool/seed endpoint, which runs userpool.seed there) or
straight to its database (`--data-dir` / `--db`, as `serve --seed` does before it listens),
and the state written back as one. Either way the same code judges and applies the file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
import orjson
import yaml

from userpool.cli.common import SERVER_OPTIONS, fail, redacted
from userpool.cli.endpoint import Refused, Unreachable, call
from userpool.cli.keys import seal_with_server_key
from userpool.config import ServerConfig
from userpool.crypto.sealing import KEY_FILE, load_server_key
from userpool.storage import database
from userpool.storage.client_secrets import ClientSecrets
from userpool.storage.sql_store import SqlStore

if TYPE_CHECKING:
    from userpool import seed
    from userpool.auth import Runtime

T = TypeVar("T")
ROOT = "/_userpool/seed"  # http/seed_admin.py's
KINDS = ("pool", "resource server", "client", "group", "user", "domain")


def _where(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            *SERVER_OPTIONS,
        ]
    ):
        command = option(command)
    return command


@click.command("seed")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--prune", is_flag=True, help="Delete what the file does not declare.")
@_where
def seed_command(
    file: Path, prune: bool, endpoint_url: str | None, region: str, db: str | None, data_dir: Path
) -> None:
    """Apply a seed file (YAML or JSON): its pools, app clients, groups, users, domains and
    resource servers, created or updated to match; applying it again changes nothing."""
    text = _text_of(file)
    if endpoint_url:
        _refuse_both(db)
        body = {"Document": text, "File": str(file), "Prune": prune}
        answer = _remote(str(file), lambda: call(endpoint_url, region, "POST", ROOT, {}, body))
        click.echo(f"{file}: {summary(answer['Summary'])}")
        return
    document = _loaded(text, str(file))
    _with_database(
        db,
        data_dir,
        True,
        lambda store, runtime: _apply(store, runtime, document, prune, region, to_stderr=False),
    )


@click.command("export")
@click.option(
    "--format",
    "output",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@click.option(
    "--include-secrets",
    is_flag=True,
    help="Client secrets, users' password verifiers (never a password) and TOTP secrets.",
)
@_where
def export_command(
    output: str,
    include_secrets: bool,
    endpoint_url: str | None,
    region: str,
    db: str | None,
    data_dir: Path,
) -> None:
    """Write the server's pools and all they hold to standard output as a seed file that
    makes them again."""
    if endpoint_url:
        _refuse_both(db)
        query = {"IncludeSecrets": "true"} if include_secrets else {}
        answer = _remote("export", lambda: call(endpoint_url, region, "GET", ROOT, query, None))
        document = answer["Document"]
    else:
        from userpool import seed  # here: `userpool --help` need not load the seed's code

        document = _with_database(
            db,
            data_dir,
            False,
            lambda store, runtime: seed.export(store, runtime, include_secrets=include_secrets),
        )
    if output == "json":
        click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100), nl=False
        )


def apply_at_start(config: ServerConfig, file: Path) -> None:
    """`serve --seed FILE`: the file applied once, after the migrations, before the server
    listens (in the process that starts the workers; nodes starting at once take turns)."""
    document = _loaded(_text_of(file), str(file))
    _with_database(
        config.db,
        config.data_dir,
        True,
        lambda store, runtime: _apply(store, runtime, document, False, config.region),
    )


def summary(tally: dict[str, dict[str, int]]) -> str:
    """`created 1 pool, 2 clients; unchanged 3 users`, from a Tally's JSON."""
    parts = []
    for section in ("Created", "Updated", "Deleted", "Unchanged"):
        counts = tally.get(section) or {}
        named = [_counted(counts[kind], kind) for kind in KINDS if counts.get(kind)]
        if named:
            parts.append(f"{section.lower()} {', '.join(named)}")
    return "; ".join(parts) or "nothing declared"


def _counted(count: int, kind: str) -> str:
    return f"{count} {kind}" + ("" if count == 1 else "s")


def _apply(
    store: SqlStore,
    runtime: Runtime,
    document: seed.Seed,
    prune: bool,
    region: str,
    *,
    to_stderr: bool = True,
) -> None:
    from userpool import seed
    from userpool.services.context import Settings

    try:
        tally = seed.apply(store, runtime, document, prune=prune, settings=Settings(region=region))
    except seed.SeedError as error:
        _mistakes(document.file, [str(problem) for problem in error.problems])
    click.echo(f"{document.file}: {summary(tally.as_json())}", err=to_stderr)


def _loaded(text: str, file: str) -> seed.Seed:
    from userpool import seed

    try:
        return seed.load(text, file)
    except seed.SeedError as error:
        _mistakes(file, [str(problem) for problem in error.problems])


def _mistakes(file: str, problems: list[str]) -> NoReturn:
    count = len(problems)
    lines = "\n".join(problems)
    fail(f"{file}: {count} mistake{'s' if count != 1 else ''}, nothing applied:\n{lines}")


def _text_of(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")


def _remote(file: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return work()
    except Refused as error:
        problems = error.payload.get("Problems")
        if isinstance(problems, list):
            _mistakes(file, [str(problem) for problem in problems])
        fail(str(error))
    except Unreachable as error:
        fail(str(error))


def _refuse_both(db: str | None) -> None:
    if db is not None:
        fail("--endpoint-url and --db do not go together: the server knows its database")


def _with_database(
    db: str | None, data_dir: Path, making: bool, work: Callable[[SqlStore, Runtime], T]
) -> T:
    """`work` on the server's database, with the server's key. `making`: the database and the
    key may be new (a seed before the first start), else both must exist."""
    url = db or database.sqlite_url(data_dir)
    if not making:
        if db is None and not (data_dir / "userpool.db").is_file():
            fail(f"no database in {data_dir} (pass --data-dir, --db or --endpoint-url)")
        if not os.environ.get("USERPOOL_SECRET_KEY") and not (data_dir / KEY_FILE).is_file():
            fail(f"no server key: no {KEY_FILE} in {data_dir}, and USERPOOL_SECRET_KEY is not set")
    try:
        engine = database.create(url)
        database.migrate(engine)
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot use database {redacted(url)}: {reason}")
    try:
        try:
            server_key = load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), data_dir)
        except (OSError, ValueError) as error:
            fail(f"cannot load the server key: {error}")
        seal_with_server_key(url, server_key)  # refuses a key that does not open the stored keys
        store = SqlStore(engine, ClientSecrets.from_server_key(server_key))
        from userpool.app import build_runtime

        return work(store, build_runtime(ServerConfig(data_dir=data_dir, db=db), store))
    finally:
        engine.dispose()
