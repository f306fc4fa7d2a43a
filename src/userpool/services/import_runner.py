"""The import runner: the background worker that runs started user import jobs.

Every server process runs one (a thread, from the app's lifespan). It looks for a job that no
runner holds (Pending, or running under a lease that lapsed: its runner died), takes it with
a conditional UPDATE that only one runner can win (storage/sql_import_jobs.py), and imports
its file in batches. A batch is one write transaction: its users, its rows' log lines, the
job's counts and the offset of the next row, and the renewal of the lease, all committed or
none. So a job whose node dies goes on from its last committed batch once the lease lapses,
on any node, and no row is imported twice. The first run of a job checks the whole file
first (accounts/import_file.py): a file that cannot be read fails with nothing imported.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

from userpool.accounts.import_csv import RowReader, RowRefused, read_header
from userpool.accounts.import_file import FileCheck
from userpool.domain import import_jobs as jobs
from userpool.domain.import_jobs import ImportJob, JobStatus, Outcome, Progress, RowResult
from userpool.domain.models import User, UserPool
from userpool.services.import_batches import insert_batch
from userpool.storage.repositories import Store

log = logging.getLogger("userpool.import")

LEASE_SECONDS = 10.0  # a runner that has not renewed its claim for this long is taken over
POLL_SECONDS = 1.0
SWEEP_SECONDS = 60.0
# Rows per batch, one write transaction each. SQLite has one writer: a batch of 5,000 holds
# it up to ~1 s near a million users (docs/performance.md), which sign-ins' writes wait
# behind; batches of 2,000 wrote a third more per user, the same index pages more often.
BATCH_ROWS = 5000
_WAKE = threading.Event()


def wake() -> None:
    """A job was started in this process: look now rather than at the next poll."""
    _WAKE.set()


class _Lost(Exception):
    """The job is no longer this runner's (taken over, stopped, or its pool deleted)."""


