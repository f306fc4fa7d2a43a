"""SignUp, ConfirmSignUp and ResendConfirmationCode through boto3 against a server whose
messages go to the outbox; a confirmed user then signs in with USER_PASSWORD_AUTH."""

from __future__ import annotations

import re
import uuid
from typing import Any

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
from tests.conftest import Server
from tests.signin_support import (
    PASSWORD,
    attribute_list,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    secret_hash,
    tokens_of,
    unique,
    user_auth,
)
from tests.user_support import attributes_of, get_attributes

EMAIL_POOL = {"AutoVerifiedAttributes": ["email"]}
SCHEMA_REFUSAL = "Attributes did not conform to the schema: "


server, cognito = outbox_fixtures("sign-up")


def sign_up(
    cognito: Any, client_id: str, username: str, password: str = PASSWORD, **attributes: str
) -> dict[str, Any]:
    response: dict[str, Any] = cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=password,
        UserAttributes=attribute_list(**attributes),
    )
    return response


def pool_and_client(cognito: Any, **settings: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito, **settings)
    return pool_id, str(new_client(cognito, pool_id)["ClientId"])


def status_of(cognito: Any, pool_id: str, username: str) -> str:
    return str(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def confirm(cognito: Any, client_id: str, username: str, code: str, **extra: Any) -> Any:
    return cognito.confirm_sign_up(
        ClientId=client_id, Username=username, ConfirmationCode=code, **extra
    )


def test_sign_up_by_email_then_confirm_and_sign_in(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("ann")
    response = sign_up(cognito, client_id, username, email="ann@example.com")
    assert response["UserConfirmed"] is False
    assert str(uuid.UUID(response["UserSub"])) == response["UserSub"]
    assert response["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert status_of(cognito, pool_id, username) == "UNCONFIRMED"
    assert "email_verified" not in get_attributes(cognito, pool_id, username)
    code, _ = failure(user_auth, cognito, client_id, username)
    assert code == "UserNotConfirmedException"

    message = last_message(server, pool_id, username)
    assert (message["medium"], message["destination"]) == ("EMAIL", "ann@example.com")
    assert message["subject"] == "Your verification code"
    assert message["body"] == f"Your verification code is {message['code']}. "
    confirm(cognito, client_id, username, message["code"])

    assert status_of(cognito, pool_id, username) == "CONFIRMED"
    assert get_attributes(cognito, pool_id, username)["email_verified"] == "true"
    assert tokens_of(user_auth(cognito, client_id, username))["AccessToken"]
    assert failure(confirm, cognito, client_id, username, message["code"]) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_phone_gets_the_code_when_both_are_auto_verified(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, AutoVerifiedAttributes=["email", "phone_number"])
    username = unique("ben")
    response = sign_up(
        cognito, client_id, username, email="ben@example.com", phone_number="+15555550123"
    )
    assert response["CodeDeliveryDetails"] == {
        "Destination": "+*******0123",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    message = last_message(server, pool_id, username)
    assert (message["medium"], message["subject"]) == ("SMS", None)
    confirm(cognito, client_id, username, message["code"])
    attributes = get_attributes(cognito, pool_id, username)
    assert attributes["phone_number_verified"] == "true"
    assert "email_verified" not in attributes


def test_only_email_auto_verified_but_user_has_only_a_phone(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("cy")
    response = sign_up(cognito, client_id, username, phone_number="+15555550124")
    assert "CodeDeliveryDetails" not in response
    assert delivered(server, pool_id, username) == []


def test_without_auto_verification_an_administrator_confirms(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito)
    username = unique("dee")
    response = sign_up(cognito, client_id, username, email="dee@example.com")
    assert "CodeDeliveryDetails" not in response
    assert delivered(server, pool_id, username) == []
    assert failure(confirm, cognito, client_id, username, "123456") == (
        "ExpiredCodeException",
        EXPIRED,
    )
    resend = cognito.resend_confirmation_code
    assert failure(resend, ClientId=client_id, Username=username) == (
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    assert tokens_of(user_auth(cognito, client_id, username))["IdToken"]


def test_wrong_and_expired_codes(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("eve")
    sub = sign_up(cognito, client_id, username, email="eve@example.com")["UserSub"]
    code = last_code(server, pool_id, username)
    wrong = "000000" if code != "000000" else "111111"
    assert failure(confirm, cognito, client_id, username, wrong) == (
        "CodeMismatchException",
        VERIFICATION_MISMATCH,
    )
    assert stored_code(server, sub, "sign-up").attempts == 1  # the failure was kept
    stored = stored_code(server, sub, "sign-up")
    assert stored.expires - stored.created == 24 * HOUR
    expire_code(server, sub, "sign-up")
    assert failure(confirm, cognito, client_id, username, code) == ("ExpiredCodeException", EXPIRED)
    assert status_of(cognito, pool_id, username) == "UNCONFIRMED"


def test_five_wrong_codes_use_the_code_up(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("fay")
    sign_up(cognito, client_id, username, email="fay@example.com")
    code = last_code(server, pool_id, username)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert failure(confirm, cognito, client_id, username, wrong)[0] == "CodeMismatchException"
    assert failure(confirm, cognito, client_id, username, code)[0] == "ExpiredCodeException"
    cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    confirm(cognito, client_id, username, last_code(server, pool_id, username))
    assert status_of(cognito, pool_id, username) == "CONFIRMED"


def test_resend_replaces_the_code(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("gus")
    sign_up(cognito, client_id, username, email="gus@example.com")
    first = last_code(server, pool_id, username)
    response = cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    assert response["CodeDeliveryDetails"]["Destination"] == "g***@e***"
    second = last_code(server, pool_id, username)
    assert len(delivered(server, pool_id, username)) == 2
    if first != second:
        assert failure(confirm, cognito, client_id, username, first)[0] == "CodeMismatchException"
    confirm(cognito, client_id, username, second)
    resend = cognito.resend_confirmation_code
    assert failure(resend, ClientId=client_id, Username=username) == (
        "InvalidParameterException",
        "User is already confirmed.",
    )


def test_a_resent_code_is_told_from_the_first(cognito: Any, server: Server) -> None:
    """Both carry a code under one key, but say why they were sent, as Cognito's
    CustomMessage trigger sources do (CustomMessage_SignUp, CustomMessage_ResendCode)."""
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    username = unique("hal")
    sign_up(cognito, client_id, username, email="hal@example.com")
    cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    sent = delivered(server, pool_id, username)
    assert [(m["purpose"], m["sentFor"]) for m in sent] == [
        ("sign-up", "SignUp"),
        ("sign-up", "ResendCode"),
    ]


def test_unknown_users(cognito: Any) -> None:
    pool_id, legacy = pool_and_client(cognito, **EMAIL_POOL)
    hidden = new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    resend = cognito.resend_confirmation_code
    unknown = ("UserNotFoundException", UNKNOWN_USER)
    assert failure(confirm, cognito, legacy, "nobody", "123456") == unknown
    assert failure(resend, ClientId=legacy, Username="nobody") == unknown

    assert failure(confirm, cognito, hidden, "nobody", "123456") == (
        "CodeMismatchException",
        VERIFICATION_MISMATCH,
    )
    simulated = resend(ClientId=hidden, Username="nobody")["CodeDeliveryDetails"]
    assert simulated == resend(ClientId=hidden, Username="nobody")["CodeDeliveryDetails"]
    assert simulated["DeliveryMedium"] == "EMAIL"  # what the pool verifies
    assert re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*", simulated["Destination"])
    shaped = resend(ClientId=hidden, Username="zed@example.org")["CodeDeliveryDetails"]
    assert shaped["Destination"] == "z***@e***"


def test_disabled_users(cognito: Any, server: Server) -> None:
    pool_id, legacy = pool_and_client(cognito, **EMAIL_POOL)
    hidden = new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    username = unique("lee")
    sign_up(cognito, legacy, username, email="lee@example.com")
    code = last_code(server, pool_id, username)
    cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
    disabled = ("NotAuthorizedException", "User is disabled.")
    resend = cognito.resend_confirmation_code
    assert failure(resend, ClientId=legacy, Username=username) == disabled
    assert failure(confirm, cognito, legacy, username, code) == disabled
    assert resend(ClientId=hidden, Username=username)["CodeDeliveryDetails"]["Destination"]
    assert failure(confirm, cognito, hidden, username, code)[0] == "CodeMismatchException"
    assert len(delivered(server, pool_id, username)) == 1
    assert status_of(cognito, pool_id, username) == "UNCONFIRMED"


def test_refusals(cognito: Any) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    confirmed_user(cognito, pool_id, "taken")
    assert failure(sign_up, cognito, client_id, "taken") == (
        "UsernameExistsException",
        "User already exists",
    )
    assert failure(sign_up, cognito, client_id, unique("short"), "Sh0rt!") == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    assert failure(sign_up, cognito, client_id, unique("lower"), "no-upper-case-1") == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    code, _ = failure(cognito.sign_up, ClientId=client_id, Username=unique("nopassword"))
    assert code == "InvalidParameterException"
    code, _ = failure(sign_up, cognito, "nosuchclient0000000000000", "someone")
    assert code == "ResourceNotFoundException"
    closed = new_pool(cognito, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    closed_client = new_client(cognito, closed)["ClientId"]
    assert failure(sign_up, cognito, closed_client, unique("x")) == (
        "NotAuthorizedException",
        "SignUp is not permitted for this user pool",
    )


def test_attribute_rules(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, Schema=[{"Name": "name", "Required": True}, {"Name": "email", "Required": True}]
    )
    client_id = new_client(cognito, pool_id)["ClientId"]
    code, message = failure(sign_up, cognito, client_id, unique("x"), email="x@example.com")
    assert code == "InvalidParameterException"
    assert message == SCHEMA_REFUSAL + "name.formatted: The attribute is required\n"
    code, message = failure(sign_up, cognito, client_id, unique("x"), name="X")
    assert message == SCHEMA_REFUSAL + "email: The attribute is required\n"
    unauthorized = ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    verified = {"name": "X", "email": "x@example.com", "email_verified": "true"}
    assert failure(sign_up, cognito, client_id, unique("x"), **verified) == unauthorized
    narrow = new_client(cognito, pool_id, WriteAttributes=["name", "email"])["ClientId"]
    extra = {"name": "X", "email": "x@example.com", "given_name": "X"}
    assert failure(sign_up, cognito, narrow, unique("x"), **extra) == unauthorized
    code, message = failure(sign_up, cognito, client_id, unique("x"), name="X", email="bad")
    assert (code, message) == ("InvalidParameterException", "Invalid email address format.")


def test_client_secret(cognito: Any, server: Server) -> None:
    pool_id = new_pool(cognito, **EMAIL_POOL)
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    username = unique("hal")
    arguments = {"ClientId": client_id, "Username": username, "Password": PASSWORD}
    arguments["UserAttributes"] = attribute_list(email="hal@example.com")
    assert failure(cognito.sign_up, **arguments) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    assert failure(cognito.sign_up, SecretHash="d3Jvbmc=", **arguments) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    hashed = secret_hash(secret, username, client_id)
    cognito.sign_up(SecretHash=hashed, **arguments)
    code = last_code(server, pool_id, username)
    assert failure(confirm, cognito, client_id, username, code)[0] == "NotAuthorizedException"
    cognito.resend_confirmation_code(ClientId=client_id, Username=username, SecretHash=hashed)
    confirm(cognito, client_id, username, last_code(server, pool_id, username), SecretHash=hashed)
    assert status_of(cognito, pool_id, username) == "CONFIRMED"


def test_email_as_username(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, UsernameAttributes=["email"], **EMAIL_POOL)
    response = sign_up(cognito, client_id, "ivy@example.com")
    sub = response["UserSub"]
    assert response["CodeDeliveryDetails"]["Destination"] == "i***@e***"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="ivy@example.com")["Username"] == sub
    assert failure(sign_up, cognito, client_id, "ivy@example.com") == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
    assert failure(sign_up, cognito, client_id, "not-an-email") == (
        "InvalidParameterException",
        "Username should be an email.",
    )
    confirm(cognito, client_id, "ivy@example.com", last_code(server, pool_id, sub))
    assert tokens_of(user_auth(cognito, client_id, "ivy@example.com"))["AccessToken"]


def test_alias_taken_at_confirmation(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, AliasAttributes=["email"], **EMAIL_POOL)
    assert failure(sign_up, cognito, client_id, "jo@example.com") == (
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    )
    confirmed_user(cognito, pool_id, "first", email="jo@example.com", email_verified="true")
    sign_up(cognito, client_id, "second", email="jo@example.com")
    code = last_code(server, pool_id, "second")
    assert failure(confirm, cognito, client_id, "second", code) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert status_of(cognito, pool_id, "second") == "UNCONFIRMED"  # the code is still good
    confirm(cognito, client_id, "second", code, ForceAliasCreation=True)
    assert get_attributes(cognito, pool_id, "first")["email_verified"] == "false"
    signed_in = user_auth(cognito, client_id, "jo@example.com")
    claims = cognito.get_user(AccessToken=tokens_of(signed_in)["AccessToken"])
    assert claims["Username"] == "second"
    assert attributes_of(claims["UserAttributes"])["email_verified"] == "true"


def test_undelivered_code_leaves_the_user_to_ask_again(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito, **EMAIL_POOL)
    tag_pool(cognito, pool_id, UNDELIVERABLE)
    username = unique("kit")
    assert failure(sign_up, cognito, client_id, username, email="kit@example.com") == (
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    )
    assert status_of(cognito, pool_id, username) == "UNCONFIRMED"
    untag_pool(cognito, pool_id, list(UNDELIVERABLE))
    cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    confirm(cognito, client_id, username, last_code(server, pool_id, username))
    assert tokens_of(user_auth(cognito, client_id, username))["RefreshToken"]
