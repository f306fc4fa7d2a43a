"""User import jobs (CreateUserImportJob ... StopUserImportJob): a job's record, its states,
and Cognito's limits on the CSV file it imports. No I/O.

A job goes Created -> Pending (StartUserImportJob) -> InProgress (a node claimed it) ->
Succeeded or Failed; StopUserImportJob takes a Pending job to Stopped, an InProgress one to
Stopping and then, at its runner's next batch, to Stopped. A Created job not started within
a day is Expired. What the runner has done is kept with the job: the byte offset and line
number of the next row, and the counts, written in the same transaction as the batch of
users they count (services/import_runner.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode


class JobStatus(StrEnum):
    CREATED = "Created"
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    EXPIRED = "Expired"


# A runner works on these; the others are waiting (Created) or done.
RUNNING = (JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.STOPPING)
DONE = (JobStatus.STOPPED, JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.EXPIRED)

HASHING_ALGORITHMS = ("BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256")

# The Developer Guide, "Formatting the CSV file" and "Creating a user import job".
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROW_CHARACTERS = 16_000
MAX_ROWS = 500_000
UPLOAD_SECONDS = 15 * 60  # the PreSignedUrl's life
EXPIRES_AFTER_SECONDS = 24 * 3600  # a Created job not started by then is Expired
UPLOAD_CHUNK_BYTES = 1024 * 1024  # an uploaded file is kept in pieces of this size
UPLOAD_PATH = "/_userpool/uploads"  # + /{job_id}: where the PreSignedUrl points


def presigned_url(base_url: str, job_id: str, token: str, now: float) -> str:
    """A job's upload URL, shaped like S3's presigned ones. Only X-Amz-Signature (the job's
    random token) is checked; the expiry is the job's, whatever the query says."""
    stamp = datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    query = urlencode(
        {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": stamp,
            "X-Amz-Expires": str(UPLOAD_SECONDS),
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": token,
        }
    )
    return f"{base_url}{UPLOAD_PATH}/{job_id}?{query}"


# Completion messages; the first two are the Developer Guide's examples.
STOPPED_MESSAGE = "The Import Job was stopped by the developer."
TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
SUCCEEDED_MESSAGE = "Import Job Completed Successfully."
EXPIRED_MESSAGE = "The Import Job expired: it was not started within 24 hours."
POOL_GONE_MESSAGE = "The user pool has been deleted."


class Outcome(StrEnum):
    """What became of one row, as the job's log says it ([SUCCEEDED] Line Number 5 - ...)."""

    SUCCEEDED = "SUCCEEDED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


IMPORTED_MESSAGE = "The import succeeded."
EXISTS_MESSAGE = "The user already exists."


@dataclass(frozen=True)
class RowResult:
    """A row that was not imported (skipped or failed): its line number and why."""

    line: int
    outcome: Outcome
    message: str

    def log_line(self) -> str:
        return f"[{self.outcome.value}] Line Number {self.line} - {self.message}"


@dataclass
class ImportJob:
    job_id: str
    pool_id: str
    name: str
    role_arn: str
    algorithm: str | None
    status: JobStatus
    created: float
    presigned_url: str
    upload_token: str  # the URL's X-Amz-Signature: who presents it may upload the file
    upload_expires: float
    upload_id: str | None = None  # the upload that completed last (None: no file yet)
    upload_size: int = 0
    started: float | None = None
    completed: float | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    message: str | None = None
    next_offset: int = 0  # the byte offset of the next row to import (0: header unread)
    next_line: int = 1  # its line number (the header is line 1)
    runner: str | None = None  # the claim of the runner working on it
    lease_until: float | None = None  # when that claim lapses unless renewed

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True)
class Progress:
    """One batch's move: where the next row starts, and what the batch counted."""

    next_offset: int
    next_line: int
    imported: int
    skipped: int
    failed: int
