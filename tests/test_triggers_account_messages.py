"""CustomMessage through boto3 against a running server whose functions are real handler files
(tests/triggers/account/, in node and python workers) and whose messages go to the outbox: every
source (SignUp, ResendCode, ForgotPassword, UpdateUserAttribute, VerifyUserAttribute,
AdminCreateUser, Authentication), each event asserted whole as the handler received it, and
the text delivered: the function's, with the code (and, in an invitation, the username) filled
in, and a code that still works; a function's text that lost the code is not sent (the pool's
is, with a warning in the log), nor is anything when the function words nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.account_trigger_support import (
    CODE,
    NODE,
    PYTHON,
    REMOTE,
    RUNTIMES,
    USERNAME,
    TriggerServer,
    client_of,
    custom_event,
    delivered_as,
    sign_up,
    trigger_pool,
    trigger_server_fixture,
    user_attributes,
)
from tests.codes_support import delivered, last_message
from tests.mfa_support import Login
from tests.signin_support import (
    NEW_PASSWORD,
    TEMPORARY_PASSWORD,
    Account,
    attribute_list,
    confirmed_user,
    signed_in_account,
    tokens_of,
    unique,
    user_auth,
)
from tests.trigger_support import returned

triggers = trigger_server_fixture("message-triggers")

POOL_TEXT = "Your verification code is {}. "  # the pool's default verification message
POOL_SUBJECT = "Your verification code"


def message_pool(triggers: TriggerServer, function: str, verified: str = "email") -> str:
    return trigger_pool(
        triggers.cognito, {"CustomMessage": function}, AutoVerifiedAttributes=[verified]
    )


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_sign_up_code_in_the_functions_words(triggers: TriggerServer, runtime: str) -> None:
    pool_id = message_pool(triggers, RUNTIMES[runtime])
    client_id = client_of(triggers, pool_id)
    username = unique("sue")
    address = f"{username}@example.com"
    response = sign_up(
        triggers,
        client_id,
        username,
        UserAttributes=attribute_list(email=address),
        ClientMetadata={"campaign": "spring"},
    )
    assert response["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    call = triggers.only_call(pool_id, "CustomMessage_SignUp")
    assert call.runtime == runtime
    attributes = {
        "sub": response["UserSub"],
        "email": address,
        "cognito:user_status": "UNCONFIRMED",
    }
    metadata = {"campaign": "spring"}
    source = "CustomMessage_SignUp"
    assert call.event == custom_event(source, pool_id, username, client_id, attributes, metadata)
    message = last_message(triggers.server, pool_id, username)
    assert delivered_as(message, "CustomMessage_SignUp", runtime, username)
    triggers.cognito.confirm_sign_up(
        ClientId=client_id, Username=username, ConfirmationCode=message["code"]
    )


def test_a_resent_code_by_sms(triggers: TriggerServer) -> None:
    pool_id = message_pool(triggers, PYTHON, verified="phone_number")
    client_id = client_of(triggers, pool_id)
    username = unique("sam")
    phone = attribute_list(phone_number="+15550100777")
    sign_up(triggers, client_id, username, UserAttributes=phone)
    triggers.cognito.resend_confirmation_code(
        ClientId=client_id, Username=username, ClientMetadata={"again": "yes"}
    )
    assert triggers.sources(pool_id) == ["CustomMessage_SignUp", "CustomMessage_ResendCode"]
    attributes = user_attributes(triggers.cognito, pool_id, username)
    source = "CustomMessage_ResendCode"
    event = triggers.only_call(pool_id, source).event
    assert event == custom_event(source, pool_id, username, client_id, attributes, {"again": "yes"})
    message = last_message(triggers.server, pool_id, username)
    assert message["medium"] == "SMS"
    assert delivered_as(message, "CustomMessage_ResendCode", "python", username)


def test_reset_codes(triggers: TriggerServer) -> None:
    """ForgotPassword, and AdminResetUserPassword (no app client), both ForgotPassword."""
    pool_id = message_pool(triggers, NODE)
    client_id = client_of(triggers, pool_id)
    username = unique("rob")
    confirmed_user(
        triggers.cognito, pool_id, username, email=f"{username}@example.com", email_verified="true"
    )
    source = "CustomMessage_ForgotPassword"
    confirmed = user_attributes(triggers.cognito, pool_id, username)
    triggers.cognito.forgot_password(
        ClientId=client_id, Username=username, ClientMetadata={"via": "app"}
    )
    message = last_message(triggers.server, pool_id, username)
    assert delivered_as(message, source, "node", username)
    triggers.cognito.admin_reset_user_password(
        UserPoolId=pool_id, Username=username, ClientMetadata={"via": "support"}
    )
    resetting = user_attributes(triggers.cognito, pool_id, username)
    assert resetting["cognito:user_status"] == "RESET_REQUIRED"
    assert [call.event for call in triggers.calls(pool_id)] == [
        custom_event(source, pool_id, username, client_id, confirmed, {"via": "app"}),
        custom_event(source, pool_id, username, None, resetting, {"via": "support"}),
    ]
    message = last_message(triggers.server, pool_id, username)
    assert delivered_as(message, source, "node", username)
    triggers.cognito.confirm_forgot_password(
        ClientId=client_id,
        Username=username,
        ConfirmationCode=message["code"],
        Password=NEW_PASSWORD,
    )
    assert tokens_of(user_auth(triggers.cognito, client_id, username, NEW_PASSWORD))


def account_with_email(triggers: TriggerServer, function: str) -> Account:
    pool_settings = {
        "LambdaConfig": {"CustomMessage": function},
        "AutoVerifiedAttributes": ["email"],
    }
    name = unique("uma")
    return signed_in_account(
        triggers.cognito, pool_settings, email=f"{name}@example.com", email_verified="true"
    )


def test_attribute_codes(triggers: TriggerServer) -> None:
    """UpdateUserAttributes (a new email), then GetUserAttributeVerificationCode for it. As
    built, their events name no app client: the request names none (it has an access token)."""
    account = account_with_email(triggers, PYTHON)
    pool_id, username, token = account.pool_id, account.username, account.tokens["AccessToken"]
    address = f"{unique('new')}@example.com"
    triggers.cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=attribute_list(email=address),
        ClientMetadata={"step": "update"},
    )
    changed = user_attributes(triggers.cognito, pool_id, username)
    assert (changed["email"], changed["email_verified"]) == (address, "false")
    message = last_message(triggers.server, pool_id, username)
    assert message["destination"] == address
    assert delivered_as(message, "CustomMessage_UpdateUserAttribute", "python", username)
    triggers.cognito.get_user_attribute_verification_code(
        AccessToken=token, AttributeName="email", ClientMetadata={"step": "verify"}
    )
    message = last_message(triggers.server, pool_id, username)
    assert delivered_as(message, "CustomMessage_VerifyUserAttribute", "python", username)
    assert [call.event for call in triggers.calls(pool_id)] == [
        custom_event(source, pool_id, username, None, changed, {"step": step})
        for source, step in (
            ("CustomMessage_UpdateUserAttribute", "update"),
            ("CustomMessage_VerifyUserAttribute", "verify"),
        )
    ]
    triggers.cognito.verify_user_attribute(
        AccessToken=token, AttributeName="email", Code=message["code"]
    )
    assert user_attributes(triggers.cognito, pool_id, username)["email_verified"] == "true"


def test_invitations_by_email_and_sms(triggers: TriggerServer) -> None:
    pool_id = message_pool(triggers, NODE)
    username = unique("ivy")
    contact = {"email": f"{username}@example.com", "phone_number": "+15550100888"}
    triggers.cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=attribute_list(**contact),
        DesiredDeliveryMediums=["EMAIL", "SMS"],
        ClientMetadata={"team": "ops"},
    )
    attributes = user_attributes(triggers.cognito, pool_id, username)
    assert attributes["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"
    source = "CustomMessage_AdminCreateUser"
    metadata = {"team": "ops"}
    event = custom_event(source, pool_id, username, None, attributes, metadata, invitation=True)
    assert [call.event for call in triggers.calls(pool_id)] == [event, event]
    messages = {m["medium"]: m for m in delivered(triggers.server, pool_id, username)}
    assert set(messages) == {"EMAIL", "SMS"}
    for message in messages.values():
        assert message["code"] == TEMPORARY_PASSWORD
        assert delivered_as(message, source, "node", username)
    # A new temporary password, sent again: the same source.
    triggers.cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="RESEND",
        DesiredDeliveryMediums=["EMAIL"],
    )
    assert triggers.sources(pool_id) == [source] * 3
    resent = last_message(triggers.server, pool_id, username)
    assert resent["code"] != TEMPORARY_PASSWORD
    assert delivered_as(resent, source, "node", username)


def test_an_invitation_names_the_email_a_user_signs_in_with(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(
        triggers.cognito, {"CustomMessage": PYTHON}, UsernameAttributes=["email"]
    )
    address = f"{unique('eli')}@example.com"
    user = triggers.cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=address,
        TemporaryPassword=TEMPORARY_PASSWORD,
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    username = user["Username"]  # a generated id
    assert username != address
    message = last_message(triggers.server, pool_id, username)
    assert delivered_as(message, "CustomMessage_AdminCreateUser", "python", address)
    event = triggers.only_call(pool_id, "CustomMessage_AdminCreateUser").event
    assert (event["userName"], event["request"]["usernameParameter"]) == (username, USERNAME)


@pytest.mark.parametrize(
    ("factor", "settings", "attribute"),
    [
        ("SMS_MFA", {"SMSMfaSettings": {"Enabled": True}}, {"phone_number": "+15550100999"}),
        ("EMAIL_OTP", {"EmailMfaSettings": {"Enabled": True}}, {"email": "mfa@example.com"}),
    ],
)
def test_sign_in_codes(
    triggers: TriggerServer, factor: str, settings: dict[str, Any], attribute: dict[str, str]
) -> None:
    login = Login.make(
        triggers.server,
        triggers.cognito,
        mode="OPTIONAL",
        factors=(factor,),
        LambdaConfig={"CustomMessage": PYTHON},
    )
    username = login.user(**attribute)
    triggers.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, **settings
    )
    attributes = user_attributes(triggers.cognito, login.pool_id, username)
    challenge = login.password(username)
    assert challenge["ChallengeName"] == factor
    source = "CustomMessage_Authentication"
    # InitiateAuth does not pass its ClientMetadata to CustomMessage (its API reference).
    event = triggers.only_call(login.pool_id, source).event
    assert event == custom_event(source, login.pool_id, username, login.client_id, attributes, {})
    message = last_message(triggers.server, login.pool_id, username)
    assert delivered_as(message, source, "python", username)
    answer = {f"{factor}_CODE": message["code"]}
    assert tokens_of(login.respond(challenge, username, **answer))


@pytest.mark.parametrize("admin", [True, False])
def test_a_code_sent_after_a_chosen_factor_carries_the_admin_answers_metadata(
    triggers: TriggerServer, admin: bool
) -> None:
    """AdminRespondToAuthChallenge's API reference lists custom message among the triggers
    its ClientMetadata reaches; RespondToAuthChallenge's does not."""
    login = Login.make(
        triggers.server,
        triggers.cognito,
        mode="OPTIONAL",
        factors=("SMS_MFA", "EMAIL_OTP"),
        LambdaConfig={"CustomMessage": PYTHON},
    )
    username = login.user(phone_number="+15550100444", email="pick@example.com")
    triggers.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id,
        Username=username,
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    select = login.password(username, admin=admin)
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    answer = {
        "ClientId": login.client_id,
        "ChallengeName": "SELECT_MFA_TYPE",
        "Session": select["Session"],
        "ChallengeResponses": {"USERNAME": username, "ANSWER": "EMAIL_OTP"},
        "ClientMetadata": {"device": "kiosk"},
    }
    if admin:
        chosen = triggers.cognito.admin_respond_to_auth_challenge(
            UserPoolId=login.pool_id, **answer
        )
    else:
        chosen = triggers.cognito.respond_to_auth_challenge(**answer)
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    event = triggers.only_call(login.pool_id, "CustomMessage_Authentication").event
    assert event["request"]["clientMetadata"] == ({"device": "kiosk"} if admin else {})


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_a_text_that_lost_the_code_is_not_sent(triggers: TriggerServer, runtime: str) -> None:
    pool_id = message_pool(triggers, RUNTIMES[runtime])
    username = unique("lou")
    sign_up(
        triggers,
        client_of(triggers, pool_id),
        username,
        "lose-code",
        UserAttributes=attribute_list(email=f"{username}@example.com"),
    )
    message = last_message(triggers.server, pool_id, username)
    assert (message["subject"], message["body"]) == (
        POOL_SUBJECT,
        POOL_TEXT.format(message["code"]),
    )
    warning = f"CustomMessage for {username} in {pool_id} lost {CODE}: the pool's text is sent"
    assert warning in triggers.log()


