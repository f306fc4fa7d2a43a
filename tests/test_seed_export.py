"""`userpool export` writes a server's state as a seed file that makes it again: what the API
made (a user's own password, an authenticator app enrolled through the API, a client with a
generated secret) included. The export is seeded into the emptied server (`Pools: []` with
--prune, through the endpoint): every id is back, each user signs in with the same password
(USER_PASSWORD_AUTH through boto3, USER_SRP_AUTH through pycognito) and the same
authenticator, the client's secret works in SECRET_HASH, and a second export is the same
file. Without --include-secrets there is no secret in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server, make_client, server_on
from tests.seed_support import POOL_ID, SEED, WEB_CLIENT, answer_totp, in_process, password_sign_in
from tests.signin_support import confirmed_user, secret_hash

pytestmark = pytest.mark.one_backend  # the same code exports from either backend

ERIN_PASSWORD = "Erin-chose-this-1!"
FRANK_PASSWORD = "Frank-chose-this-1!"


# The server takes signed admin requests only: `userpool seed/export --endpoint-url` sign
# with the AWS credentials of their environment, as the AWS CLI does.
ACCESS_KEY, SECRET_KEY = "AKIDSEEDTESTS", "seed-tests-secret"
SIGNING = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("seed-export")
    (base / "seed.yaml").write_text(SEED)
    (base / "credentials").write_text(f"{ACCESS_KEY} {SECRET_KEY}\n")
    args = ("--seed", str(base / "seed.yaml"), "--credentials", str(base / "credentials"))
    with server_on("sqlite", base / "data", *args) as running:
        yield running


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


def test_an_export_seeded_into_an_emptied_server_signs_everyone_in_again(
    server: Server, cognito: Any, tmp_path: Path
) -> None:
    confirmed_user(cognito, POOL_ID, "erin", ERIN_PASSWORD)
    totp_secret = _enrol_authenticator(cognito, "frank")
    made = cognito.create_user_pool_client(
        UserPoolId=POOL_ID,
        ClientName="generated",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    exported = _export(server, "--include-secrets")
    assert (
        exported.count("PasswordVerifier:") == 5
        and "ClientSecret: " + made["ClientSecret"] in exported
    )
    by_database = in_process("export", "--data-dir", str(server.data_dir), "--include-secrets")
    assert by_database.returncode == 0, by_database.stderr
    assert by_database.stdout == exported, by_database.stderr

    _seed(server, tmp_path / "empty.yaml", "Pools: []\n", "--prune")
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
    applied = _seed(server, tmp_path / "export.yaml", exported)
    assert "created 1 pool, 1 resource server, 3 clients, 2 groups, 5 users, 1 domain" in applied

    tokens = password_sign_in(cognito, "erin", ERIN_PASSWORD)["AuthenticationResult"]
    jwks = httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()
    # signed by the pool's new keys at once (none of the deleted pool's is cached)
    assert jwt.get_unverified_header(tokens["IdToken"])["kid"] in {k["kid"] for k in jwks["keys"]}
    srp = AWSSRP(
        username="erin",
        password=ERIN_PASSWORD,
        pool_id=POOL_ID,
        client_id=WEB_CLIENT,
        client=cognito,
    )
    assert "AccessToken" in srp.authenticate_user()["AuthenticationResult"]
    with_secret = cognito.initiate_auth(
        ClientId=made["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "erin",
            "PASSWORD": ERIN_PASSWORD,
            "SECRET_HASH": secret_hash(made["ClientSecret"], "erin", made["ClientId"]),
        },
    )
    assert "AuthenticationResult" in with_secret
    challenge = password_sign_in(cognito, "frank", FRANK_PASSWORD)
    assert "AuthenticationResult" in answer_totp(cognito, challenge, "frank", totp_secret)
    assert _export(server, "--include-secrets") == exported


def test_an_export_without_secrets_holds_none(server: Server) -> None:
    answer = in_process("export", "--endpoint-url", server.url, "--format", "json", env=SIGNING)
    assert answer.returncode == 0, answer.stderr
    document = json.loads(answer.stdout)
    [pool] = document["Pools"]
    assert pool["Id"] == POOL_ID
    for secret in ("PasswordVerifier", "ClientSecret", "TotpSecret"):
        assert secret not in answer.stdout
    assert [c.get("GenerateSecret") for c in pool["Clients"] if c["ClientName"] != "web"] == [
        True,
        True,
    ]


def test_a_request_not_signed_with_the_servers_credentials_is_refused(server: Server) -> None:
    wrong = {**SIGNING, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    refused = in_process("export", "--endpoint-url", server.url, env=wrong)
    assert refused.returncode == 2
    assert refused.stderr.startswith("userpool: InvalidSignatureException: "), refused.stderr


def _export(server: Server, *args: str) -> str:
    answer = in_process("export", "--endpoint-url", server.url, *args, env=SIGNING)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def _seed(server: Server, file: Path, text: str, *args: str) -> str:
    file.write_text(text)
    applied = in_process("seed", str(file), "--endpoint-url", server.url, *args, env=SIGNING)
    assert applied.returncode == 0, applied.stderr
    return applied.stdout


def _enrol_authenticator(cognito: Any, username: str) -> str:
    """An authenticator app enrolled through the API, as an app does it: its secret."""
    confirmed_user(cognito, POOL_ID, username, FRANK_PASSWORD)
    tokens = password_sign_in(cognito, username, FRANK_PASSWORD)["AuthenticationResult"]
    secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    code = pyotp.TOTP(secret).now()
    cognito.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=code)
    cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"],
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return str(secret)
