"""An import job survives its server (issue 19, item 1): the server is killed with SIGKILL in
the middle of a job and started again on the same database; the job goes on from its last
committed batch once its runner's lease lapses, and ends with every row imported once:
none skipped as "already exists", which a row imported twice would be. Both backends."""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, make_client, start_server
from tests.import_support import create_job, import_pool, rows, upload, wait_done
from tests.pg import fresh_database
from userpool.services.import_runner import BATCH_ROWS

ROWS = 20_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_killed_mid_way_resumes_and_imports_each_row_once(
    backend: str, tmp_path: Path
) -> None:
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    with ExitStack() as stack:
        args = ("--db", stack.enter_context(fresh_database())) if backend == "postgres" else ()
        first = start_server(tmp_path, *args)
        stack.callback(first.stop)
        cognito = make_client(first.url)
        pool_id = import_pool(cognito)
        job = create_job(cognito, pool_id)
        assert upload(job["PreSignedUrl"], rows(*(f"r{n:06}" for n in range(ROWS)))).ok
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
            if seen["UserImportJob"]["ImportedUsers"] >= BATCH_ROWS:
                break
            time.sleep(0.01)
        first.process.kill()  # SIGKILL: no lifespan shutdown, a batch maybe half written
        first.process.wait()
        assert BATCH_ROWS <= seen["UserImportJob"]["ImportedUsers"] < ROWS, seen
        assert seen["UserImportJob"]["Status"] == "InProgress"

        second = start_server(tmp_path, *args)
        stack.callback(second.stop)
        cognito = make_client(second.url)
        done = wait_done(cognito, pool_id, job["JobId"], seconds=120)
        assert done["Status"] == "Succeeded", done
        assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (ROWS, 0, 0)
        assert (
            cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"]
            == ROWS
        )