def test_an_invitation_that_lost_the_password_is_not_sent(triggers: TriggerServer) -> None:
    pool_id = message_pool(triggers, NODE)
    username = unique("lin")
    triggers.cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=attribute_list(email=f"{username}@example.com"),
        DesiredDeliveryMediums=["EMAIL"],
        ClientMetadata={"script": "lose-code"},
    )
    message = last_message(triggers.server, pool_id, username)
    assert (message["subject"], message["body"]) == (
        "Your temporary password",
        f"Your username is {username} and temporary password is {TEMPORARY_PASSWORD}. ",
    )


def test_a_function_that_words_nothing_leaves_the_pools_text(triggers: TriggerServer) -> None:
    template = {"EmailMessage": "Pool says {####}", "EmailSubject": "Pool subject"}
    pool_id = trigger_pool(
        triggers.cognito,
        {"CustomMessage": PYTHON},
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate=template,
    )
    username = unique("sil")
    sign_up(
        triggers,
        client_of(triggers, pool_id),
        username,
        "silent",
        UserAttributes=attribute_list(email=f"{username}@example.com"),
    )
    message = last_message(triggers.server, pool_id, username)
    assert (message["subject"], message["body"]) == ("Pool subject", f"Pool says {message['code']}")
    assert triggers.sources(pool_id) == ["CustomMessage_SignUp"]
    assert f"CustomMessage for {username} in {pool_id}" not in triggers.log()


def test_custom_message_through_the_invoke_api(triggers: TriggerServer) -> None:
    pool_id = message_pool(triggers, REMOTE)
    username = unique("rem")
    api = triggers.lambda_api
    seen = len(api.invocations)
    api.replies = [returned({"response": {"emailMessage": "Remote {####}!", "emailSubject": "R"}})]
    sign_up(
        triggers,
        client_of(triggers, pool_id),
        username,
        UserAttributes=attribute_list(email=f"{username}@example.com"),
    )
    assert [each.function for each in api.invocations[seen:]] == ["remote-account"]
    message = last_message(triggers.server, pool_id, username)
    assert (message["subject"], message["body"]) == ("R", f"Remote {message['code']}!")
