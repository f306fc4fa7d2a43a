"""ForgotPassword and ConfirmForgotPassword through boto3 against a server whose messages go
to the outbox; the user then signs in with the new password (USER_PASSWORD_AUTH)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.codes_support import (
    EXPIRED,
    HOUR,
    UNDELIVERABLE,
    UNKNOWN_USER,
    VERIFICATION_MISMATCH,
    delivered,
    expire_code,
    last_code,
    last_message,
    outbox_fixtures,
    stored_code,
    tag_pool,
    untag_pool,
)
from tests.conftest import Server, server_store
from tests.signin_support import (
    NEW_PASSWORD,
    WRONG_PASSWORD,
    confirmed_user,
    failure,
    invited_user,
    new_client,
    new_pool,
    secret_hash,
    tokens_of,
    unique,
    user_auth,
)

NO_RECOVERY = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
VERIFIED_EMAIL = {"email": "liz@example.com", "email_verified": "true"}


server, cognito = outbox_fixtures("forgot-password")


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    return new_pool(cognito)


@pytest.fixture(scope="module")
def client_id(cognito: Any, pool_id: str) -> str:
    return str(new_client(cognito, pool_id)["ClientId"])


@pytest.fixture(scope="module")
def hidden_client(cognito: Any, pool_id: str) -> str:
    """A client with PreventUserExistenceErrors=ENABLED."""
    return str(new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"])


def forgot(cognito: Any, client_id: str, username: str, **extra: Any) -> dict[str, Any]:
    response = cognito.forgot_password(ClientId=client_id, Username=username, **extra)
    details: dict[str, Any] = response["CodeDeliveryDetails"]
    return details


def reset(
    cognito: Any,
    client_id: str,
    username: str,
    code: str,
    password: str = NEW_PASSWORD,
    **extra: Any,
) -> Any:
    return cognito.confirm_forgot_password(
        ClientId=client_id, Username=username, ConfirmationCode=code, Password=password, **extra
    )


def test_reset_by_email(cognito: Any, server: Server, pool_id: str, client_id: str) -> None:
    username = unique("liz")
    sub = confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)["Attributes"][0]["Value"]
    assert forgot(cognito, client_id, username) == {
        "Destination": "l***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    message = last_message(server, pool_id, username)
    assert (message["purpose"], message["destination"]) == ("forgot-password", "liz@example.com")
    assert message["code"] in message["body"]
    stored = stored_code(server, sub, "forgot-password")
    assert stored.expires - stored.created == HOUR
    assert tokens_of(user_auth(cognito, client_id, username))  # the old password still works

    code = message["code"]
    wrong = "000000" if code != "000000" else "111111"
    assert failure(reset, cognito, client_id, username, wrong) == (
        "CodeMismatchException",
        VERIFICATION_MISMATCH,
    )
    assert failure(reset, cognito, client_id, username, code, "weak") == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    reset(cognito, client_id, username, code)
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["AccessToken"]
    assert failure(user_auth, cognito, client_id, username) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )
    assert failure(reset, cognito, client_id, username, code) == ("ExpiredCodeException", EXPIRED)


def test_phone_first_unless_the_pool_says_otherwise(cognito: Any, server: Server) -> None:
    both = {
        **VERIFIED_EMAIL,
        "phone_number": "+15555550199",
        "phone_number_verified": "true",
    }
    legacy_pool = new_pool(cognito)
    legacy_client = new_client(cognito, legacy_pool)["ClientId"]
    confirmed_user(cognito, legacy_pool, "both", **both)
    assert forgot(cognito, legacy_client, "both") == {
        "Destination": "+*******0199",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    email_first = new_pool(
        cognito,
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Priority": 2, "Name": "verified_phone_number"},
                {"Priority": 1, "Name": "verified_email"},
            ]
        },
    )
    email_client = new_client(cognito, email_first)["ClientId"]
    confirmed_user(cognito, email_first, "both", **both)
    assert forgot(cognito, email_client, "both")["DeliveryMedium"] == "EMAIL"
    assert last_message(server, email_first, "both")["medium"] == "EMAIL"


def test_no_verified_contact(
    cognito: Any, server: Server, pool_id: str, client_id: str, hidden_client: str
) -> None:
    username = unique("mo")
    confirmed_user(cognito, pool_id, username, email="mo@example.com")  # not verified
    assert failure(forgot, cognito, client_id, username) == (
        "InvalidParameterException",
        NO_RECOVERY,
    )
    details = forgot(cognito, hidden_client, username)
    assert details["DeliveryMedium"] in ("EMAIL", "SMS")
    assert delivered(server, pool_id, username) == []


def test_unknown_and_disabled_users(
    cognito: Any, server: Server, pool_id: str, client_id: str, hidden_client: str
) -> None:
    assert failure(forgot, cognito, client_id, "nobody") == ("UserNotFoundException", UNKNOWN_USER)
    assert failure(reset, cognito, client_id, "nobody", "123456") == (
        "UserNotFoundException",
        UNKNOWN_USER,
    )
    simulated = forgot(cognito, hidden_client, "nobody")
    assert simulated == forgot(cognito, hidden_client, "nobody")  # stable, so it reveals nothing
    assert simulated["DeliveryMedium"] == "SMS"  # the legacy recovery order: phone first
    assert re.fullmatch(r"\+\*{7}[0-9]{4}", simulated["Destination"])
    assert forgot(cognito, hidden_client, "nobody@example.net")["Destination"] == "n***@e***"
    phone = forgot(cognito, hidden_client, "+15555550100")
    assert (phone["Destination"], phone["DeliveryMedium"]) == ("+*******0100", "SMS")
    assert failure(reset, cognito, hidden_client, "nobody", "123456") == (
        "CodeMismatchException",
        VERIFICATION_MISMATCH,
    )

    username = unique("ned")
    confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
    disabled = ("NotAuthorizedException", "User is disabled.")
    assert failure(forgot, cognito, client_id, username) == disabled
    assert failure(reset, cognito, client_id, username, "123456") == disabled
    assert forgot(cognito, hidden_client, username)["DeliveryMedium"] in ("EMAIL", "SMS")
    assert failure(reset, cognito, hidden_client, username, "123456")[0] == "CodeMismatchException"
    assert delivered(server, pool_id, username) == []


def test_codes_must_be_requested_and_expire(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("oz")
    sub = confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)["Attributes"][0]["Value"]
    assert failure(reset, cognito, client_id, username, "123456") == (
        "ExpiredCodeException",
        EXPIRED,
    )
    forgot(cognito, client_id, username)
    code = last_code(server, pool_id, username)
    expire_code(server, sub, "forgot-password")
    assert failure(reset, cognito, client_id, username, code) == ("ExpiredCodeException", EXPIRED)


def test_invited_user_cannot_reset(cognito: Any, pool_id: str, client_id: str) -> None:
    username = unique("pam")
    invited_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    assert failure(forgot, cognito, client_id, username) == (
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    )


def test_a_reset_required_user_recovers(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("quin")
    confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=username)
    assert failure(user_auth, cognito, client_id, username) == (
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
    forgot(cognito, client_id, username)
    reset(cognito, client_id, username, last_code(server, pool_id, username))
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["IdToken"]


def test_a_reset_clears_the_lockout(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("ros")
    sub = confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)["Attributes"][0]["Value"]
    for _ in range(5):
        failure(user_auth, cognito, client_id, username, "Wrong-Passw0rd")
    with server_store(server) as store, store.read() as tx:
        assert tx.lockouts.get(sub) is not None
    forgot(cognito, client_id, username)
    reset(cognito, client_id, username, last_code(server, pool_id, username))
    with server_store(server) as store, store.read() as tx:
        assert tx.lockouts.get(sub) is None
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["IdToken"]


def test_client_secret(cognito: Any, server: Server, pool_id: str) -> None:
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    username = unique("rae")
    confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    code, message = failure(forgot, cognito, client_id, username)
    assert (code, message) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    hashed = secret_hash(secret, username, client_id)
    forgot(cognito, client_id, username, SecretHash=hashed)
    code = last_code(server, pool_id, username)
    assert failure(reset, cognito, client_id, username, code)[0] == "NotAuthorizedException"
    reset(cognito, client_id, username, code, SecretHash=hashed)
    assert user_auth(cognito, client_id, username, NEW_PASSWORD, SECRET_HASH=hashed)


def test_undelivered_code(cognito: Any, server: Server) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("sam")
    confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    tag_pool(cognito, pool_id, UNDELIVERABLE)
    assert failure(forgot, cognito, client_id, username) == (
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    )
    untag_pool(cognito, pool_id, list(UNDELIVERABLE))
    forgot(cognito, client_id, username)
    reset(cognito, client_id, username, last_code(server, pool_id, username))
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["AccessToken"]


def test_an_admin_reset_sends_the_code_that_confirm_forgot_password_takes(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("max")
    confirmed_user(cognito, pool_id, username, **VERIFIED_EMAIL)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=username)
    message = last_message(server, pool_id, username)
    assert (message["purpose"], message["destination"]) == ("forgot-password", "liz@example.com")
    assert message["code"] in message["body"]
    reset(cognito, client_id, username, message["code"])  # no ForgotPassword needed
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["AccessToken"]
    got = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert got["UserStatus"] == "CONFIRMED"


def test_an_admin_reset_whose_code_cannot_be_sent_still_marks_the_reset(
    cognito: Any, server: Server
) -> None:
    pool = new_pool(cognito)
    username = unique("ned")
    confirmed_user(cognito, pool, username, **VERIFIED_EMAIL)
    tag_pool(cognito, pool, UNDELIVERABLE)
    assert failure(cognito.admin_reset_user_password, UserPoolId=pool, Username=username) == (
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    )
    got = cognito.admin_get_user(UserPoolId=pool, Username=username)
    assert got["UserStatus"] == "RESET_REQUIRED"
