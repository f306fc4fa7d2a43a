"""Real clients against a server started with `--credentials`: what each one signs, and that
the server's rule (every `x-amz-*` header signed) lets all of them in.

Observed with these pinned versions: botocore (boto3 and the AWS CLI) signs every header but
User-Agent, X-Amzn-Trace-Id and the amz-sdk-* ones it adds after signing; the JS SDK v3 signs
X-Amz-User-Agent and X-Amz-Content-SHA256 too and leaves only User-Agent and X-Amzn-Trace-Id
out. Both add X-Amzn-Trace-Id, unsigned, inside AWS Lambda: these tests run them as if there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REGION, Server, make_client, start_server
from tests.test_node_clients import node_setup_problem, run_node

KEY, SECRET = "AKIDCLIENTS", "clients/secret+key"
TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "userpool-test", "_X_AMZN_TRACE_ID": TRACE_ID}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("sigv4-clients")
    credentials = data_dir / "credentials"
    credentials.write_text(f"{KEY} {SECRET}\n")
    running = start_server(data_dir, "--credentials", str(credentials))
    yield running
    running.stop()


def unsigned_x_amz(headers: list[str], signed: list[str]) -> list[str]:
    return [name for name in headers if name.startswith("x-amz-") and name not in signed]


def test_boto3_in_lambda_sends_an_unsigned_trace_id_and_passes(
    secured: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in IN_LAMBDA.items():
        monkeypatch.setenv(name, value)
    cognito = make_client(secured.url, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    sent: list[dict[str, str]] = []

    def record(request: Any, **_: Any) -> None:  # the prepared request: values are bytes
        headers = request.headers.items()
        sent.append({k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in headers})

    cognito.meta.events.register("before-send.cognito-idp", record)
    pool = cognito.create_user_pool(PoolName="boto3-lambda")["UserPool"]
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "boto3-lambda"
    for headers in sent:
        signed = headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
        assert headers["x-amzn-trace-id"] == TRACE_ID
        assert "x-amzn-trace-id" not in signed
        assert {"host", "x-amz-date", "x-amz-target"} <= set(signed)
        assert unsigned_x_amz(list(headers), signed) == []
    assert len(sent) == 2


def aws_cli(server: Server, *args: str, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        IN_LAMBDA,
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
    )
    command = [sys.executable, "-m", "awscli", "cognito-idp", *args, "--debug"]
    return subprocess.run(
        [*command, "--endpoint-url", server.url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def cli_sent(stderr: str) -> tuple[list[str], list[str]]:
    """(header names, SignedHeaders) of the request the CLI's --debug log shows it sending."""
    line = next(line for line in stderr.splitlines() if "Sending http request" in line)
    names = [name.lower() for name in re.findall(r"'([A-Za-z0-9-]+)': b?'", line)]
    signed = re.findall(r"SignedHeaders=([^,]+),", line)[0].split(";")
    return names, signed


@pytest.mark.timeout(120)
def test_aws_cli_in_lambda_passes_and_a_wrong_secret_does_not(secured: Server) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    created = aws_cli(secured, "create-user-pool", "--pool-name", name)
    assert created.returncode == 0, created.stderr[-2000:]
    assert json.loads(created.stdout)["UserPool"]["Name"] == name
    headers, signed = cli_sent(created.stderr)
    assert signed == ["content-type", "host", "x-amz-date", "x-amz-target"]
    assert "x-amzn-trace-id" in headers and "x-amzn-trace-id" not in signed
    assert unsigned_x_amz(headers, signed) == []

    refused = aws_cli(secured, "list-user-pools", "--max-results", "1", secret="wrong")
    assert refused.returncode != 0
    assert "(InvalidSignatureException)" in refused.stderr
    assert "The request signature we calculated does not match" in refused.stderr


@pytest.mark.timeout(120)
def test_js_sdk_v3_signs_its_x_amz_headers_and_passes(
    secured: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = node_setup_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Node clients unavailable: {problem}", pytrace=False)
        pytest.skip(f"Node clients unavailable: {problem}")
    for env_name, value in IN_LAMBDA.items():
        monkeypatch.setenv(env_name, value)  # the node process inherits the environment
    result = run_node(
        "sdk_v3_signed.mjs",
        endpoint=secured.url,
        region=REGION,
        access_key_id=KEY,
        secret_access_key=SECRET,
    )["result"]
    assert result["describedName"] == result["name"]
    assert result["listed"] is True
    assert result["afterDelete"]["name"] == "ResourceNotFoundException"
    assert result["wrongSecret"]["name"] == "InvalidSignatureException"
    assert result["wrongSecret"]["status"] == 403
    operations = [request["target"].rsplit(".", 1)[1] for request in result["sent"]]
    assert operations == [
        "CreateUserPool",
        "DescribeUserPool",
        "ListUserPools",
        "DeleteUserPool",
        "DescribeUserPool",
        "ListUserPools",
    ]
    for request in result["sent"]:
        headers, signed = request["headers"], request["signed"]
        assert {"x-amz-target", "x-amz-user-agent", "x-amz-date"} <= set(signed)
        assert "x-amzn-trace-id" in headers and "x-amzn-trace-id" not in signed
        assert "user-agent" not in signed
        assert unsigned_x_amz(headers, signed) == []
