"""User import jobs (issue 19, items 1 and 4) through boto3 and `requests`, on both backends:
GetCSVHeader, a job's file PUT to its PreSignedUrl as to S3 (and S3's XML refusals), Start,
Describe, List with paging, Stop; rows imported, skipped and failed with Cognito's log lines;
files that cannot be read fail their job with nothing imported."""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on
from tests.import_support import (
    HEADER,
    create_job,
    import_pool,
    rows,
    run_import,
    upload,
    usernames,
    wait_done,
)
from tests.signin_support import PASSWORD, failure, new_client, new_pool

NO_AUTO_VERIFIED = (
    "[FAILED] Line Number 4 - The User Record does not set any of the auto verified attributes "
    "to true. (Example: email_verified to true)."
)


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("import-jobs")
    with server_on(request.param, data_dir, "--dev-endpoints") as running:
        yield running


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url)


def test_csv_header_lists_the_pools_attributes_in_cognitos_order(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, Schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}]
    )
    header = cognito.get_csv_header(UserPoolId=pool_id)
    assert header["UserPoolId"] == pool_id
    assert header["CSVHeader"][:3] == ["name", "given_name", "family_name"]
    assert "sub" not in header["CSVHeader"]
    assert header["CSVHeader"][-5:] == [
        "updated_at",
        "custom:tenant",
        "cognito:mfa_enabled",
        "cognito:username",
        "password_hash",
    ]
    code, message = failure(cognito.get_csv_header, UserPoolId="us-east-1_missing00")
    assert (code, message) == (
        "ResourceNotFoundException",
        "User pool us-east-1_missing00 does not exist.",
    )


def test_a_job_imports_its_rows_and_logs_those_it_fails(cognito: Any, server: Server) -> None:
    pool_id = import_pool(cognito)
    header = "cognito:username,name,email,email_verified,birthdate,updated_at"
    data = "\n".join(
        [
            header,
            "ana,Ana\\, Maria,ana@example.com,TRUE,02/01/1985,1471453471",
            "ben,  Ben  ,ben@example.com,true,,",
            "cy,Cy,cy@example.com,false,,",  # line 4: no verified auto-verified attribute
            "dee,Dee,dee@example.com",  # line 5: three values for six columns
            "",
            "eve,Eve,eve@example.com,true,13/45/1990,",  # line 7: no such date
            "fay,Fay,fay@example.com,true,,",
        ]
    ).encode()
    job = run_import(cognito, pool_id, data)
    assert job["Status"] == "Succeeded", job
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (3, 0, 3)
    assert job["CompletionMessage"] == "Import Job Completed Successfully."
    assert job["StartDate"] <= job["CompletionDate"]
    assert usernames(cognito, pool_id) == ["ana", "ben", "fay"]
    ana = cognito.admin_get_user(UserPoolId=pool_id, Username="ana")
    assert ana["UserStatus"] == "RESET_REQUIRED"
    values = {a["Name"]: a["Value"] for a in ana["UserAttributes"]}
    assert values["name"] == "Ana, Maria"
    assert values["birthdate"] == "1985-02-01"
    assert values["email_verified"] == "true"
    ben = cognito.admin_get_user(UserPoolId=pool_id, Username="ben")["UserAttributes"]
    assert {"Name": "name", "Value": "Ben"} in ben
    # Imported without a password: a sign-in asks for a reset, as on Cognito.
    client = new_client(cognito, pool_id)
    code, _ = failure(
        cognito.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ana", "PASSWORD": PASSWORD},
    )
    assert code == "PasswordResetRequiredException"
    # Cognito's CloudWatch lines: in the server's log as they happen, and by the CLI.
    prefix = f"{job['JobId']}/{job['JobName']} "
    log = server.log.read_text()
    assert prefix + NO_AUTO_VERIFIED in log
    assert (
        prefix
        + "[FAILED] Line Number 5 - The User Record has 3 values for the header's 6 (a comma in a "
        "value is written \\,)." in log
    )
    printed = subprocess.run(
        [sys.executable, "-m", "userpool", "import-log", job["JobId"], "--db", server.db_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert printed[0].startswith(f"{job['JobId']}/{job['JobName']} ({pool_id}): Succeeded;")
    assert printed[1:] == [
        NO_AUTO_VERIFIED,
        "[FAILED] Line Number 5 - The User Record has 3 values for the header's 6 (a comma in a "
        "value is written \\,).",
        "[FAILED] Line Number 7 - The birthdate must be in the format mm/dd/yyyy.",
    ]


def test_the_same_users_again_are_skipped_and_fail_the_job(cognito: Any) -> None:
    pool_id = import_pool(cognito)
    assert run_import(cognito, pool_id, rows("gil", "hal"))["ImportedUsers"] == 2
    again = run_import(cognito, pool_id, rows("gil", "hal", "gil"))
    assert again["Status"] == "Failed"
    assert (
        again["CompletionMessage"]
        == "Too many users have failed or been skipped during the import."
    )
    assert (again["ImportedUsers"], again["SkippedUsers"], again["FailedUsers"]) == (0, 3, 0)
    assert usernames(cognito, pool_id) == ["gil", "hal"]


def test_jobs_are_listed_newest_first_a_page_at_a_time(cognito: Any) -> None:
    pool_id = import_pool(cognito)
    made = [create_job(cognito, pool_id)["JobId"] for _ in range(3)]
    first = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2)
    assert [job["JobId"] for job in first["UserImportJobs"]] == made[:0:-1]
    second = cognito.list_user_import_jobs(
        UserPoolId=pool_id, MaxResults=2, PaginationToken=first["PaginationToken"]
    )
    assert [job["JobId"] for job in second["UserImportJobs"]] == made[:1]
    assert "PaginationToken" not in second
    assert {job["Status"] for job in first["UserImportJobs"]} == {"Created"}
    code, _ = failure(
        cognito.list_user_import_jobs, UserPoolId=pool_id, MaxResults=2, PaginationToken="nope"
    )
    assert code == "InvalidParameterException"


def test_a_stopped_job_keeps_the_batches_it_committed(cognito: Any) -> None:
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    assert upload(job["PreSignedUrl"], rows(*(f"u{n:05}" for n in range(30_000)))).ok
    code, _ = failure(cognito.stop_user_import_job, UserPoolId=pool_id, JobId=job["JobId"])
    assert code == "PreconditionNotMetException"  # Created: not running
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    stopping = cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert stopping["UserImportJob"]["Status"] in ("Stopped", "Stopping")
    done = wait_done(cognito, pool_id, job["JobId"])
    assert done["Status"] == "Stopped"
    assert done["CompletionMessage"] == "The Import Job was stopped by the developer."
    assert done["ImportedUsers"] < 30_000
    assert len(usernames(cognito, pool_id)) == done["ImportedUsers"]
    code, _ = failure(cognito.start_user_import_job, UserPoolId=pool_id, JobId=job["JobId"])
    assert code == "PreconditionNotMetException"


def test_a_new_upload_replaces_the_last_one(cognito: Any) -> None:
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    assert upload(job["PreSignedUrl"], rows("first")).ok
    assert upload(job["PreSignedUrl"], rows("second")).ok
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_done(cognito, pool_id, job["JobId"])["ImportedUsers"] == 1
    assert usernames(cognito, pool_id) == ["second"]
    refused = upload(job["PreSignedUrl"], rows("third"))  # the job has its file
    assert (refused.status_code, _code(refused)) == (403, "AccessDenied")


def _code(response: Any) -> str:
    text = str(response.text)
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0]


