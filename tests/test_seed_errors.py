"""Every kind of mistake in a seed file is refused with `FILE:LINE: FIELD: what is wrong`, and
the database is left as it was, whether the file is refused as it is read (an unknown field,
a wrong type, a bad id, a name declared twice, a group no one declares, a setting the API's
model refuses) or as it is applied (a setting or a password the operations refuse, a client id
another pool holds), after other parts of it were written: the transaction is rolled back.
`userpool seed --data-dir`, run in this process on a database seeded once; and `userpool serve
--seed` with such a file does not start."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import free_port
from tests.seed_support import POOL_ID, SEED, WEB_CLIENT, snapshot, userpool
from userpool.cli import main
from userpool.storage.database import sqlite_url

MARK = "  # <-"  # the line the mistake is on

# (name, the file (its mistake on the marked line), the field named, what is said of it)
CASES = [
    (
        "unknown field",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: seeded\n    Passwordpolicy: {{}}{MARK}\n",
        "Pools[0].Passwordpolicy",
        "unknown field 'Passwordpolicy'",
    ),
    (
        "wrong type",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: seeded\n    UserPoolTags: tests{MARK}\n",
        "Pools[0].UserPoolTags",
        "expected a mapping, got a string",
    ),
    (
        "a boolean that is not one",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Users:\n"
        f"      - Username: zed\n        Enabled: maybe{MARK}\n",
        "Pools[0].Users[0].Enabled",
        "expected true or false, got a string",
    ),
    (
        "a pool id without a Region",
        f"Pools:\n  - Id: local_Pool1{MARK}\n    PoolName: p\n",
        "Pools[0].Id",
        "not a user pool id",
    ),
    (
        "a pool id the model refuses",
        f"Pools:\n  - Id: us-east-1_Local-Pool{MARK}\n    PoolName: p\n",
        "Pools[0].Id",
        "must match the pattern",
    ),
    (
        "an unknown group",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Groups: [{{GroupName: admins}}]\n"
        f"    Users:\n      - Username: zed\n        Groups: [admins, writers]{MARK}\n",
        "Pools[0].Users[0].Groups[1]",
        "unknown group 'writers' (the pool declares: admins)",
    ),
    (
        "a duplicate username",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Users:\n      - Username: zed\n"
        f"      - Username: zed{MARK}\n",
        "Pools[0].Users[1].Username",
        "duplicate username 'zed' (first at line 5)",
    ),
    (
        "a field written twice",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    PoolName: q{MARK}\n",
        "Pools[0].PoolName",
        "PoolName is written twice",
    ),
    (
        "a required field missing",
        f"Pools:\n  - Id: {POOL_ID}{MARK}\n    UserPoolTags: {{a: b}}\n",
        "Pools[0].PoolName",
        "PoolName is required",
    ),
    (
        "a setting the model refuses",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Policies:\n      PasswordPolicy:\n"
        f"        MinimumLength: 5{MARK}\n",
        "Pools[0].Policies.PasswordPolicy.MinimumLength",
        "must be 6 or more",
    ),
    (
        "a password and a temporary one",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Users:\n      - Username: zed\n"
        f"        Password: Passw0rd!\n        TemporaryPassword: Passw0rd!{MARK}\n",
        "Pools[0].Users[0].TemporaryPassword",
        "give one of Password, TemporaryPassword, PasswordVerifier",
    ),
    (
        "not YAML",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p: q{MARK}\n",
        "(document)",
        "not valid YAML",
    ),
    (
        "a setting the operation refuses (after another pool was made)",
        "Pools:\n  - Id: us-east-1_Fresh1\n    PoolName: fresh\n  - Id: us-east-1_Fresh2\n"
        "    PoolName: both\n    AliasAttributes: [email]\n"
        f"    UsernameAttributes: [email]{MARK}\n",
        "Pools[1].UsernameAttributes",
        "InvalidParameterException: Only one of AliasAttributes or UsernameAttributes",
    ),
    (
        "a password the pool's policy refuses (after the pool was changed)",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: renamed\n    Users:\n      - Username: zed\n"
        f"        Password: short{MARK}\n",
        "Pools[0].Users[0].Password",
        "InvalidPasswordException: Password did not conform with policy",
    ),
    (
        "a setting Cognito never changes",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: seeded\n    UsernameAttributes: [email]{MARK}\n",
        "Pools[0].UsernameAttributes",
        "UsernameAttributes cannot change once the pool exists",
    ),
    (
        "a schema attribute changed",
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: seeded\n"
        f"    Schema: [{{Name: tier, AttributeDataType: Number}}]{MARK}\n",
        "Pools[0].Schema",
        "attribute custom:tier differs from the pool's",
    ),
    (
        "another pool's client id",
        "Pools:\n  - Id: us-east-1_Fresh3\n    PoolName: p\n    Clients:\n"
        f"      - ClientName: mine\n        ClientId: {WEB_CLIENT}{MARK}\n",
        "Pools[0].Clients[0].ClientId",
        f"client {WEB_CLIENT} is another pool's",
    ),
    (
        "an authenticator in a pool without them",
        "Pools:\n  - Id: us-east-1_Fresh4\n    PoolName: p\n    Users:\n      - Username: zed\n"
        f"        TotpSecret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP{MARK}\n",
        "Pools[0].Users[0].TotpSecret",
        "the pool does not offer authenticator apps",
    ),
]

JSON_CASES = [
    (
        "not JSON",
        '{\n\t"Pools": [\n\t\t{"Id": "us-east-1_X" "PoolName": "p"}\n\t]\n}\n',
        3,
        "(document)",
        "not valid JSON",
    ),
    (
        "a wrong type in JSON",
        '{\n\t"Pools": [\n\t\t{"Id": "us-east-1_X",\n\t\t "PoolName": 5}\n\t]\n}\n',
        4,
        "Pools[0].PoolName",
        "expected a string, got a number",
    ),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database the full seed file made."""
    base = tmp_path_factory.mktemp("seed-errors")
    (base / "seed.yaml").write_text(SEED)
    made = CliRunner().invoke(main, ["seed", str(base / "seed.yaml"), "--data-dir", str(base)])
    assert made.exit_code == 0, made.output
    return base


