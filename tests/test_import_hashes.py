"""Users imported with their old password hashes (issue 19, items 2 and 4), on both backends:
for each PasswordHashingAlgorithm, hashes made at test time by the libraries themselves
(bcrypt, argon2-cffi, hashlib's scrypt and PBKDF2), imported through a job; the user signs in
with the old password through a password flow (boto3), which turns the hash into an SRP
verifier, and then through SRP (pycognito) with the same password. Before that, SRP cannot
prove the password (the Developer Guide: use the password flows until the first sign-in).
Hashes past Cognito's bounds, or malformed, fail their rows; wrong passwords are counted by
the lockout; racing first sign-ins all pass and one verifier is kept."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import argon2
import bcrypt
import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import BACKENDS, Server, make_client, server_on, server_store
from tests.import_support import import_pool, run_import, usernames
from tests.signin_support import (
    WRONG_PASSWORD,
    admin_auth,
    failure,
    new_client,
    tokens_of,
    user_auth,
)
from userpool.domain.models import User

OLD_PASSWORD = "Their-0ld-Passw0rd!"
HEADER = "cognito:username,email,email_verified,password_hash"
FLOWS = (
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def escaped(value: str) -> str:
    """A CSV value as Cognito reads one: a comma in it (Argon2's m=..,t=..,p=..) as `\\,`."""
    return value.replace(",", "\\,")


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(10)).decode()


def scrypt_hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
    return f"16384$8$1${salt.hex()}${digest.hex()}"


def argon2id_hash(password: str) -> str:
    return argon2.PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1).hash(password)


def pbkdf2_hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)
    return f"$pbkdf2-sha256$100000${_b64(salt)}${_b64(digest)}"


# Per algorithm: a hash of it, one past Cognito's bounds (never derived: refused as read),
# and a malformed one.
HASHES: dict[str, tuple[Callable[[str], str], str, str]] = {
    "BCRYPT": (bcrypt_hash, "$2b$31$" + "a" * 53, "$2b$10$tooshort"),
    "SCRYPT": (scrypt_hash, "1048576$8$1$" + "ab" * 16 + "$" + "cd" * 32, "65536$8$1$xyz$00"),
    "ARGON2ID": (
        argon2id_hash,
        "$argon2id$v=19$m=4194304,t=2,p=1$" + _b64(b"s" * 16) + "$" + _b64(b"h" * 32),
        "$argon2i$v=19$m=19456,t=2,p=1$" + _b64(b"s" * 16) + "$" + _b64(b"h" * 32),
    ),
    "PBKDF2_SHA256": (
        pbkdf2_hash,
        "$pbkdf2-sha256$10000000$" + _b64(b"s" * 16) + "$" + _b64(b"h" * 32),
        "pbkdf2_sha256$1000$salt$hash",
    ),
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with server_on(request.param, tmp_path_factory.mktemp("import-hashes")) as running:
        yield running


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url)


def stored(server: Server, pool_id: str, username: str) -> User:
    with server_store(server) as store, store.read() as tx:
        user = tx.users.get(pool_id, username)
    assert user is not None
    return user


def srp_sign_in(cognito: Any, pool_id: str, client_id: str, username: str) -> dict[str, Any]:
    helper = AWSSRP(
        username=username,
        password=OLD_PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=cognito,
    )
    response: dict[str, Any] = helper.authenticate_user()
    return response


def first_sign_in(algorithm: str, cognito: Any, pool_id: str, client_id: str) -> dict[str, Any]:
    """Each algorithm's user signs in first through another password flow."""
    username = algorithm.lower()
    if algorithm == "SCRYPT":
        return admin_auth(cognito, pool_id, client_id, username, OLD_PASSWORD)
    if algorithm == "ARGON2ID":  # USER_AUTH with the PASSWORD factor
        response: dict[str, Any] = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_AUTH",
            AuthParameters={
                "USERNAME": username,
                "PREFERRED_CHALLENGE": "PASSWORD",
                "PASSWORD": OLD_PASSWORD,
            },
        )
        return response
    return user_auth(cognito, client_id, username, OLD_PASSWORD)


