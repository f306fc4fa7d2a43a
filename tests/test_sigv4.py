"""SigV4 on a real server started with `--credentials`: boto3's own signatures, good and bad."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore import UNSIGNED, xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import REGION, Server, error_of, make_client, start_server

KEY, SECRET = "AKIDSIGV4TEST", "sigv4/test+secret"
TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("sigv4")
    credentials = data_dir / "credentials"
    credentials.write_text(f"# test keys\n{KEY} {SECRET}\nAKIDOTHER other-secret\n")
    running = start_server(data_dir, "--credentials", str(credentials))
    yield running
    running.stop()


def client(server: Server, **kwargs: Any) -> Any:
    kwargs.setdefault("aws_access_key_id", KEY)
    kwargs.setdefault("aws_secret_access_key", SECRET)
    return make_client(server.url, **kwargs)


def failure(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_the_right_key_passes(secured: Server) -> None:
    cognito = client(secured)
    pool = cognito.create_user_pool(PoolName="signed")["UserPool"]
    assert pool["Id"].startswith("us-east-1_")
    listed = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert pool["Id"] in [p["Id"] for p in listed]
    other = client(secured, aws_access_key_id="AKIDOTHER", aws_secret_access_key="other-secret")
    assert other.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "signed"


def test_an_unknown_access_key(secured: Server) -> None:
    cognito = client(secured, aws_access_key_id="AKIDNOBODY")
    code, message = failure(cognito.list_user_pools, MaxResults=1)
    assert code == "UnrecognizedClientException"
    assert message == "The security token included in the request is invalid."


def test_a_wrong_secret(secured: Server) -> None:
    code, message = failure(
        client(secured, aws_secret_access_key="wrong").list_user_pools, MaxResults=1
    )
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match")


def test_an_old_signature_has_expired(secured: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    signed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=20)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *_: signed_at)
    code, message = failure(client(secured).list_user_pools, MaxResults=1)
    assert code == "InvalidSignatureException"
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert message.startswith(f"Signature expired: {stamp} is now earlier than ")
    assert message.endswith(" - 15 min.)")


def test_another_region(secured: Server) -> None:
    code, message = failure(client(secured, region_name="eu-west-1").list_user_pools, MaxResults=1)
    assert code == "InvalidSignatureException"
    assert "'eu-west-1'" in message


def test_no_signature_on_an_iam_operation(secured: Server) -> None:
    unsigned = boto3.client(
        "cognito-idp",
        endpoint_url=secured.url,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    code, message = failure(unsigned.list_user_pools, MaxResults=1)
    assert code == "MissingAuthenticationTokenException"
    assert message == "Missing Authentication Token"
    raw = httpx.post(
        secured.url + "/",
        content=b'{"MaxResults": 1}',
        headers={"X-Amz-Target": TARGET + "ListUserPools"},
    )
    assert raw.status_code == 403
    assert raw.json()["__type"] == "MissingAuthenticationTokenException"


SIGNATURE_ERRORS = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nope"}),
        ("SignUp", {"ClientId": "nope", "Username": "someone", "Password": "Passw0rd!"}),
        ("ConfirmSignUp", {"ClientId": "nope", "Username": "someone", "ConfirmationCode": "1"}),
    ],
)
def test_unauthenticated_operations_need_no_signature(
    secured: Server, operation: str, body: dict[str, str]
) -> None:
    response = httpx.post(
        secured.url + "/",
        json=body,
        headers={
            "X-Amz-Target": TARGET + operation,
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert response.json()["__type"] not in SIGNATURE_ERRORS
    wrongly_signed = client(secured, aws_secret_access_key="wrong")
    method = getattr(wrongly_signed, xform_name(operation))
    with pytest.raises(ClientError) as excinfo:
        method(**body)
    assert error_of(excinfo)[0] not in SIGNATURE_ERRORS


# Requests signed by botocore's own SigV4 signer, then changed on the way, as an attacker who
# saw a signed request could: another operation, another body, one more header.

Headers = list[tuple[str, str]]
UNSIGNED_TARGET = "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization."


def signed_call(
    server: Server, operation: str, body: dict[str, Any], *, target: bool = True
) -> Headers:
    """The headers of a botocore-signed call; with `target=False`, X-Amz-Target is not signed."""
    request = AWSRequest(method="POST", url=server.url + "/", data=json.dumps(body).encode())
    request.headers["Content-Type"] = "application/x-amz-json-1.1"
    if target:
        request.headers["X-Amz-Target"] = TARGET + operation
    SigV4Auth(Credentials(KEY, SECRET), "cognito-idp", REGION).add_auth(request)
    headers = [(name, str(value)) for name, value in request.headers.items()]
    return headers if target else [*headers, ("X-Amz-Target", TARGET + operation)]


def send(server: Server, headers: Headers, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.url + "/", content=json.dumps(body).encode(), headers=headers)


def retarget(headers: Headers, operation: str) -> Headers:
    return [
        (name, TARGET + operation if name.lower() == "x-amz-target" else value)
        for name, value in headers
    ]


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert response.headers["x-amzn-ErrorType"] == body["__type"]
    return response.status_code, body["__type"], body.get("message", "")


@pytest.fixture
def pool(secured: Server) -> str:
    return str(client(secured).create_user_pool(PoolName="target")["UserPool"]["Id"])


def still_there(server: Server, pool_id: str) -> bool:
    described = client(server).describe_user_pool(UserPoolId=pool_id)
    return bool(described["UserPool"]["Id"] == pool_id)


def test_the_signed_request_itself_passes(secured: Server, pool: str) -> None:
    body = {"UserPoolId": pool}
    response = send(secured, signed_call(secured, "DescribeUserPool", body), body)
    assert response.status_code == 200
    assert response.json()["UserPool"]["Id"] == pool


def test_a_target_left_out_of_the_signature_is_refused(secured: Server, pool: str) -> None:
    body = {"UserPoolId": pool}
    headers = signed_call(secured, "DescribeUserPool", body, target=False)
    described = send(secured, headers, body)
    assert refusal(described) == (403, "InvalidSignatureException", UNSIGNED_TARGET)
    deleted = send(secured, retarget(headers, "DeleteUserPool"), body)
    assert refusal(deleted) == (403, "InvalidSignatureException", UNSIGNED_TARGET)
    assert still_there(secured, pool)


def test_a_changed_target_is_refused(secured: Server, pool: str) -> None:
    body = {"UserPoolId": pool}
    headers = retarget(signed_call(secured, "DescribeUserPool", body), "DeleteUserPool")
    status, kind, message = refusal(send(secured, headers, body))
    assert (status, kind) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match")
    assert still_there(secured, pool)


def test_a_changed_body_is_refused(secured: Server, pool: str) -> None:
    headers = signed_call(secured, "DeleteUserPool", {"UserPoolId": "us-east-1_decoy0000"})
    status, kind, message = refusal(send(secured, headers, {"UserPoolId": pool}))
    assert (status, kind) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match")
    assert still_there(secured, pool)


def test_an_x_amz_header_added_after_signing_is_refused(secured: Server, pool: str) -> None:
    body = {"UserPoolId": pool}
    headers = [*signed_call(secured, "DescribeUserPool", body), ("X-Amz-Security-Token", "t")]
    assert refusal(send(secured, headers, body)) == (
        403,
        "InvalidSignatureException",
        "'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_a_second_target_header_is_refused(secured: Server, pool: str) -> None:
    """Both copies reach the operation lookup, joined, as they reach the signature check."""
    body = {"UserPoolId": pool}
    headers = [
        *signed_call(secured, "DescribeUserPool", body),
        ("X-Amz-Target", TARGET + "DeleteUserPool"),
    ]
    status, kind, _ = refusal(send(secured, headers, body))
    assert (status, kind) == (400, "UnknownOperationException")
    assert still_there(secured, pool)


def test_a_signed_repeated_header_passes(secured: Server) -> None:
    """botocore signs every value of a repeated header, comma-joined; so must the server."""
    request = AWSRequest(method="POST", url=secured.url + "/", data=b'{"MaxResults": 1}')
    request.headers["X-Amz-Target"] = TARGET + "ListUserPools"
    request.headers["X-Custom"] = "first"
    request.headers["X-Custom"] = "second"  # HTTPHeaders appends: two X-Custom lines
    SigV4Auth(Credentials(KEY, SECRET), "cognito-idp", REGION).add_auth(request)
    headers = [(name, str(value)) for name, value in request.headers.items()]
    assert [value for name, value in headers if name == "X-Custom"] == ["first", "second"]
    response = httpx.post(secured.url + "/", content=b'{"MaxResults": 1}', headers=headers)
    assert response.status_code == 200, response.text
    swapped = [(n, {"first": "second", "second": "first"}.get(v, v)) for n, v in headers]
    response = httpx.post(secured.url + "/", content=b'{"MaxResults": 1}', headers=swapped)
    assert refusal(response)[:2] == (403, "InvalidSignatureException")
