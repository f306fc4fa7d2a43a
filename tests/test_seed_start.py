"""`userpool serve --seed FILE` (USERPOOL_SEED on PostgreSQL) on both backends: the file's pool,
app clients, groups, users, domain and resource server exist with their fixed ids when the
server answers, and its users sign in (password, authenticator code, a fixed client secret in
SECRET_HASH); `userpool seed` of the same file again, through the server's endpoint or on its
database, writes nothing; a changed field is updated and nothing else; `--prune` deletes what
the file no longer declares; a file with a mistake changes nothing; nodes seeding one new
database at once apply the file once."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on
from tests.pg import fresh_database
from tests.seed_support import (
    ALICE_PASSWORD,
    BOB_TEMPORARY,
    POOL_ID,
    SEED,
    SERVICE_CLIENT,
    SERVICE_SECRET,
    TOTP_SECRET,
    WEB_CLIENT,
    answer_totp,
    in_process,
    password_sign_in,
    snapshot,
    userpool,
    where_args,
)


@dataclass
class Seeded:
    backend: str
    server: Server
    file: Path
    cognito: Any

    def seed(self, text: str, *args: str, through: str = "endpoint") -> Any:
        """`userpool seed` of `text` (as a file beside the first), through the server's
        endpoint or on its database."""
        file = self.file.with_name(f"seed-{abs(hash(text)) % 10**8}.yaml")
        file.write_text(text)
        if through == "endpoint":
            where = ["--endpoint-url", self.server.url]
        else:
            where = where_args(self.server.data_dir, self.server.db_url)
        return in_process("seed", str(file), *where, *args)


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    base = tmp_path_factory.mktemp(f"seed-{request.param}")
    file = base / "seed.yaml"
    file.write_text(SEED)
    # the flag on SQLite, the variable on PostgreSQL: both name the file
    args, env = (
        (("--seed", str(file)), None)
        if request.param == "sqlite"
        else ((), {"USERPOOL_SEED": str(file)})
    )
    with server_on(request.param, base / "data", *args, env=env) as server:
        yield Seeded(request.param, server, file, make_client(server.url))


def test_the_file_is_applied_before_the_server_answers(seeded: Seeded) -> None:
    cognito = seeded.cognito
    pool = cognito.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    assert pool["Name"] == "seeded" and pool["Domain"] == "seeded-pool"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert pool["UserPoolTags"] == {"team": "tests"}
    assert "custom:tier" in {entry["Name"] for entry in pool["SchemaAttributes"]}
    service = cognito.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=SERVICE_CLIENT)
    assert service["UserPoolClient"]["ClientSecret"] == SERVICE_SECRET
    web = cognito.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=WEB_CLIENT)
    assert "ClientSecret" not in web["UserPoolClient"]
    groups = cognito.list_groups(UserPoolId=POOL_ID)["Groups"]
    assert {(g["GroupName"], g.get("Precedence")) for g in groups} == {
        ("admins", 1),
        ("readers", None),
    }
    statuses = {
        user["Username"]: (user["UserStatus"], user["Enabled"])
        for user in cognito.list_users(UserPoolId=POOL_ID)["Users"]
    }
    assert statuses == {
        "alice": ("CONFIRMED", True),
        "bob": ("FORCE_CHANGE_PASSWORD", True),
        "carol": ("UNCONFIRMED", False),
    }
    alice = cognito.admin_get_user(UserPoolId=POOL_ID, Username="alice")
    assert alice["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert {"Name": "custom:tier", "Value": "gold"} in alice["UserAttributes"]
    server = cognito.describe_resource_server(UserPoolId=POOL_ID, Identifier="api")
    assert server["ResourceServer"]["Scopes"] == [
        {"ScopeName": "read", "ScopeDescription": "Read things"}
    ]
    domain = cognito.describe_user_pool_domain(Domain="seeded-pool")["DomainDescription"]
    assert domain["UserPoolId"] == POOL_ID and domain["ManagedLoginVersion"] == 2


def test_seeded_users_sign_in(seeded: Seeded) -> None:
    cognito = seeded.cognito
    challenge = password_sign_in(cognito, "alice", ALICE_PASSWORD)
    tokens = answer_totp(cognito, challenge, "alice", TOTP_SECRET)["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["admins", "readers"]
    assert claims["iss"].endswith(f"/{POOL_ID}") and claims["aud"] == WEB_CLIENT
    # the fixed secret works in SECRET_HASH: bob's temporary password is taken
    answered = password_sign_in(cognito, "bob", BOB_TEMPORARY, secret=True)
    assert answered["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_applying_the_file_again_writes_nothing(seeded: Seeded) -> None:
    before = snapshot(seeded.server.db_url)
    for through in ("endpoint", "database"):
        applied = seeded.seed(SEED, through=through)
        assert applied.returncode == 0, applied.stderr
        assert re.search(
            r": unchanged 1 pool, 1 resource server, 2 clients, 2 groups, 3 users, 1 domain$",
            applied.stdout.strip(),
        ), applied.stdout
    assert snapshot(seeded.server.db_url) == before


def test_a_changed_field_is_updated_and_nothing_else(seeded: Seeded) -> None:
    cognito = seeded.cognito
    dates = {
        "pool": cognito.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]["LastModifiedDate"],
        "web": _client(cognito, WEB_CLIENT)["LastModifiedDate"],
        "service": _client(cognito, SERVICE_CLIENT)["LastModifiedDate"],
    }
    changed = SEED.replace("Precedence: 1", "Precedence: 5").replace(
        "ClientName: service", "ClientName: service\n        AccessTokenValidity: 2"
    )
    applied = seeded.seed(changed, through="database")
    assert applied.returncode == 0, applied.stderr
    assert "updated 1 client, 1 group;" in applied.stdout, applied.stdout
    admins = cognito.get_group(UserPoolId=POOL_ID, GroupName="admins")["Group"]
    assert admins["Precedence"] == 5 and admins["Description"] == "Administrators"
    service = _client(cognito, SERVICE_CLIENT)
    assert service["AccessTokenValidity"] == 2 and service["ClientSecret"] == SERVICE_SECRET
    assert service["LastModifiedDate"] > dates["service"]
    assert _client(cognito, WEB_CLIENT)["LastModifiedDate"] == dates["web"]
    pool = cognito.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    assert pool["LastModifiedDate"] == dates["pool"]
    back = seeded.seed(SEED)  # and back, through the endpoint
    assert "updated 1 client, 1 group;" in back.stdout, back.stdout + back.stderr


def test_prune_deletes_what_the_file_does_not_declare(seeded: Seeded) -> None:
    cognito = seeded.cognito
    extra = cognito.create_user_pool_client(UserPoolId=POOL_ID, ClientName="extra")
    cognito.admin_create_user(UserPoolId=POOL_ID, Username="dave", MessageAction="SUPPRESS")
    other = cognito.create_user_pool(PoolName="not-in-the-file")["UserPool"]["Id"]
    kept = seeded.seed(SEED)  # without --prune: nothing undeclared is deleted
    assert "deleted" not in kept.stdout, kept.stdout
    pruned = seeded.seed(SEED, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "deleted 1 pool, 1 client, 1 user;" in pruned.stdout, pruned.stdout
    ids = [
        c["ClientId"]
        for c in cognito.list_user_pool_clients(UserPoolId=POOL_ID, MaxResults=60)[
            "UserPoolClients"
        ]
    ]
    assert sorted(ids) == sorted([WEB_CLIENT, SERVICE_CLIENT])
    assert extra["UserPoolClient"]["ClientId"] not in ids
    names = {u["Username"] for u in cognito.list_users(UserPoolId=POOL_ID)["Users"]}
    assert names == {"alice", "bob", "carol"}
    pools = {p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}
    assert other not in pools and POOL_ID in pools


def test_a_file_with_a_mistake_changes_nothing(seeded: Seeded) -> None:
    before = snapshot(seeded.server.db_url)
    wrong = SEED.replace("Precedence: 1", "Precedence: 7").replace(
        "Groups: [admins, readers]", "Groups: [admins, writers]"
    )
    refused = seeded.seed(wrong)
    assert refused.returncode == 2
    line = wrong.splitlines().index("        Groups: [admins, writers]") + 1
    assert f".yaml:{line}: Pools[0].Users[0].Groups[1]: unknown group 'writers'" in refused.stderr
    # refused as the file is applied (the password policy), after the group's change
    short = SEED.replace("Precedence: 1", "Precedence: 7").replace('"Carol-Passw0rd!"', '"short"')
    refused = seeded.seed(short, through="database")
    assert refused.returncode == 2
    assert (
        "Pools[0].Users[2].Password: InvalidPasswordException: Password did not conform"
        in refused.stderr
    )
    assert snapshot(seeded.server.db_url) == before


def _client(cognito: Any, client_id: str) -> Any:
    return cognito.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=client_id)[
        "UserPoolClient"
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_nodes_seeding_one_new_database_at_once_apply_the_file_once(
    backend: str, tmp_path: Path
) -> None:
    """Two `userpool seed` processes on one new database at once, as nodes started together
    with --seed do: one creates everything, the other finds it made (the advisory lock on
    PostgreSQL, the writer's lock on SQLite)."""
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != backend:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    file = tmp_path / "seed.yaml"
    file.write_text(SEED)
    with ExitStack() as stack:
        args = ["--data-dir", str(tmp_path / "data")]
        env = {"USERPOOL_SECRET_KEY": "shared-by-the-nodes"}
        if backend == "postgres":
            args += ["--db", stack.enter_context(fresh_database())]
        with ThreadPoolExecutor(2) as pool:
            runs = list(pool.map(lambda _: userpool("seed", str(file), *args, env=env), range(2)))
    assert [run.returncode for run in runs] == [0, 0], [run.stderr for run in runs]
    outcomes = sorted(run.stdout.split(": ", 1)[1].split(" ", 1)[0] for run in runs)
    assert outcomes == ["created", "unchanged"], [run.stdout for run in runs]
