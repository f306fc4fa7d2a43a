"""User import jobs on SQL (repositories.ImportJobRepository): the jobs, their uploaded CSV
files, and their logs. The tables are defined here (migration 0019 creates them); only this
module and the deletion of pools use them.

Every change of a job's state is one conditional UPDATE whose row count says whether it
happened: a start, a stop, a runner's claim and each of its batches, so that two requests,
or two nodes, never both act on one job. `active` is 1 while a job is Pending, InProgress or
Stopping, NULL otherwise; a unique key on it lets one job at a time be active, as Cognito
lets one per account.

An uploaded file is kept in chunks of UPLOAD_CHUNK_BYTES (the last one shorter), under the id of its
upload: a new upload to the same URL goes in beside it, and replaces it only when complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from userpool.domain.import_jobs import (
    RUNNING,
    ImportJob,
    JobStatus,
    Outcome,
    Progress,
    RowResult,
)
from userpool.storage.schema import metadata

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("name", String(128), nullable=False),
    Column("role_arn", String(2048), nullable=False),
    Column("algorithm", String(32)),
    Column("status", String(16), nullable=False),
    Column("created", Float, nullable=False),
    Column("presigned_url", Text, nullable=False),
    Column("upload_token", String(128), nullable=False),
    Column("upload_expires", Float, nullable=False),
    Column("upload_id", String(64)),
    Column("upload_size", BigInteger, nullable=False),
    Column("started", Float),
    Column("completed", Float),
    Column("imported", BigInteger, nullable=False),
    Column("skipped", BigInteger, nullable=False),
    Column("failed", BigInteger, nullable=False),
    Column("message", String(256)),
    Column("next_offset", BigInteger, nullable=False),
    Column("next_line", BigInteger, nullable=False),
    Column("runner", String(64)),
    Column("lease_until", Float),
    Column("active", Integer),
    UniqueConstraint("active", name="uq_import_jobs_active"),
    Index("ix_import_jobs_pool", "pool_id", "created", "job_id"),
    Index("ix_import_jobs_status", "status"),
)

import_uploads = Table(
    "import_uploads",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("upload_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

import_job_log = Table(
    "import_job_log",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("line", BigInteger, primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("message", Text, nullable=False),
)

IMPORT_TABLES = (import_job_log, import_uploads, import_jobs)  # a pool's deletion clears them
_RUNNING = [status.value for status in RUNNING]


def _job(row: Any) -> ImportJob:
    return ImportJob(
        job_id=row.job_id,
        pool_id=row.pool_id,
        name=row.name,
        role_arn=row.role_arn,
        algorithm=row.algorithm,
        status=JobStatus(row.status),
        created=row.created,
        presigned_url=row.presigned_url,
        upload_token=row.upload_token,
        upload_expires=row.upload_expires,
        upload_id=row.upload_id,
        upload_size=row.upload_size,
        started=row.started,
        completed=row.completed,
        imported=row.imported,
        skipped=row.skipped,
        failed=row.failed,
        message=row.message,
        next_offset=row.next_offset,
        next_line=row.next_line,
        runner=row.runner,
        lease_until=row.lease_until,
    )


class SqlImportJobs:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    # -- the jobs --------------------------------------------------------------------------

    def add(self, job: ImportJob) -> None:
        self._db.execute(
            insert(import_jobs).values(
                job_id=job.job_id,
                pool_id=job.pool_id,
                name=job.name,
                role_arn=job.role_arn,
                algorithm=job.algorithm,
                status=job.status.value,
                created=job.created,
                presigned_url=job.presigned_url,
                upload_token=job.upload_token,
                upload_expires=job.upload_expires,
                upload_size=0,
                imported=0,
                skipped=0,
                failed=0,
                next_offset=0,
                next_line=1,
            )
        )

    def get(self, job_id: str) -> ImportJob | None:
        row = self._db.execute(select(import_jobs).where(import_jobs.c.job_id == job_id)).first()
        return _job(row) if row else None

    def of_pool(self, pool_id: str, limit: int, after: tuple[float, str] | None) -> list[ImportJob]:
        """Newest first; `after`: (created, job_id) of the last one already listed."""
        query = select(import_jobs).where(import_jobs.c.pool_id == pool_id)
        if after is not None:
            key = tuple_(import_jobs.c.created, import_jobs.c.job_id)
            query = query.where(key < tuple_(*after))
        query = query.order_by(import_jobs.c.created.desc(), import_jobs.c.job_id.desc())
        return [_job(row) for row in self._db.execute(query.limit(limit)).all()]

    def start(self, job_id: str, now: float) -> bool | None:
        """Created -> Pending, with a complete upload. False when the job is not (or no
        longer) so; None when another job is active."""
        statement = (
            update(import_jobs)
            .where(
                import_jobs.c.job_id == job_id,
                import_jobs.c.status == JobStatus.CREATED.value,
                import_jobs.c.upload_id.is_not(None),
            )
            .values(status=JobStatus.PENDING.value, started=now, active=1)
        )
        try:
            with self._db.begin_nested():
                return self._db.execute(statement).rowcount == 1
        except IntegrityError:
            return None

    def stop(self, job_id: str, now: float, message: str) -> bool:
        """Pending -> Stopped at once; InProgress -> Stopping (its runner ends it at its next
        batch). False when the job is in neither state."""
        pending = self._db.execute(
            update(import_jobs)
            .where(import_jobs.c.job_id == job_id, import_jobs.c.status == JobStatus.PENDING.value)
            .values(status=JobStatus.STOPPED.value, completed=now, message=message, active=None)
        )
        if pending.rowcount == 1:
            self._drop_uploads(job_id)
            return True
        running = self._db.execute(
            update(import_jobs)
            .where(
                import_jobs.c.job_id == job_id,
                import_jobs.c.status == JobStatus.IN_PROGRESS.value,
            )
            .values(status=JobStatus.STOPPING.value)
        )
        return bool(running.rowcount == 1)

    def claimable(self, now: float) -> ImportJob | None:
        """A job that no runner holds: Pending, or running under a lease that lapsed."""
        query = (
            select(import_jobs)
            .where(
                import_jobs.c.status.in_(_RUNNING),
                or_(
                    import_jobs.c.status == JobStatus.PENDING.value,
                    import_jobs.c.lease_until.is_(None),
                    import_jobs.c.lease_until < now,
                ),
            )
            .order_by(import_jobs.c.started)
            .limit(1)
        )
        row = self._db.execute(query).first()
        return _job(row) if row else None

    def claim(self, job: ImportJob, runner: str, lease_until: float) -> bool:
        """Take `job` as read by `claimable`, if it is still so: of several runners, one wins.
        A Pending job becomes InProgress."""
        runner_column = import_jobs.c.runner
        held = runner_column.is_(None) if job.runner is None else runner_column == job.runner
        status = JobStatus.IN_PROGRESS if job.status is JobStatus.PENDING else job.status
        result = self._db.execute(
            update(import_jobs)
            .where(
                import_jobs.c.job_id == job.job_id,
                import_jobs.c.status == job.status.value,
                held,
            )
            .values(runner=runner, lease_until=lease_until, status=status.value)
        )
        return bool(result.rowcount == 1)

    def advance(self, job_id: str, runner: str, progress: Progress, lease_until: float) -> bool:
        """Record a batch and renew the lease: False (the caller rolls the batch back) when
        the job is no longer this runner's, or is no longer InProgress (stopped)."""
        c = import_jobs.c
        result = self._db.execute(
            update(import_jobs)
            .where(c.job_id == job_id, c.runner == runner, c.status == JobStatus.IN_PROGRESS.value)
            .values(
                next_offset=progress.next_offset,
                next_line=progress.next_line,
                imported=c.imported + progress.imported,
                skipped=c.skipped + progress.skipped,
                failed=c.failed + progress.failed,
                lease_until=lease_until,
            )
        )
        return bool(result.rowcount == 1)

    def finish(
        self, job_id: str, runner: str, status: JobStatus, message: str | None, now: float
    ) -> bool:
        """End the job this runner holds (and drop its file): False when it holds it no more."""
        result = self._db.execute(
            update(import_jobs)
            .where(import_jobs.c.job_id == job_id, import_jobs.c.runner == runner)
            .values(
                status=status.value,
                message=message,
                completed=now,
                runner=None,
                lease_until=None,
                active=None,
            )
        )
        if result.rowcount != 1:
            return False
        self._drop_uploads(job_id)
        return True

    def has_stale(self, created_before: float) -> bool:
        """Whether a Created job was made before `created_before` (one to expire)."""
        query = select(import_jobs.c.job_id).where(
            import_jobs.c.status == JobStatus.CREATED.value,
            import_jobs.c.created < created_before,
        )
        return self._db.execute(query.limit(1)).first() is not None

    def expire(self, created_before: float, now: float, message: str) -> int:
        """Created jobs made before `created_before` become Expired; their files go."""
        stale = select(import_jobs.c.job_id).where(
            import_jobs.c.status == JobStatus.CREATED.value,
            import_jobs.c.created < created_before,
        )
        ids = [row.job_id for row in self._db.execute(stale).all()]
        for job_id in ids:
            expired = self._db.execute(
                update(import_jobs)
                .where(
                    import_jobs.c.job_id == job_id,
                    import_jobs.c.status == JobStatus.CREATED.value,
                )
                .values(status=JobStatus.EXPIRED.value, completed=now, message=message)
            )
            if expired.rowcount == 1:
                self._drop_uploads(job_id)
        return len(ids)

    # -- the uploaded file -----------------------------------------------------------------

    def add_chunk(self, job: ImportJob, upload_id: str, seq: int, data: bytes) -> None:
        values = {"job_id": job.job_id, "upload_id": upload_id, "seq": seq}
        self._db.execute(insert(import_uploads).values(**values, pool_id=job.pool_id, data=data))

    def complete_upload(self, job_id: str, upload_id: str, size: int, now: float) -> bool:
        """Make `upload_id` the job's file, if the job still takes one (Created, its URL not
        expired); the file it replaces goes. False: nothing changed."""
        result = self._db.execute(
            update(import_jobs)
            .where(
                import_jobs.c.job_id == job_id,
                import_jobs.c.status == JobStatus.CREATED.value,
                import_jobs.c.upload_expires >= now,
            )
            .values(upload_id=upload_id, upload_size=size)
        )
        if result.rowcount != 1:
            return False
        self._db.execute(
            delete(import_uploads).where(
                import_uploads.c.job_id == job_id, import_uploads.c.upload_id != upload_id
            )
        )
        return True

    def discard_upload(self, job_id: str, upload_id: str) -> None:
        self._db.execute(
            delete(import_uploads).where(
                import_uploads.c.job_id == job_id, import_uploads.c.upload_id == upload_id
            )
        )

    def chunk(self, job_id: str, upload_id: str, seq: int) -> bytes | None:
        row = self._db.execute(
            select(import_uploads.c.data).where(
                import_uploads.c.job_id == job_id,
                import_uploads.c.upload_id == upload_id,
                import_uploads.c.seq == seq,
            )
        ).first()
        return bytes(row.data) if row else None

    def _drop_uploads(self, job_id: str) -> None:
        self._db.execute(delete(import_uploads).where(import_uploads.c.job_id == job_id))

    # -- the log ---------------------------------------------------------------------------

    def add_log(self, job: ImportJob, rows: Sequence[RowResult]) -> None:
        if rows:
            self._db.execute(
                insert(import_job_log),
                [
                    {
                        "job_id": job.job_id,
                        "line": row.line,
                        "pool_id": job.pool_id,
                        "outcome": row.outcome.value,
                        "message": row.message,
                    }
                    for row in rows
                ],
            )

    def log(self, job_id: str, after_line: int, limit: int) -> list[RowResult]:
        query = (
            select(import_job_log)
            .where(and_(import_job_log.c.job_id == job_id, import_job_log.c.line > after_line))
            .order_by(import_job_log.c.line)
            .limit(limit)
        )
        return [
            RowResult(row.line, Outcome(row.outcome), row.message)
            for row in self._db.execute(query).all()
        ]