class ImportRunner:
    """`clock`: the server's time (dates of jobs and users); leases use the real time."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._halt = threading.Event()
        self._swept = 0.0

    def run_forever(self) -> None:
        while not self._halt.is_set():
            try:
                worked = self.run_once()
            except Exception:  # keep running; the job's lease lets another runner retry
                log.exception("the import runner failed")
                worked = False
            if not worked:
                _WAKE.wait(POLL_SECONDS)
                _WAKE.clear()

    def halt(self) -> None:
        self._halt.set()
        _WAKE.set()

    def run_once(self) -> bool:
        """Sweep expired jobs when due, then run one job if there is one to take."""
        # Looks are reads; a write only when there is something to change (on SQLite a write
        # holds the database, and every process of every node looks every second).
        if time.monotonic() - self._swept > SWEEP_SECONDS:
            self._swept = time.monotonic()
            now = self._clock()
            before = now - jobs.EXPIRES_AFTER_SECONDS
            with self._store.read() as tx:
                stale = tx.import_jobs.has_stale(before)
            if stale:
                with self._store.write() as tx:
                    tx.import_jobs.expire(before, now, jobs.EXPIRED_MESSAGE)
        with self._store.read() as tx:
            job = tx.import_jobs.claimable(time.time())
        if job is None:
            return False
        claim = uuid.uuid4().hex
        with self._store.write() as tx:  # of several runners, the claim lets one through
            if not tx.import_jobs.claim(job, claim, time.time() + LEASE_SECONDS):
                return False
            pool = tx.pools.get(job.pool_id)
        try:
            try:
                self._run(job, pool, claim)
            except _Stopped:
                self._finish(job, claim, JobStatus.STOPPED, jobs.STOPPED_MESSAGE)
        except _Lost:
            log.info("import job %s is no longer this runner's", job.job_id)
        return True

    def _run(self, job: ImportJob, pool: UserPool | None, claim: str) -> None:
        if pool is None:
            return self._finish(job, claim, JobStatus.FAILED, jobs.POOL_GONE_MESSAGE)
        if job.status is JobStatus.STOPPING:
            return self._finish(job, claim, JobStatus.STOPPED, jobs.STOPPED_MESSAGE)
        if job.next_offset == 0:
            problem = self._file_problem(job)
            if problem is not None:
                return self._finish(job, claim, JobStatus.FAILED, problem)
        header = next(self._lines(job, 0), None)
        assert header is not None  # the file was found not empty
        try:
            columns = read_header(pool, header[1].decode().rstrip("\r"), job.algorithm)
            rows = RowReader(pool, columns, job.algorithm)
        except ValueError as error:
            return self._finish(job, claim, JobStatus.FAILED, str(error))
        start, line = (job.next_offset, job.next_line) if job.next_offset else (header[2], 2)
        batch: list[tuple[int, bytes]] = []
        for _, raw, end in self._lines(job, start):
            batch.append((line, raw))
            line += 1
            if len(batch) >= BATCH_ROWS:
                self._commit(job, rows, batch, Progress(end, line, 0, 0, 0), claim)
                batch = []
        end = max(start, job.upload_size)
        self._commit(job, rows, batch, Progress(end, line, 0, 0, 0), claim)
        with self._store.read() as tx:
            done = tx.import_jobs.get(job.job_id)
        if done is None:
            raise _Lost
        failed = done.imported == 0 and done.failed + done.skipped > 0
        status = JobStatus.FAILED if failed else JobStatus.SUCCEEDED
        message = jobs.TOO_MANY_FAILED if failed else jobs.SUCCEEDED_MESSAGE
        self._finish(job, claim, status, message)

    def _file_problem(self, job: ImportJob) -> str | None:
        check = FileCheck()
        for data in self._chunks(job, 0):
            check.feed(data)
            if check.problem is not None:
                break
        return check.finish()

    def _chunks(self, job: ImportJob, seq: int) -> Iterator[bytes]:
        assert job.upload_id is not None
        while True:
            with self._store.read() as tx:
                data = tx.import_jobs.chunk(job.job_id, job.upload_id, seq)
            if data is None:
                return
            yield data
            seq += 1

    def _lines(self, job: ImportJob, offset: int) -> Iterator[tuple[int, bytes, int]]:
        """(start, the line without its newline, the offset after it) from `offset` on."""
        seq, skip = divmod(offset, jobs.UPLOAD_CHUNK_BYTES)
        buffer, base = b"", offset  # `base`: the file offset of buffer[0]
        for data in self._chunks(job, seq):
            buffer = buffer + (data[skip:] if skip else data)
            skip, start = 0, 0
            while (newline := buffer.find(b"\n", start)) >= 0:
                yield base + start, buffer[start:newline], base + newline + 1
                start = newline + 1
            buffer, base = buffer[start:], base + start
        if buffer:
            yield base, buffer, base + len(buffer)

    def _commit(
        self,
        job: ImportJob,
        rows: RowReader,
        batch: list[tuple[int, bytes]],
        progress: Progress,
        claim: str,
    ) -> None:
        now = self._clock()
        refused: list[RowResult] = []
        users: list[tuple[int, User]] = []
        for line, raw in batch:
            text = raw.decode().rstrip("\r")
            if not text.strip():
                continue
            try:
                users.append((line, rows.user(text, now)))
            except RowRefused as refusal:
                refused.append(RowResult(line, Outcome.FAILED, str(refusal)))
        with self._store.write() as tx:
            imported, results = insert_batch(tx, rows.pool, users)
            results = sorted(results + refused, key=lambda result: result.line)
            skipped = sum(result.outcome is Outcome.SKIPPED for result in results)
            counted = Progress(
                progress.next_offset,
                progress.next_line,
                len(imported),
                skipped,
                len(results) - skipped,
            )
            if not tx.import_jobs.advance(job.job_id, claim, counted, time.time() + LEASE_SECONDS):
                raise _Stopped if self._stopping(tx, job, claim) else _Lost
            tx.import_jobs.add_log(job, results)
        for result in results:
            log.warning("%s/%s %s", job.job_id, job.name, result.log_line())
        for line in imported:
            log.debug(
                "%s/%s [SUCCEEDED] Line Number %d - %s",
                job.job_id,
                job.name,
                line,
                jobs.IMPORTED_MESSAGE,
            )

    def _stopping(self, tx: Any, job: ImportJob, claim: str) -> bool:
        found = tx.import_jobs.get(job.job_id)
        return found is not None and found.runner == claim and found.status is JobStatus.STOPPING

    def _finish(self, job: ImportJob, claim: str, status: JobStatus, message: str) -> None:
        with self._store.write() as tx:
            if not tx.import_jobs.finish(job.job_id, claim, status, message[:128], self._clock()):
                raise _Lost
        log.info("%s/%s %s: %s", job.job_id, job.name, status.value, message)


class _Stopped(Exception):
    """StopUserImportJob asked this job to stop: the batch under way is not kept."""


def lifespan(store: Store, clock: Callable[[], float]) -> Any:
    """A Starlette lifespan running this process's import runner in a thread of its own."""
    runner = ImportRunner(store, clock)

    @asynccontextmanager
    async def running(_app: Any) -> Any:
        thread = threading.Thread(target=runner.run_forever, name="import-runner", daemon=True)
        thread.start()
        try:
            yield
        finally:
            runner.halt()

    return running
