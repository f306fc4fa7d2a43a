"""The AWS CLI (v1) against a running server: a pool, a client and users, JSON in and out.
Wire compatibility only, so on the pytest plugin's server (SQLite; README, "Use it in tests")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from userpool.testing import Pool


def aws(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDAWSCLI",
        AWS_SECRET_ACCESS_KEY="aws-cli-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
    )
    command = [sys.executable, "-m", "awscli", "cognito-idp", *args]
    result = subprocess.run(
        [*command, "--endpoint-url", url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def call(url: str, *args: str) -> Any:
    return json.loads(aws(url, *args).stdout)


@pytest.mark.timeout(300)
def test_pool_client_users_round_trip(userpool_endpoint: str) -> None:
    url = userpool_endpoint
    pool = call(url, "create-user-pool", "--pool-name", "aws-cli")["UserPool"]
    pool_id = pool["Id"]
    assert pool["Name"] == "aws-cli"

    client = call(
        url,
        "create-user-pool-client",
        "--user-pool-id",
        pool_id,
        "--client-name",
        "web",
        "--generate-secret",
        "--explicit-auth-flows",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    )["UserPoolClient"]
    assert client["UserPoolId"] == pool_id
    assert len(client["ClientId"]) == 26
    assert len(client["ClientSecret"]) == 51

    for name in ("carol", "alice", "bob"):
        created = call(
            url,
            "admin-create-user",
            "--user-pool-id",
            pool_id,
            "--username",
            name,
            "--user-attributes",
            f"Name=email,Value={name}@example.com",
            "Name=email_verified,Value=true",
            "--temporary-password",
            "Temp0rary!pass",
            "--message-action",
            "SUPPRESS",
        )["User"]
        assert created["Username"] == name
        assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    alice = call(url, "admin-get-user", "--user-pool-id", pool_id, "--username", "alice")
    assert alice["Username"] == "alice"
    assert alice["Enabled"] is True
    attributes = {a["Name"]: a["Value"] for a in alice["UserAttributes"]}
    assert attributes["email"] == "alice@example.com"
    assert attributes["email_verified"] == "true"
    assert len(attributes["sub"]) == 36

    # --page-size 1: the CLI follows PaginationToken across three pages by itself.
    listed = call(url, "list-users", "--user-pool-id", pool_id, "--page-size", "1")["Users"]
    assert sorted(u["Username"] for u in listed) == ["alice", "bob", "carol"]
    filtered = call(
        url, "list-users", "--user-pool-id", pool_id, "--filter", 'email = "bob@example.com"'
    )["Users"]
    assert [u["Username"] for u in filtered] == ["bob"]


def test_errors_reach_the_cli_in_aws_form(userpool_endpoint: str, userpool_pool: Pool) -> None:
    get = ("admin-get-user", "--user-pool-id", userpool_pool.id, "--username", "nobody")
    missing = aws(userpool_endpoint, *get, check=False)
    assert missing.returncode != 0
    assert (
        "An error occurred (UserNotFoundException) when calling the AdminGetUser operation: "
        "User does not exist." in missing.stderr
    )
