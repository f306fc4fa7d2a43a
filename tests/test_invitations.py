"""AdminCreateUser's invitation (the temporary password by email or SMS) through boto3
against a server whose messages go to the outbox; the invited user then signs in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.codes_support import (
    UNDELIVERABLE,
    delivered,
    last_message,
    outbox_fixtures,
    tag_pool,
    untag_pool,
)
from tests.conftest import Server
from tests.signin_support import (
    NEW_PASSWORD,
    WRONG_PASSWORD,
    attribute_list,
    failure,
    new_client,
    new_pool,
    tokens_of,
    unique,
    user_auth,
)

NO_PHONE = "No phone_number provided but desired delivery medium was Sms"
NO_EMAIL = "No email provided but desired delivery medium was Email"
CONTACTS = {"email": "amy@example.com", "phone_number": "+15555550111"}


server, cognito = outbox_fixtures("invitations")


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    return new_pool(cognito)


@pytest.fixture(scope="module")
def client_id(cognito: Any, pool_id: str) -> str:
    return str(new_client(cognito, pool_id)["ClientId"])


def invite(cognito: Any, pool_id: str, username: str, **arguments: Any) -> dict[str, Any]:
    attributes = arguments.pop("attributes", {})
    user: dict[str, Any] = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=attribute_list(**attributes),
        **arguments,
    )["User"]
    return user


def set_new_password(cognito: Any, client_id: str, username: str, temporary: str) -> Any:
    challenge = user_auth(cognito, client_id, username, temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": NEW_PASSWORD},
    )


def test_email_invitation_then_sign_in(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("amy")
    invite(cognito, pool_id, username, DesiredDeliveryMediums=["EMAIL"], attributes=CONTACTS)
    [message] = delivered(server, pool_id, username)
    password = message["code"]
    assert (message["medium"], message["destination"]) == ("EMAIL", "amy@example.com")
    assert message["subject"] == "Your temporary password"
    assert message["body"] == f"Your username is {username} and temporary password is {password}. "
    assert tokens_of(set_new_password(cognito, client_id, username, password))["AccessToken"]
    assert tokens_of(user_auth(cognito, client_id, username, NEW_PASSWORD))["IdToken"]


def test_sms_by_default(cognito: Any, server: Server, pool_id: str, client_id: str) -> None:
    username = unique("bo")
    invite(cognito, pool_id, username, TemporaryPassword="Chosen-Temp-1", attributes=CONTACTS)
    [message] = delivered(server, pool_id, username)
    assert (message["medium"], message["destination"]) == ("SMS", "+15555550111")
    assert (message["subject"], message["code"]) == (None, "Chosen-Temp-1")
    assert tokens_of(set_new_password(cognito, client_id, username, "Chosen-Temp-1"))


def test_both_mediums(cognito: Any, server: Server, pool_id: str) -> None:
    username = unique("cal")
    invite(cognito, pool_id, username, DesiredDeliveryMediums=["SMS", "EMAIL"], attributes=CONTACTS)
    messages = delivered(server, pool_id, username)
    assert sorted(message["medium"] for message in messages) == ["EMAIL", "SMS"]
    assert len({message["code"] for message in messages}) == 1


@pytest.mark.parametrize(
    ("mediums", "attributes", "refusal"),
    [
        (["SMS"], {"email": "dot@example.com"}, NO_PHONE),
        (["EMAIL"], {"phone_number": "+15555550112"}, NO_EMAIL),
        (["EMAIL", "SMS"], {"phone_number": "+15555550112"}, NO_EMAIL),
    ],
)
def test_a_medium_without_its_attribute_is_refused(
    cognito: Any,
    server: Server,
    pool_id: str,
    mediums: list[str],
    attributes: dict[str, str],
    refusal: str,
) -> None:
    username = unique("dot")
    extra = {"DesiredDeliveryMediums": mediums}
    assert failure(invite, cognito, pool_id, username, attributes=attributes, **extra) == (
        "InvalidParameterException",
        refusal,
    )
    code, _ = failure(cognito.admin_get_user, UserPoolId=pool_id, Username=username)
    assert code == "UserNotFoundException"  # nothing was created
    assert delivered(server, pool_id, username) == []


@pytest.mark.parametrize(
    "attributes", [{}, {"email": "eve@example.com"}], ids=["username-only", "email-only"]
)
def test_default_medium_without_a_phone_creates_the_user_and_sends_nothing(
    cognito: Any, server: Server, pool_id: str, client_id: str, attributes: dict[str, str]
) -> None:
    # SMS is the default medium, but the phone number is needed only when SMS is asked for.
    username = unique("eve")
    given = {"UserAttributes": attribute_list(**attributes)} if attributes else {}
    user = cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword="Chosen-Temp-2", **given
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert delivered(server, pool_id, username) == []
    assert tokens_of(set_new_password(cognito, client_id, username, "Chosen-Temp-2"))


def test_suppress_sends_nothing(cognito: Any, server: Server, pool_id: str) -> None:
    username = unique("ed")
    invite(cognito, pool_id, username, MessageAction="SUPPRESS")  # no contact needed
    assert delivered(server, pool_id, username) == []


def test_resend_sends_a_new_temporary_password(
    cognito: Any, server: Server, pool_id: str, client_id: str
) -> None:
    username = unique("flo")
    invite(cognito, pool_id, username, DesiredDeliveryMediums=["EMAIL"], attributes=CONTACTS)
    first = last_message(server, pool_id, username)["code"]
    invite(cognito, pool_id, username, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    second = last_message(server, pool_id, username)["code"]
    assert len(delivered(server, pool_id, username)) == 2
    assert failure(user_auth, cognito, client_id, username, first) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )
    assert tokens_of(set_new_password(cognito, client_id, username, second))


def test_pool_template_and_email_username(cognito: Any, server: Server) -> None:
    pool_id = new_pool(
        cognito,
        UsernameAttributes=["email"],
        AdminCreateUserConfig={
            "InviteMessageTemplate": {
                "EmailSubject": "Welcome",
                "EmailMessage": "Hello {username}, use {####} to sign in.",
            }
        },
    )
    client_id = new_client(cognito, pool_id)["ClientId"]
    user = invite(cognito, pool_id, "gil@example.com", DesiredDeliveryMediums=["EMAIL"])
    message = last_message(server, pool_id, user["Username"])
    password = message["code"]
    assert message["subject"] == "Welcome"
    assert message["body"] == f"Hello gil@example.com, use {password} to sign in."
    assert tokens_of(set_new_password(cognito, client_id, "gil@example.com", password))


def test_undelivered_invitation_keeps_the_user(cognito: Any, server: Server) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id)["ClientId"]
    tag_pool(cognito, pool_id, UNDELIVERABLE)
    username = unique("hope")
    arguments = {"DesiredDeliveryMediums": ["EMAIL"], "attributes": CONTACTS}
    assert failure(invite, cognito, pool_id, username, **arguments) == (
        "CodeDeliveryFailureException",
        "Invalid email provided/Unable to send the email",
    )
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    untag_pool(cognito, pool_id, list(UNDELIVERABLE))
    invite(cognito, pool_id, username, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    password = last_message(server, pool_id, username)["code"]
    assert tokens_of(set_new_password(cognito, client_id, username, password))