@pytest.mark.parametrize("algorithm", list(HASHES))
def test_old_passwords_sign_in_then_srp_takes_over(
    algorithm: str, cognito: Any, server: Server
) -> None:
    make, hostile, malformed = HASHES[algorithm]
    pool_id = import_pool(cognito)
    client_id = new_client(cognito, pool_id, FLOWS)["ClientId"]
    name = algorithm.lower()
    data = "\n".join(
        [
            HEADER,
            f"{name},{name}@example.com,true,{escaped(make(OLD_PASSWORD))}",
            f"hostile,hostile@example.com,true,{escaped(hostile)}",
            f"malformed,malformed@example.com,true,{escaped(malformed)}",
            "nohash,nohash@example.com,true,",
        ]
    )
    job = run_import(cognito, pool_id, data.encode(), algorithm)
    assert (job["Status"], job["PasswordHashingAlgorithm"]) == ("Succeeded", algorithm)
    assert (job["ImportedUsers"], job["FailedUsers"]) == (2, 2), job
    assert usernames(cognito, pool_id) == sorted([name, "nohash"])
    log = server.log.read_text()
    assert "[FAILED] Line Number 3 - The password hash's parameters are out of bounds" in log
    assert (
        f"[FAILED] Line Number 4 - The password hash is malformed: it does not match the "
        f"{algorithm} format." in log
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    nohash = cognito.admin_get_user(UserPoolId=pool_id, Username="nohash")
    assert nohash["UserStatus"] == "RESET_REQUIRED"
    # No verifier yet: an SRP proof of the right password cannot pass.
    code, message = failure(srp_sign_in, cognito, pool_id, client_id, name)
    assert (code, message) == ("NotAuthorizedException", WRONG_PASSWORD)
    assert tokens_of(first_sign_in(algorithm, cognito, pool_id, client_id))["AccessToken"]
    user = stored(server, pool_id, name)
    assert user.imported_hash is None and user.password is not None
    assert tokens_of(srp_sign_in(cognito, pool_id, client_id, name))["AccessToken"]
    assert tokens_of(user_auth(cognito, client_id, name, OLD_PASSWORD))["AccessToken"]


@pytest.fixture(scope="module")
def bcrypt_users(cognito: Any) -> tuple[str, str]:
    """A pool of users imported with bcrypt hashes of OLD_PASSWORD, and its client."""
    pool_id = import_pool(cognito)
    client_id = new_client(cognito, pool_id, FLOWS)["ClientId"]
    hashed = bcrypt_hash(OLD_PASSWORD)
    names = ("locked", "racer", "reset")
    data = "\n".join([HEADER, *(f"{n},{n}@example.com,true,{hashed}" for n in names)])
    assert run_import(cognito, pool_id, data.encode(), "BCRYPT")["ImportedUsers"] == 3
    return pool_id, client_id


def test_wrong_passwords_are_refused_and_counted(
    bcrypt_users: tuple[str, str], cognito: Any, server: Server
) -> None:
    pool_id, client_id = bcrypt_users
    for _ in range(5):
        assert failure(user_auth, cognito, client_id, "locked", "Not-The-Passw0rd") == (
            "NotAuthorizedException",
            WRONG_PASSWORD,
        )
    refused = failure(user_auth, cognito, client_id, "locked", OLD_PASSWORD)
    assert refused == ("NotAuthorizedException", "Password attempts exceeded")
    assert stored(server, pool_id, "locked").imported_hash is not None


def test_racing_first_sign_ins_all_pass_and_keep_one_verifier(
    bcrypt_users: tuple[str, str], cognito: Any, server: Server
) -> None:
    pool_id, client_id = bcrypt_users
    barrier = threading.Barrier(6)
    results: list[Any] = []

    def sign_in() -> None:
        barrier.wait()
        try:
            results.append(tokens_of(user_auth(cognito, client_id, "racer", OLD_PASSWORD)))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=sign_in) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, dict) for result in results), results
    user = stored(server, pool_id, "racer")
    assert user.imported_hash is None and user.password is not None
    assert tokens_of(srp_sign_in(cognito, pool_id, client_id, "racer"))["AccessToken"]


def test_a_password_set_before_the_first_sign_in_replaces_the_hash(
    bcrypt_users: tuple[str, str], cognito: Any, server: Server
) -> None:
    pool_id, client_id = bcrypt_users
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="reset", Password="Brand-New-Passw0rd", Permanent=True
    )
    assert stored(server, pool_id, "reset").imported_hash is None
    code, _ = failure(user_auth, cognito, client_id, "reset", OLD_PASSWORD)
    assert code == "NotAuthorizedException"
    assert tokens_of(user_auth(cognito, client_id, "reset", "Brand-New-Passw0rd"))["AccessToken"]


def test_a_job_with_an_algorithm_needs_the_password_hash_column(cognito: Any) -> None:
    pool_id = import_pool(cognito)
    job = run_import(
        cognito, pool_id, b"cognito:username,email,email_verified\na,a@example.com,true\n", "BCRYPT"
    )
    assert (job["Status"], job["ImportedUsers"]) == ("Failed", 0)
    assert job["CompletionMessage"] == (
        "The CSV file has no password_hash column, which the job's algorithm needs."
    )
    plain = run_import(
        cognito, pool_id, f"{HEADER}\nb,b@example.com,true,{bcrypt_hash('x')}\n".encode()
    )
    assert (plain["ImportedUsers"], plain["FailedUsers"]) == (0, 1)  # a hash without an algorithm
    assert usernames(cognito, pool_id) == []