def test_the_upload_url_refuses_as_s3_does(cognito: Any, server: Server) -> None:
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    url = job["PreSignedUrl"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=900" in url
    forged = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    checks: list[tuple[Any, int, str]] = [
        (upload(forged, b"x"), 403, "SignatureDoesNotMatch"),
        (upload(url.split("?")[0], b"x"), 403, "AccessDenied"),
        (httpx.get(url), 403, "SignatureDoesNotMatch"),
        (upload(url, iter([b"cognito:username\n"])), 501, "NotImplemented"),  # chunked
        (upload(url, rows("a"), **{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}), 400, "BadDigest"),
    ]
    for response, status, code in checks:
        assert (response.status_code, _code(response)) == (status, code), response.text
        assert response.headers["content-type"].startswith("application/xml")
    # Over Cognito's 100 MB: refused on the declared length, before any of the body is read.
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("PUT", f"{parts.path}?{parts.query}")
    connection.putheader("Content-Length", str(100 * 1024 * 1024 + 1))
    connection.endheaders()
    too_large = connection.getresponse()
    body = too_large.read().decode()
    assert too_large.status == 400 and "<Code>EntityTooLarge</Code>" in body
    assert "<MaxSizeAllowed>104857600</MaxSizeAllowed>" in body
    connection.close()
    code, message = failure(cognito.start_user_import_job, UserPoolId=pool_id, JobId=job["JobId"])
    assert (code, message) == (
        "PreconditionNotMetException",
        "No CSV file was uploaded to the import job's PreSignedUrl.",
    )
    # 15 minutes on, by the server's clock, the URL has expired.
    httpx.post(f"{server.url}/_userpool/clock", json={"advance": 901}).raise_for_status()
    try:
        expired = upload(url, rows("late"))
    finally:
        httpx.delete(f"{server.url}/_userpool/clock").raise_for_status()
    assert (expired.status_code, _code(expired)) == (403, "AccessDenied")
    assert "<Message>Request has expired</Message>" in expired.text


def test_bad_requests_change_nothing(cognito: Any) -> None:
    no_auto = new_pool(cognito)
    job = create_job(cognito, no_auto)
    assert upload(job["PreSignedUrl"], rows("x")).ok
    code, _ = failure(cognito.start_user_import_job, UserPoolId=no_auto, JobId=job["JobId"])
    assert code == "PreconditionNotMetException"
    described = cognito.describe_user_import_job(UserPoolId=no_auto, JobId=job["JobId"])
    assert described["UserImportJob"]["Status"] == "Created"
    other = import_pool(cognito)
    code, _ = failure(cognito.describe_user_import_job, UserPoolId=other, JobId=job["JobId"])
    assert code == "ResourceNotFoundException"
    code, message = failure(
        cognito.create_user_import_job,
        UserPoolId=other,
        JobName="j",
        CloudWatchLogsRoleArn="role-name-but-not-an-arn",
    )
    assert code == "InvalidParameterException" and "cloudWatchLogsRoleArn" in message
    code, _ = failure(
        cognito.create_user_import_job,
        UserPoolId=other,
        JobName="j",
        CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/r",
        PasswordHashingAlgorithm="MD5",
    )
    assert code == "InvalidParameterException"
    assert cognito.list_user_import_jobs(UserPoolId=other, MaxResults=5)["UserImportJobs"] == []


UNREADABLE = "The CSV file could not be parsed: "
LATIN_1 = (HEADER + "\njosé,jose@example.com,true\n").encode("latin-1")
LATIN_1_AT = LATIN_1.index("é".encode("latin-1"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"cognito:username,email,email_verified,shoe_size\nx,x@example.com,true,9\n",
            "The CSV header names a column the user pool has not: shoe_size",
        ),
        (
            b"email,email_verified\nx@example.com,true\n",
            "The CSV header has no cognito:username column.",
        ),
        (
            (HEADER + "\nann,ann@example.com,true\n").encode("utf-16"),
            UNREADABLE + "it is not UTF-8 (byte 0 on line 1).",
        ),
        (
            (HEADER + "\nann,ann@example.com,true\n").encode("utf-16-le"),
            UNREADABLE + "line 1 holds a NUL character (UTF-16?).",
        ),
        (LATIN_1, UNREADABLE + f"it is not UTF-8 (byte {LATIN_1_AT} on line 2)."),
        (
            b"\xef\xbb\xbf" + rows("ann"),
            UNREADABLE + "it begins with a byte order mark (UTF-8 without one).",
        ),
        (
            rows("ann") + b"bob," + b"b" * 16_000 + b"@example.com,true\n",
            UNREADABLE + "line 3 is over 16,000 characters.",
        ),
        (b"", UNREADABLE + "it is empty."),
    ],
    ids=[
        "unknown-column",
        "no-username",
        "utf-16",
        "utf-16-no-bom",
        "latin-1",
        "bom",
        "long-line",
        "empty",
    ],
)
def test_a_file_that_cannot_be_read_fails_with_nothing_imported(
    cognito: Any, data: bytes, message: str
) -> None:
    pool_id = import_pool(cognito)
    job = run_import(cognito, pool_id, data)
    assert (job["Status"], job["CompletionMessage"]) == ("Failed", message)
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert usernames(cognito, pool_id) == []


