"""AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminDisableUser/EnableUser and
AdminConfirmSignUp through boto3 against a running server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Server, server_store
from tests.user_support import (
    PASSWORD,
    attributes_of,
    create_user,
    failure,
    insert_user,
    stored_user,
)
from userpool.crypto import srp
from userpool.domain.models import Group, UserStatus

UNKNOWN_POOL = "us-east-1_Nowhere00"

# Every user operation with the arguments it needs besides UserPoolId and Username.
USER_OPERATIONS: list[tuple[str, dict[str, Any]]] = [
    ("admin_get_user", {}),
    ("admin_delete_user", {}),
    ("admin_disable_user", {}),
    ("admin_enable_user", {}),
    ("admin_confirm_sign_up", {}),
    ("admin_set_user_password", {"Password": PASSWORD, "Permanent": True}),
    ("admin_reset_user_password", {}),
    ("admin_update_user_attributes", {"UserAttributes": [{"Name": "name", "Value": "x"}]}),
    ("admin_delete_user_attributes", {"UserAttributeNames": ["name"]}),
    ("admin_create_user", {"MessageAction": "RESEND"}),
]


def test_created_user_awaits_a_new_password(cognito: Any, pool_id: str) -> None:
    user = create_user(cognito, pool_id, "alice", email="alice@example.com")
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert "MFAOptions" not in user
    attributes = attributes_of(user["Attributes"])
    assert attributes["email"] == "alice@example.com"
    assert str(uuid.UUID(attributes["sub"])) == attributes["sub"]
    assert user["Attributes"][0]["Name"] == "sub"


def test_get_user_returns_what_was_created(cognito: Any, pool_id: str) -> None:
    created = create_user(cognito, pool_id, "bob", given_name="Bob")
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert got["Username"] == "bob"
    assert got["UserAttributes"] == created["Attributes"]
    assert got["UserCreateDate"] == created["UserCreateDate"]
    assert got["UserLastModifiedDate"] == created["UserLastModifiedDate"]
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert got["Enabled"] is True
    for absent in ("MFAOptions", "UserMFASettingList", "PreferredMfaSetting"):
        assert absent not in got


def test_mfa_settings_are_shown_once_set(cognito: Any, server: Server, pool_id: str) -> None:
    create_user(cognito, pool_id, "carol")
    with server_store(server) as store, store.write() as tx:
        user = tx.users.get(pool_id, "carol")
        assert user is not None
        user.mfa = {"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]}
        user.mfa["PreferredMfaSetting"] = "SOFTWARE_TOKEN_MFA"
        tx.users.update(user, {})
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in got


def test_duplicate_username_is_refused(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "dave")
    code, message = failure(cognito.admin_create_user, UserPoolId=pool_id, Username="dave")
    assert (code, message) == ("UsernameExistsException", "User account already exists")


def test_usernames_are_case_sensitive_by_default(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "Erin")
    create_user(cognito, pool_id, "erin")
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username="ERIN")
    assert code == "UserNotFoundException"


def test_supplied_temporary_password_must_meet_the_policy(cognito: Any, pool_id: str) -> None:
    code, message = failure(
        cognito.admin_create_user, UserPoolId=pool_id, Username="frank", TemporaryPassword="Sh0rt!"
    )
    assert code == "InvalidPasswordException"
    assert message == "Password did not conform with password policy: Password not long enough"
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username="frank")
    assert code == "UserNotFoundException"


def test_temporary_password_is_kept_as_a_temporary_verifier(
    cognito: Any, server: Server, pool_id: str
) -> None:
    create_user(cognito, pool_id, "gina")
    stored = stored_user(server, pool_id, "gina")
    assert stored.password is not None
    assert stored.password.temporary is True
    name = pool_id.split("_", 1)[1]
    assert srp.password_matches(
        stored.password.salt, stored.password.verifier, name, "gina", PASSWORD
    )


def test_a_temporary_password_is_generated_when_none_is_given(
    cognito: Any, server: Server, pool_id: str
) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="hank", MessageAction="SUPPRESS")
    stored = stored_user(server, pool_id, "hank")
    assert stored.password is not None
    assert stored.password.temporary is True
    assert stored.status is UserStatus.FORCE_CHANGE_PASSWORD


def test_resend_reissues_the_temporary_password(cognito: Any, server: Server, pool_id: str) -> None:
    create_user(cognito, pool_id, "ivan", phone_number="+15555550100")  # RESEND sends an SMS
    user = cognito.admin_create_user(
        UserPoolId=pool_id, Username="ivan", MessageAction="RESEND", TemporaryPassword="N3w-Temp!"
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    stored = stored_user(server, pool_id, "ivan")
    assert stored.password is not None
    name = pool_id.split("_", 1)[1]
    assert srp.password_matches(
        stored.password.salt, stored.password.verifier, name, "ivan", "N3w-Temp!"
    )
    assert not srp.password_matches(
        stored.password.salt, stored.password.verifier, name, "ivan", PASSWORD
    )


def test_resend_needs_an_existing_user(cognito: Any, pool_id: str) -> None:
    code, message = failure(
        cognito.admin_create_user, UserPoolId=pool_id, Username="nobody", MessageAction="RESEND"
    )
    assert (code, message) == ("UserNotFoundException", "User does not exist.")


def test_resend_is_refused_once_the_password_is_set(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "judy")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="judy", Password=PASSWORD, Permanent=True
    )
    code, message = failure(
        cognito.admin_create_user, UserPoolId=pool_id, Username="judy", MessageAction="RESEND"
    )
    assert code == "UnsupportedUserStateException"
    assert message == "Resend not possible. judy status is not FORCE_CHANGE_PASSWORD"


def test_delete_user(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "kim")
    assert cognito.admin_delete_user(UserPoolId=pool_id, Username="kim")
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username="kim")
    assert code == "UserNotFoundException"
    create_user(cognito, pool_id, "kim")  # the name is free again


def test_delete_user_leaves_their_groups(cognito: Any, server: Server, pool_id: str) -> None:
    sub = attributes_of(create_user(cognito, pool_id, "lee")["Attributes"])["sub"]
    with server_store(server) as store, store.write() as tx:
        for name in ("admins", "staff"):
            assert tx.groups.add(Group(pool_id, name, 1.0, 1.0))
            tx.groups.add_member(pool_id, name, sub)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="lee")
    with server_store(server) as store, store.read() as tx:
        assert tx.groups.groups_of(pool_id, sub, 10, None).items == []
        assert tx.groups.get(pool_id, "admins") is not None


def test_disable_and_enable(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "mia")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="mia")
    disabled = cognito.admin_get_user(UserPoolId=pool_id, Username="mia")
    assert disabled["Enabled"] is False
    assert disabled["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    cognito.admin_enable_user(UserPoolId=pool_id, Username="mia")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="mia")["Enabled"] is True


def test_confirm_sign_up_confirms_an_unconfirmed_user(
    cognito: Any, server: Server, pool_id: str
) -> None:
    insert_user(server, pool_id, "ned", UserStatus.UNCONFIRMED)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="ned")
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="ned")
    assert got["UserStatus"] == "CONFIRMED"
    code, message = failure(cognito.admin_confirm_sign_up, UserPoolId=pool_id, Username="ned")
    assert (code, message) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_confirm_sign_up_refuses_other_states(cognito: Any, pool_id: str) -> None:
    create_user(cognito, pool_id, "olga")
    code, message = failure(cognito.admin_confirm_sign_up, UserPoolId=pool_id, Username="olga")
    assert code == "NotAuthorizedException"
    assert message == "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"


@pytest.mark.parametrize(("method", "extra"), USER_OPERATIONS)
def test_unknown_pool(cognito: Any, method: str, extra: dict[str, Any]) -> None:
    code, message = failure(
        getattr(cognito, method), UserPoolId=UNKNOWN_POOL, Username="alice", **extra
    )
    assert (code, message) == (
        "ResourceNotFoundException",
        f"User pool {UNKNOWN_POOL} does not exist.",
    )


@pytest.mark.parametrize(("method", "extra"), USER_OPERATIONS)
def test_unknown_user(cognito: Any, pool_id: str, method: str, extra: dict[str, Any]) -> None:
    code, message = failure(getattr(cognito, method), UserPoolId=pool_id, Username="ghost", **extra)
    assert (code, message) == ("UserNotFoundException", "User does not exist.")


def test_operations_find_a_user_by_sub(cognito: Any, pool_id: str) -> None:
    sub = attributes_of(create_user(cognito, pool_id, "pat")["Attributes"])["sub"]
    cognito.admin_disable_user(UserPoolId=pool_id, Username=sub)
    got = cognito.admin_get_user(UserPoolId=pool_id, Username=sub)
    assert got["Username"] == "pat"
    assert got["Enabled"] is False
