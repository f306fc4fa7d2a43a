"""`userpool import-log JOB_ID`: a user import job's log, as Cognito writes it to CloudWatch
Logs (log stream JOB_ID/JOB_NAME): the job's state and counts, then one line per row that was
skipped or failed, `[FAILED] Line Number 7 - <why>`, by line number. Imported rows are not
kept line by line (a million rows would be a million lines): the server logs them at debug
level, and the rows it skipped or failed at warning level as it goes."""

from __future__ import annotations

from pathlib import Path

import click

from userpool.cli.common import DATA_DIR, fail, redacted
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

PAGE = 1000


@click.command("import-log")
@click.argument("job_id")
@click.option(
    "--db",
    envvar="USERPOOL_DB",
    default=None,
    help="The server's database URL. Default: SQLite in --data-dir.",
)
@DATA_DIR
def import_log(job_id: str, db: str | None, data_dir: Path) -> None:
    """Print a user import job's state and the rows it skipped or failed."""
    url = db or database.sqlite_url(data_dir)
    if db is None and not (data_dir / "userpool.db").is_file():
        fail(f"no database in {data_dir} (pass --data-dir or --db)")
    try:
        store = SqlStore(database.create(url))
        with store.read() as tx:
            job = tx.import_jobs.get(job_id)
        if job is None:
            fail(f"no import job {job_id} in {redacted(url)}")
        click.echo(
            f"{job.job_id}/{job.name} ({job.pool_id}): {job.status.value}; imported "
            f"{job.imported}, skipped {job.skipped}, failed {job.failed}"
            + (f"; {job.message}" if job.message else "")
        )
        after = 0
        while True:
            with store.read() as tx:
                rows = tx.import_jobs.log(job_id, after, PAGE)
            for row in rows:
                click.echo(row.log_line())
            if len(rows) < PAGE:
                return
            after = rows[-1].line
    except Exception as error:  # any driver error: one line, no traceback
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        fail(f"cannot read import job {job_id} in {redacted(url)}: {reason}")
