"""User import jobs from the client's side: a CSV file, its upload to the job's PreSignedUrl
with `requests` (as one uploads to S3), and boto3 to start the job and wait for its end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import requests

from tests.signin_support import new_pool, unique

ROLE_ARN = "arn:aws:iam::123456789012:role/CognitoImportLogs"
DONE = {"Succeeded", "Failed", "Stopped", "Expired"}
HEADER = "cognito:username,email,email_verified"


def import_pool(cognito: Any, **settings: Any) -> str:
    """A pool whose imported users need a verified email (its auto-verified attribute)."""
    return new_pool(cognito, AutoVerifiedAttributes=["email"], **settings)


def rows(*names: str, header: str = HEADER) -> bytes:
    """A CSV of users `names`, each with a verified email at example.com."""
    lines = [header] + [f"{name},{name}@example.com,true" for name in names]
    return ("\n".join(lines) + "\n").encode()


def create_job(cognito: Any, pool_id: str, algorithm: str | None = None) -> dict[str, Any]:
    extra = {"PasswordHashingAlgorithm": algorithm} if algorithm else {}
    response = cognito.create_user_import_job(
        UserPoolId=pool_id, JobName=unique("job"), CloudWatchLogsRoleArn=ROLE_ARN, **extra
    )
    job: dict[str, Any] = response["UserImportJob"]
    return job


def upload(url: str, data: bytes | Iterator[bytes], **headers: str) -> requests.Response:
    return requests.put(url, data=data, headers=headers, timeout=30)


def wait_done(cognito: Any, pool_id: str, job_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)[
            "UserImportJob"
        ]
        if job["Status"] in DONE or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def run_import(
    cognito: Any, pool_id: str, data: bytes, algorithm: str | None = None
) -> dict[str, Any]:
    """Create a job, upload `data`, start it and wait: the job as it ended."""
    job = create_job(cognito, pool_id, algorithm)
    assert upload(job["PreSignedUrl"], data).status_code == 200
    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert started["UserImportJob"]["Status"] == "Pending"
    return wait_done(cognito, pool_id, job["JobId"])


def usernames(cognito: Any, pool_id: str) -> list[str]:
    pages = cognito.get_paginator("list_users").paginate(UserPoolId=pool_id)
    return sorted(user["Username"] for page in pages for user in page["Users"])
