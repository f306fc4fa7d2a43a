"""GetUserAttributeVerificationCode and VerifyUserAttribute through boto3 against a server
whose messages go to the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.codes_support import (
    EXPIRED,
    HOUR,
    UNDELIVERABLE,
    VERIFICATION_MISMATCH,
    expire_code,
    last_code,
    last_message,
    outbox_fixtures,
    stored_code,
    tag_pool,
    untag_pool,
)
from tests.conftest import Server
from tests.signin_support import (
    Account,
    confirmed_user,
    failure,
    signed_in_account,
    tokens_of,
    user_auth,
)
from tests.user_support import attributes_of

CONTACTS = {"email": "uma@example.com", "phone_number": "+15555550142"}


server, cognito = outbox_fixtures("attribute-verification")


def request_code(cognito: Any, account: Account, attribute: str) -> dict[str, Any]:
    response = cognito.get_user_attribute_verification_code(
        AccessToken=account.tokens["AccessToken"], AttributeName=attribute
    )
    details: dict[str, Any] = response["CodeDeliveryDetails"]
    return details


def verify(cognito: Any, account: Account, attribute: str, code: str) -> Any:
    return cognito.verify_user_attribute(
        AccessToken=account.tokens["AccessToken"], AttributeName=attribute, Code=code
    )


def attributes(cognito: Any, account: Account) -> dict[str, str]:
    user = cognito.get_user(AccessToken=account.tokens["AccessToken"])
    return attributes_of(user["UserAttributes"])


def sub_of(cognito: Any, account: Account) -> str:
    return attributes(cognito, account)["sub"]


@pytest.mark.parametrize(
    ("attribute", "medium", "destination"),
    [("email", "EMAIL", "u***@e***"), ("phone_number", "SMS", "+*******0142")],
)
def test_verify_an_attribute(
    cognito: Any, server: Server, attribute: str, medium: str, destination: str
) -> None:
    account = signed_in_account(cognito, **CONTACTS)
    flag = f"{attribute}_verified"
    assert flag not in attributes(cognito, account)
    assert request_code(cognito, account, attribute) == {
        "Destination": destination,
        "DeliveryMedium": medium,
        "AttributeName": attribute,
    }
    message = last_message(server, account.pool_id, account.username)
    assert (message["medium"], message["destination"]) == (medium, CONTACTS[attribute])
    assert message["purpose"] == f"verify:{attribute}"
    stored = stored_code(server, sub_of(cognito, account), f"verify:{attribute}")
    assert stored.expires - stored.created == 24 * HOUR

    wrong = "000000" if message["code"] != "000000" else "111111"
    assert failure(verify, cognito, account, attribute, wrong) == (
        "CodeMismatchException",
        VERIFICATION_MISMATCH,
    )
    verify(cognito, account, attribute, message["code"])
    assert attributes(cognito, account)[flag] == "true"
    assert failure(verify, cognito, account, attribute, message["code"]) == (
        "ExpiredCodeException",
        EXPIRED,
    )


def test_codes_are_per_attribute_and_expire(cognito: Any, server: Server) -> None:
    account = signed_in_account(cognito, **CONTACTS)
    assert failure(verify, cognito, account, "email", "123456") == ("ExpiredCodeException", EXPIRED)
    request_code(cognito, account, "phone_number")
    phone_code = last_code(server, account.pool_id, account.username)
    assert failure(verify, cognito, account, "email", phone_code)[0] == "ExpiredCodeException"
    expire_code(server, sub_of(cognito, account), "verify:phone_number")
    assert failure(verify, cognito, account, "phone_number", phone_code) == (
        "ExpiredCodeException",
        EXPIRED,
    )
    assert "phone_number_verified" not in attributes(cognito, account)


def test_refusals(cognito: Any) -> None:
    account = signed_in_account(cognito, email="vic@example.com")
    code, _ = failure(request_code, cognito, account, "given_name")
    assert code == "InvalidParameterException"
    code, _ = failure(verify, cognito, account, "given_name", "123456")
    assert code == "InvalidParameterException"
    code, _ = failure(request_code, cognito, account, "phone_number")  # the user has none
    assert code == "InvalidParameterException"
    broken = Account(account.pool_id, account.client_id, account.username, {"AccessToken": "x"})
    assert failure(request_code, cognito, broken, "email")[0] == "NotAuthorizedException"
    cognito.global_sign_out(AccessToken=account.tokens["AccessToken"])
    assert failure(request_code, cognito, account, "email") == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert failure(verify, cognito, account, "email", "123456") == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_a_verified_alias_signs_in(cognito: Any, server: Server) -> None:
    account = signed_in_account(
        cognito, pool_settings={"AliasAttributes": ["email"]}, email="wes@example.com"
    )
    assert failure(user_auth, cognito, account.client_id, "wes@example.com")[0] == (
        "UserNotFoundException"
    )
    request_code(cognito, account, "email")
    verify(cognito, account, "email", last_code(server, account.pool_id, account.username))
    assert tokens_of(user_auth(cognito, account.client_id, "wes@example.com"))["AccessToken"]


def test_an_alias_someone_else_holds_is_refused(cognito: Any, server: Server) -> None:
    account = signed_in_account(
        cognito, pool_settings={"AliasAttributes": ["email"]}, email="xia@example.com"
    )
    confirmed_user(
        cognito, account.pool_id, "holder", email="xia@example.com", email_verified="true"
    )
    request_code(cognito, account, "email")
    code = last_code(server, account.pool_id, account.username)
    assert failure(verify, cognito, account, "email", code) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert "email_verified" not in attributes(cognito, account)


def test_undelivered_code(cognito: Any, server: Server) -> None:
    account = signed_in_account(cognito, email="yan@example.com")
    tag_pool(cognito, account.pool_id, UNDELIVERABLE)
    assert failure(request_code, cognito, account, "email") == (
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    )
    untag_pool(cognito, account.pool_id, list(UNDELIVERABLE))
    request_code(cognito, account, "email")
    verify(cognito, account, "email", last_code(server, account.pool_id, account.username))
    assert attributes(cognito, account)["email_verified"] == "true"


def test_a_changed_auto_verified_email_is_sent_a_code(cognito: Any, server: Server) -> None:
    account = signed_in_account(
        cognito,
        pool_settings={"AutoVerifiedAttributes": ["email"]},
        email="old@example.com",
        email_verified="true",
        phone_number="+15555550143",
    )
    token = account.tokens["AccessToken"]
    changed = cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=[
            {"Name": "email", "Value": "new@example.com"},
            {"Name": "phone_number", "Value": "+15555550144"},  # not auto-verified: no code
        ],
    )
    assert changed["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    message = last_message(server, account.pool_id, account.username)
    assert (message["purpose"], message["destination"]) == ("verify:email", "new@example.com")
    assert attributes(cognito, account)["email_verified"] == "false"
    verify(cognito, account, "email", message["code"])
    assert attributes(cognito, account)["email_verified"] == "true"

    unchanged = cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.com"}]
    )
    assert "CodeDeliveryDetailsList" not in unchanged
    assert attributes(cognito, account)["email_verified"] == "true"