@pytest.mark.parametrize(
    ("text", "field", "said"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_mistake_is_named_by_line_and_field_and_nothing_changes(
    data_dir: Path, tmp_path: Path, text: str, field: str, said: str
) -> None:
    line = next(n for n, written in enumerate(text.splitlines(), 1) if written.endswith(MARK))
    _refused(data_dir, tmp_path / "bad.yaml", text, line, field, said)


@pytest.mark.parametrize(
    ("text", "line", "field", "said"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_a_mistake_in_json_is_named_by_line_too(
    data_dir: Path, tmp_path: Path, text: str, line: int, field: str, said: str
) -> None:
    _refused(data_dir, tmp_path / "bad.json", text, line, field, said)


def test_every_mistake_of_a_file_is_named_at_once(data_dir: Path, tmp_path: Path) -> None:
    text = (
        f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Polices: {{}}\n    Users:\n"
        "      - Username: zed\n        Enabled: maybe\n        Groups: [writers]\n"
    )
    file = tmp_path / "many.yaml"
    file.write_text(text)
    refused = CliRunner().invoke(main, ["seed", str(file), "--data-dir", str(data_dir)])
    assert refused.exit_code == 2
    assert f"{file}: 3 mistakes, nothing applied" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 4


def _refused(data_dir: Path, file: Path, text: str, line: int, field: str, said: str) -> None:
    before = snapshot(sqlite_url(data_dir))
    file.write_text(text)
    refused = CliRunner().invoke(main, ["seed", str(file), "--data-dir", str(data_dir)])
    assert refused.exit_code == 2, refused.output
    assert f"{file}:{line}: {field}: " in refused.stderr, refused.stderr
    assert said in refused.stderr, refused.stderr
    assert snapshot(sqlite_url(data_dir)) == before


def test_serve_refuses_to_start_with_a_file_that_has_a_mistake(tmp_path: Path) -> None:
    file = tmp_path / "seed.yaml"
    file.write_text(f"Pools:\n  - Id: {POOL_ID}\n    PoolName: p\n    Polices: {{}}\n")
    port = str(free_port())
    refused = userpool("serve", "--seed", str(file), "--data-dir", str(tmp_path), "--port", port)
    assert refused.returncode == 2
    assert f"{file}:4: Pools[0].Polices: unknown field 'Polices'" in refused.stderr
    assert "listening" not in refused.stdout + refused.stderr
