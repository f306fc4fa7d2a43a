"""GetCSVHeader, CreateUserImportJob, DescribeUserImportJob, ListUserImportJobs,
StartUserImportJob and StopUserImportJob.

A job is created with a PreSignedUrl served by this server (http/import_uploads.py), which
takes the CSV file with PUT as S3 would, for 15 minutes; StartUserImportJob hands a job with
its file to the runners (services/import_runner.py), one job at a time per server as Cognito
allows one per account. Its rows' outcomes are logged as Cognito logs them to CloudWatch
("[FAILED] Line Number 7 - ..."): in the server's log, and kept for `userpool import-log`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from typing import Any

import orjson

from userpool.accounts.attributes import auto_verified
from userpool.accounts.import_csv import csv_header
from userpool.accounts.resources import require_pool
from userpool.domain import import_jobs as jobs
from userpool.domain.errors import (
    InvalidParameterException,
    PreconditionNotMetException,
    ResourceNotFoundException,
)
from userpool.domain.import_jobs import ImportJob, JobStatus
from userpool.domain.models import UserPool
from userpool.services import import_runner
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

_ID_ALPHABET = string.ascii_letters + string.digits
# Refusals: Cognito's wording is not documented; these are ours.
NOT_FOUND = "Import job {} does not exist."
NOT_CREATED = "The import job is {}: only a Created job can be started."
NO_FILE = "No CSV file was uploaded to the import job's PreSignedUrl."
NO_AUTO_VERIFIED = "The user pool has no auto-verified attributes: the import job cannot start."
ANOTHER_ACTIVE = "Only one import job can be active at a time per account."
NOT_RUNNING = "The import job is {}: only a Pending or InProgress job can be stopped."
BAD_TOKEN = "Invalid pagination token."


def job_type(job: ImportJob, now: float) -> Response:
    """Cognito's UserImportJobType. A Created job past its day shows as Expired at once (the
    runners' sweep writes it so within a minute)."""
    status = job.status
    if status is JobStatus.CREATED and now > job.created + jobs.EXPIRES_AFTER_SECONDS:
        status = JobStatus.EXPIRED
    view: dict[str, Any] = {
        "JobName": job.name,
        "JobId": job.job_id,
        "UserPoolId": job.pool_id,
        "PreSignedUrl": job.presigned_url,
        "CreationDate": job.created,
        "Status": status.value,
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
    }
    optional = {
        "StartDate": job.started,
        "CompletionDate": job.completed,
        "CompletionMessage": job.message,
        "PasswordHashingAlgorithm": job.algorithm,
    }
    view.update({name: value for name, value in optional.items() if value is not None})
    return view


def _require_job(tx: Transaction, pool: UserPool, job_id: str) -> ImportJob:
    job = tx.import_jobs.get(job_id)
    if job is None or job.pool_id != pool.id:
        raise ResourceNotFoundException(NOT_FOUND.format(job_id))
    return job


def _described(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        job = _require_job(tx, pool, request["JobId"])
    return {"UserImportJob": job_type(job, ctx.clock())}


@operation("GetCSVHeader")
def get_csv_header(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": csv_header(pool)}


@operation("CreateUserImportJob")
def create_user_import_job(ctx: Context, request: Request) -> Response:
    now = ctx.clock()
    job_id = "import-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))
    token = secrets.token_hex(32)
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        job = ImportJob(
            job_id=job_id,
            pool_id=pool.id,
            name=request["JobName"],
            role_arn=request["CloudWatchLogsRoleArn"],
            algorithm=request.get("PasswordHashingAlgorithm"),
            status=JobStatus.CREATED,
            created=now,
            presigned_url=jobs.presigned_url(ctx.settings.public_url, job_id, token, now),
            upload_token=token,
            upload_expires=now + jobs.UPLOAD_SECONDS,
        )
        tx.import_jobs.add(job)
    return {"UserImportJob": job_type(job, now)}


@operation("DescribeUserImportJob")
def describe_user_import_job(ctx: Context, request: Request) -> Response:
    return _described(ctx, request)


def _token(job: ImportJob) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([job.created, job.job_id])).decode()


def _after(token: str | None) -> tuple[float, str] | None:
    if token is None:
        return None
    try:
        created, job_id = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return float(created), str(job_id)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidParameterException(BAD_TOKEN) from None


@operation("ListUserImportJobs")
def list_user_import_jobs(ctx: Context, request: Request) -> Response:
    """Newest first, as the Developer Guide shows them."""
    limit = int(request["MaxResults"])
    after = _after(request.get("PaginationToken"))
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        found = tx.import_jobs.of_pool(pool.id, limit + 1, after)
    now = ctx.clock()
    response: Response = {"UserImportJobs": [job_type(job, now) for job in found[:limit]]}
    if len(found) > limit:
        response["PaginationToken"] = _token(found[limit - 1])
    return response


@operation("StartUserImportJob")
def start_user_import_job(ctx: Context, request: Request) -> Response:
    now = ctx.clock()
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        job = _require_job(tx, pool, request["JobId"])
        expired = now > job.created + jobs.EXPIRES_AFTER_SECONDS
        if job.status is not JobStatus.CREATED or expired:
            shown = JobStatus.EXPIRED if expired else job.status
            raise PreconditionNotMetException(NOT_CREATED.format(shown.value))
        if job.upload_id is None:
            raise PreconditionNotMetException(NO_FILE)
        if not auto_verified(pool):
            raise PreconditionNotMetException(NO_AUTO_VERIFIED)
        started = tx.import_jobs.start(job.job_id, now)
        if started is None:
            raise PreconditionNotMetException(ANOTHER_ACTIVE)
        if not started:  # changed since it was read: as if read after
            raise PreconditionNotMetException(NOT_CREATED.format("no longer Created"))
    import_runner.wake()
    # As it was started: a runner may have taken it (InProgress) by the time it is read again.
    job.status, job.started = JobStatus.PENDING, now
    return {"UserImportJob": job_type(job, now)}


@operation("StopUserImportJob")
def stop_user_import_job(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        job = _require_job(tx, pool, request["JobId"])
        if not tx.import_jobs.stop(job.job_id, ctx.clock(), jobs.STOPPED_MESSAGE):
            raise PreconditionNotMetException(NOT_RUNNING.format(job.status.value))
    return _described(ctx, request)