def test_a_bad_byte_past_the_first_batch_still_imports_nothing(cognito: Any) -> None:
    """The whole file is read before its first row is imported (batches are 2,000 rows)."""
    pool_id = import_pool(cognito)
    good = rows(*(f"v{n:04}" for n in range(5_000)))
    job = run_import(cognito, pool_id, good + b"z\xff,z@example.com,true\n")
    assert job["Status"] == "Failed"
    assert job["CompletionMessage"].startswith(UNREADABLE + "it is not UTF-8")
    assert job["ImportedUsers"] == 0
    assert usernames(cognito, pool_id) == []


def test_a_job_not_started_within_a_day_is_expired(cognito: Any, server: Server) -> None:
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    assert upload(job["PreSignedUrl"], rows("late")).ok
    httpx.post(f"{server.url}/_userpool/clock", json={"advance": 86_401}).raise_for_status()
    try:
        described = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        refused = failure(cognito.start_user_import_job, UserPoolId=pool_id, JobId=job["JobId"])
    finally:
        httpx.delete(f"{server.url}/_userpool/clock").raise_for_status()
    assert described["UserImportJob"]["Status"] == "Expired"
    assert refused == (
        "PreconditionNotMetException",
        "The import job is Expired: only a Created job can be started.",
    )
    assert usernames(cognito, pool_id) == []
