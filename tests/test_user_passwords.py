"""AdminSetUserPassword, AdminResetUserPassword and the password policy, through boto3;
and that a password is never stored, only its SRP verifier."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server, server_store
from tests.user_support import (
    PASSWORD,
    create_user,
    failure,
    get_attributes,
    new_pool,
    stored_user,
)
from userpool.crypto import srp
from userpool.storage.schema import metadata

REFUSAL = "Password did not conform with policy: "


def set_password(cognito: Any, pool_id: str, username: str, password: str, **extra: Any) -> Any:
    return cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, **extra
    )


def test_permanent_password_confirms_the_user(cognito: Any, server: Server, pool_id: str) -> None:
    create_user(cognito, pool_id, "alice")
    set_password(cognito, pool_id, "alice", "Perm4nent!pw", Permanent=True)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == (
        "CONFIRMED"
    )
    stored = stored_user(server, pool_id, "alice")
    assert stored.password is not None
    assert stored.password.temporary is False
    expected = srp.verifier(stored.password.salt, pool_id.split("_")[1], "alice", "Perm4nent!pw")
    assert int(stored.password.verifier, 16) == expected


def test_temporary_password_forces_a_change(cognito: Any, server: Server, pool_id: str) -> None:
    create_user(cognito, pool_id, "bob")
    set_password(cognito, pool_id, "bob", "Perm4nent!pw", Permanent=True)
    set_password(cognito, pool_id, "bob", "Temp0rary!pw", Permanent=False)
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    stored = stored_user(server, pool_id, "bob")
    assert stored.password is not None
    assert stored.password.temporary is True
    expected = srp.verifier(stored.password.salt, pool_id.split("_")[1], "bob", "Temp0rary!pw")
    assert int(stored.password.verifier, 16) == expected


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ab1!xyz", "Password not long enough"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("Abcdefgh!", "Password must have numeric characters"),
        ("Abcdefgh1", "Password must have symbol characters"),
    ],
)
def test_default_policy_violations(cognito: Any, pool_id: str, password: str, problem: str) -> None:
    create_user(cognito, pool_id, "carol")
    code, message = failure(
        cognito.admin_set_user_password,
        UserPoolId=pool_id,
        Username="carol",
        Password=password,
        Permanent=True,
    )
    assert (code, message) == ("InvalidPasswordException", REFUSAL + problem)
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.mark.parametrize("symbol", list("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"))
def test_each_cognito_symbol_counts(cognito: Any, pool_id: str, symbol: str) -> None:
    create_user(cognito, pool_id, "dave")
    set_password(cognito, pool_id, "dave", f"Abcdefg1{symbol}", Permanent=True)


def test_pool_policy_is_applied(cognito: Any) -> None:
    relaxed = {
        "MinimumLength": 12,
        "RequireUppercase": False,
        "RequireLowercase": True,
        "RequireNumbers": False,
        "RequireSymbols": False,
    }
    pool_id = new_pool(cognito, Policies={"PasswordPolicy": relaxed})
    create_user(cognito, pool_id, "erin", password="plainlowercase")
    code, message = failure(
        cognito.admin_set_user_password,
        UserPoolId=pool_id,
        Username="erin",
        Password="elevenchars",
        Permanent=True,
    )
    assert (code, message) == ("InvalidPasswordException", REFUSAL + "Password not long enough")
    set_password(cognito, pool_id, "erin", "twelvecharsx", Permanent=True)


def test_generated_password_follows_a_strict_policy(cognito: Any, server: Server) -> None:
    strict = {"MinimumLength": 40, "RequireSymbols": True, "RequireNumbers": True}
    pool_id = new_pool(cognito, Policies={"PasswordPolicy": strict})
    cognito.admin_create_user(UserPoolId=pool_id, Username="frank", MessageAction="SUPPRESS")
    stored = stored_user(server, pool_id, "frank")
    assert stored.password is not None
    assert stored.password.temporary is True


def everything_stored(server: Server) -> bytes:
    """On SQLite the database files' bytes (old pages and the WAL included); on PostgreSQL
    every row of every table, as text."""
    if server.db_url.startswith("sqlite"):
        files = [path for path in server.data_dir.iterdir() if path.name.startswith("userpool.db")]
        return b"".join(path.read_bytes() for path in files)
    with server_store(server) as store, store.engine.connect() as connection:
        tables = [connection.execute(table.select()).all() for table in metadata.sorted_tables]
    return "\n".join(str(value) for rows in tables for row in rows for value in row).encode()


def test_passwords_are_never_stored_in_plain_text(
    cognito: Any, server: Server, pool_id: str
) -> None:
    temporary, permanent = "Tmp-Marker-7a1q", "Perm-Marker-9z2w"
    create_user(cognito, pool_id, "gina", password=temporary)
    set_password(cognito, pool_id, "gina", permanent, Permanent=True)
    stored = stored_user(server, pool_id, "gina")
    assert stored.password is not None
    content = everything_stored(server)
    assert stored.password.verifier.encode() in content  # what is read does hold the user
    for password in (temporary, permanent):
        assert password.encode() not in content
        assert password.encode("utf-16-le") not in content


def test_reset_marks_the_password_for_reset(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "hank", email="hank@example.com", email_verified="true")
    set_password(cognito, pool_id, "hank", PASSWORD, Permanent=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="hank")
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="hank")
    assert got["UserStatus"] == "RESET_REQUIRED"
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="hank")


def test_reset_works_with_a_verified_phone(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "ivan", phone_number="+15555550100", phone_number_verified="true")
    set_password(cognito, pool_id, "ivan", PASSWORD, Permanent=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="ivan")
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="ivan")
    assert got["UserStatus"] == "RESET_REQUIRED"


def test_reset_needs_a_verified_email_or_phone(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "judy", email="judy@example.com")
    set_password(cognito, pool_id, "judy", PASSWORD, Permanent=True)
    code, message = failure(cognito.admin_reset_user_password, UserPoolId=pool_id, Username="judy")
    assert code == "InvalidParameterException"
    assert message == (
        "Cannot reset password for the user as there is no registered/verified email "
        "or phone_number"
    )
    assert get_attributes(cognito, pool_id, "judy")["email"] == "judy@example.com"
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="judy")
    assert got["UserStatus"] == "CONFIRMED"


def test_reset_refuses_a_user_without_a_permanent_password(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "kim", email="kim@example.com", email_verified="true")
    code, message = failure(cognito.admin_reset_user_password, UserPoolId=pool_id, Username="kim")
    assert (code, message) == (
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    )


def test_reset_refuses_a_disabled_user(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "lee", email="lee@example.com", email_verified="true")
    set_password(cognito, pool_id, "lee", PASSWORD, Permanent=True)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="lee")
    code, message = failure(cognito.admin_reset_user_password, UserPoolId=pool_id, Username="lee")
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")
