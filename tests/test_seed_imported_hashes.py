"""An imported user who has not signed in yet holds their old system's password hash, not an
SRP verifier: `userpool export --include-secrets` writes it as `PasswordHash`, and the export
seeded into an emptied server signs them in with their old password (USER_PASSWORD_AUTH
through boto3), the first sign-in then replacing the hash by a verifier, as after an import.
A seed file's `PasswordHash` is checked as an import job checks the CSV's column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from tests.conftest import Server, make_client, server_on
from tests.import_support import import_pool, run_import
from tests.seed_support import in_process
from tests.signin_support import new_client, tokens_of, user_auth

pytestmark = pytest.mark.one_backend  # the same code exports from either backend

OLD_PASSWORD = "Their-0ld-Passw0rd!"
ACCESS_KEY, SECRET_KEY = "AKIDSEEDHASHES", "seed-hashes-secret"
SIGNING = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("seed-hashes")
    (base / "credentials").write_text(f"{ACCESS_KEY} {SECRET_KEY}\n")
    with server_on("sqlite", base / "data", "--credentials", str(base / "credentials")) as up:
        yield up


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


def run(server: Server, *args: str) -> Any:
    return in_process(*args, "--endpoint-url", server.url, env=SIGNING)


def test_an_imported_users_hash_goes_through_export_and_seed(
    server: Server, cognito: Any, tmp_path: Path
) -> None:
    pool_id = import_pool(cognito)
    client_id = new_client(cognito, pool_id)["ClientId"]
    hashed = bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(5)).decode()
    data = (
        f"cognito:username,email,email_verified,password_hash\nada,ada@example.com,true,{hashed}\n"
    )
    assert run_import(cognito, pool_id, data.encode(), "BCRYPT")["ImportedUsers"] == 1

    exported = run(server, "export", "--include-secrets")
    assert exported.returncode == 0, exported.stderr
    assert f"Hash: {hashed}" in exported.stdout and "Algorithm: BCRYPT" in exported.stdout
    without = run(server, "export")
    assert without.returncode == 0 and hashed not in without.stdout  # a secret

    (tmp_path / "empty.yaml").write_text("Pools: []\n")
    assert run(server, "seed", str(tmp_path / "empty.yaml"), "--prune").returncode == 0
    (tmp_path / "export.yaml").write_text(exported.stdout)
    applied = run(server, "seed", str(tmp_path / "export.yaml"))
    assert applied.returncode == 0, applied.stderr
    again = run(server, "export", "--include-secrets")
    assert again.stdout == exported.stdout  # the same user, hash and all

    assert tokens_of(user_auth(cognito, client_id, "ada", OLD_PASSWORD))["AccessToken"]
    after = run(server, "export", "--include-secrets").stdout
    assert hashed not in after and "PasswordVerifier:" in after  # replaced at the sign-in
    assert tokens_of(user_auth(cognito, client_id, "ada", OLD_PASSWORD))["AccessToken"]


def test_a_hash_the_import_would_refuse_is_refused_where_it_is_written(
    server: Server, tmp_path: Path
) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text(
        "Pools:\n"
        "  - Id: us-east-1_BadHashes1\n"
        "    PoolName: bad\n"
        "    Users:\n"
        "      - Username: bob\n"
        "        PasswordHash: {Algorithm: BCRYPT, Hash: not-a-bcrypt-hash}\n"
        "      - Username: eve\n"
        "        Password: Eve-chose-this-1!\n"
        "        PasswordHash: {Algorithm: MD5, Hash: x}\n"
    )
    refused = run(server, "seed", str(seed))
    assert refused.returncode != 0
    assert "bad.yaml:6: Pools[0].Users[0].PasswordHash.Hash: " in refused.stderr, refused.stderr
    assert "Pools[0].Users[1].PasswordHash" in refused.stderr, refused.stderr
    listed = make_client(
        server.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
    ).list_user_pools(MaxResults=60)["UserPools"]
    assert "us-east-1_BadHashes1" not in {pool["Id"] for pool in listed}  # nothing applied
