"""PreSignUp through boto3 against a running server whose functions are real handler files
(tests/triggers/account/, in node and python workers) or FakeLambda's Invoke API: SignUp and
AdminCreateUser show the function the new user before anything is stored (a refusal leaves
nothing behind), each event asserted whole as the handler received it; what SignUp makes of the
answer (autoConfirmUser, autoVerifyEmail/Phone) and what AdminCreateUser does not; unusable
answers. PostConfirmation and UserMigration: test_triggers_account_confirmation.py;
CustomMessage: test_triggers_account_messages.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.account_trigger_support import (
    BAD_ANSWER,
    LAMBDA_ERROR,
    NODE,
    PRE_SIGN_UP_START,
    PYTHON,
    REMOTE,
    RUNTIMES,
    TriggerServer,
    client_of,
    envelope,
    missing,
    sign_up,
    status_of,
    trigger_pool,
    trigger_server_fixture,
    user_attributes,
)
from tests.codes_support import delivered
from tests.conftest import REGION
from tests.signin_support import (
    attribute_list,
    confirmed_user,
    failure,
    tokens_of,
    unique,
    user_auth,
)
from tests.trigger_support import function_error, returned

triggers = trigger_server_fixture("account-triggers")


# --- PreSignUp --------------------------------------------------------------------------------


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_pre_sign_up_is_shown_the_new_user(triggers: TriggerServer, runtime: str) -> None:
    pool_id = trigger_pool(
        triggers.cognito, {"PreSignUp": RUNTIMES[runtime]}, AutoVerifiedAttributes=["email"]
    )
    client_id = client_of(triggers, pool_id)
    username, address = unique("pat"), f"{unique('pat')}@example.com"
    response = sign_up(
        triggers,
        client_id,
        username,
        UserAttributes=attribute_list(email=address, given_name="Pat"),
        ValidationData=attribute_list(invite="X42", referrer="ads"),
        ClientMetadata={"origin": "web"},
    )
    assert response["UserConfirmed"] is False
    assert response["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    call = triggers.only_call(pool_id, "PreSignUp_SignUp")
    assert call.runtime == runtime
    request = {
        "userAttributes": {"email": address, "given_name": "Pat"},
        "validationData": {"invite": "X42", "referrer": "ads"},
        "clientMetadata": {"origin": "web"},
    }
    assert call.event == envelope(
        "PreSignUp_SignUp", pool_id, username, client_id, request, PRE_SIGN_UP_START
    )
    assert user_attributes(triggers.cognito, pool_id, username) == {
        "sub": response["UserSub"],
        "email": address,
        "given_name": "Pat",
        "cognito:user_status": "UNCONFIRMED",
    }


def test_without_validation_data_it_is_null(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE})
    client_id = client_of(triggers, pool_id)
    username = unique("nat")
    sign_up(triggers, client_id, username)
    request = {"userAttributes": {}, "validationData": None, "clientMetadata": {}}
    event = triggers.only_call(pool_id, "PreSignUp_SignUp").event
    assert event == envelope(
        "PreSignUp_SignUp", pool_id, username, client_id, request, PRE_SIGN_UP_START
    )


def test_email_as_username_shows_the_generated_username(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": PYTHON}, UsernameAttributes=["email"])
    address = f"{unique('eve')}@example.com"
    sub = sign_up(triggers, client_of(triggers, pool_id), address)["UserSub"]
    event = triggers.only_call(pool_id, "PreSignUp_SignUp").event
    assert (event["userName"], event["request"]["userAttributes"]) == (sub, {"email": address})


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_a_refused_sign_up_stores_nothing(triggers: TriggerServer, runtime: str) -> None:
    pool_id = trigger_pool(
        triggers.cognito, {"PreSignUp": RUNTIMES[runtime]}, AutoVerifiedAttributes=["email"]
    )
    client_id = client_of(triggers, pool_id)
    username = unique("rex")
    email = attribute_list(email=f"{username}@example.com")
    refused = failure(sign_up, triggers, client_id, username, "refuse", UserAttributes=email)
    assert refused == (LAMBDA_ERROR, "PreSignUp failed with error sign-ups are closed.")
    assert missing(triggers, pool_id, username)
    # The name is still free.
    assert sign_up(triggers, client_id, username, UserAttributes=email)["UserConfirmed"] is False
    assert status_of(triggers, pool_id, username) == "UNCONFIRMED"
    assert triggers.sources(pool_id) == ["PreSignUp_SignUp", "PreSignUp_SignUp"]


def admin_create(triggers: TriggerServer, pool_id: str, username: str, **extra: Any) -> Any:
    return triggers.cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", **extra
    )


def test_admin_create_user_calls_its_own_source(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": PYTHON})
    username, address = unique("ada"), f"{unique('ada')}@example.com"
    created = admin_create(
        triggers,
        pool_id,
        username,
        UserAttributes=attribute_list(email=address),
        ValidationData=attribute_list(ticket="T-1"),
        ClientMetadata={"by": "support"},
    )
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    request = {
        "userAttributes": {"email": address},
        "validationData": {"ticket": "T-1"},
        "clientMetadata": {"by": "support"},
    }
    event = triggers.only_call(pool_id, "PreSignUp_AdminCreateUser").event
    assert event == envelope(
        "PreSignUp_AdminCreateUser", pool_id, username, None, request, PRE_SIGN_UP_START
    )


def test_a_refused_admin_create_user_stores_nothing(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE})
    username = unique("ray")
    refused = failure(
        admin_create, triggers, pool_id, username, ClientMetadata={"script": "refuse"}
    )
    assert refused == (LAMBDA_ERROR, "PreSignUp failed with error sign-ups are closed.")
    assert missing(triggers, pool_id, username)
    assert admin_create(triggers, pool_id, username)["User"]["Username"] == username


def test_auto_confirm_sends_no_code(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE}, AutoVerifiedAttributes=["email"])
    client_id = client_of(triggers, pool_id)
    username = unique("cy")
    email = attribute_list(email=f"{username}@example.com")
    response = sign_up(triggers, client_id, username, "confirm", UserAttributes=email)
    assert response["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in response
    assert delivered(triggers.server, pool_id, username) == []
    assert tokens_of(user_auth(triggers.cognito, client_id, username))
    # Confirmed, not verified: the function did not say so.
    attributes = user_attributes(triggers.cognito, pool_id, username)
    assert "email_verified" not in attributes
    assert attributes["cognito:user_status"] == "CONFIRMED"


def test_auto_verify_marks_email_and_phone_verified(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": PYTHON})
    username = unique("vi")
    contact = attribute_list(email=f"{username}@example.com", phone_number="+15550100123")
    sign_up(
        triggers,
        client_of(triggers, pool_id),
        username,
        "verify-email,verify-phone",
        UserAttributes=contact,
    )
    attributes = user_attributes(triggers.cognito, pool_id, username)
    assert attributes["email_verified"] == "true"
    assert attributes["phone_number_verified"] == "true"
    assert attributes["cognito:user_status"] == "UNCONFIRMED"


def test_an_auto_verified_alias_moves_to_the_new_user(triggers: TriggerServer) -> None:
    """The Developer Guide (pre sign-up trigger, autoVerifyEmail): "If an alias with that email
    already exists, the alias will be moved to the new user and the previous user's email will
    be marked as unverified"."""
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE}, AliasAttributes=["email"])
    client_id = client_of(triggers, pool_id)
    address = f"{unique('al')}@example.com"
    holder, newcomer = unique("old"), unique("new")
    confirmed_user(triggers.cognito, pool_id, holder, email=address, email_verified="true")
    email = attribute_list(email=address)
    sign_up(triggers, client_id, newcomer, "confirm,verify-email", UserAttributes=email)
    assert user_attributes(triggers.cognito, pool_id, newcomer)["email_verified"] == "true"
    assert user_attributes(triggers.cognito, pool_id, holder)["email_verified"] == "false"
    signed_in = tokens_of(user_auth(triggers.cognito, client_id, address))
    assert triggers.cognito.get_user(AccessToken=signed_in["AccessToken"])["Username"] == newcomer


def test_auto_verify_of_a_missing_phone_is_refused(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE})
    username = unique("ph")
    email = attribute_list(email=f"{username}@example.com")
    refused = failure(
        sign_up,
        triggers,
        client_of(triggers, pool_id),
        username,
        "verify-phone",
        UserAttributes=email,
    )
    assert refused[0] == BAD_ANSWER
    assert missing(triggers, pool_id, username)


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("nothing", "Invalid lambda function output : Invalid JSON"),
        ("garbled", "Unrecognizable lambda output"),
    ],
)
@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_an_unusable_answer_stores_nothing(
    triggers: TriggerServer, runtime: str, script: str, message: str
) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": RUNTIMES[runtime]})
    username = unique("mal")
    client_id = client_of(triggers, pool_id)
    assert failure(sign_up, triggers, client_id, username, script) == (BAD_ANSWER, message)
    assert missing(triggers, pool_id, username)


def test_admin_create_user_ignores_what_the_answer_sets(triggers: TriggerServer) -> None:
    """The Developer Guide (pre sign-up trigger, response parameters): autoConfirmUser,
    autoVerifyEmail and autoVerifyPhone are ignored when AdminCreateUser calls the function."""
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": NODE})
    username = unique("iggy")
    created = admin_create(
        triggers,
        pool_id,
        username,
        UserAttributes=attribute_list(email=f"{username}@example.com"),
        ClientMetadata={"script": "confirm,verify-email,verify-phone"},
    )
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    attributes = user_attributes(triggers.cognito, pool_id, username)
    assert "email_verified" not in attributes
    assert "phone_number_verified" not in attributes


# --- through the Lambda Invoke API -------------------------------------------------------------


def test_pre_sign_up_through_the_invoke_api(triggers: TriggerServer) -> None:
    pool_id = trigger_pool(triggers.cognito, {"PreSignUp": REMOTE})
    client_id = client_of(triggers, pool_id)
    api = triggers.lambda_api
    seen = len(api.invocations)
    refused, confirmed, plain = unique("far"), unique("far"), unique("far")
    api.replies = [
        function_error("no invitation"),
        returned({"response": {"autoConfirmUser": True}}),
    ]
    assert failure(sign_up, triggers, client_id, refused) == (
        LAMBDA_ERROR,
        "PreSignUp failed with error no invitation.",
    )
    assert sign_up(triggers, client_id, confirmed)["UserConfirmed"] is True
    assert sign_up(triggers, client_id, plain)["UserConfirmed"] is False  # the event echoed
    invocations = api.invocations[seen:]
    assert [(each.function, each.region) for each in invocations] == [
        ("remote-account", REGION)
    ] * 3
    request = {"userAttributes": {}, "validationData": None, "clientMetadata": {}}
    assert [json.loads(each.body) for each in invocations] == [
        envelope("PreSignUp_SignUp", pool_id, name, client_id, request, PRE_SIGN_UP_START)
        for name in (refused, confirmed, plain)
    ]
    assert missing(triggers, pool_id, refused)
    assert status_of(triggers, pool_id, confirmed) == "CONFIRMED"
    assert status_of(triggers, pool_id, plain) == "UNCONFIRMED"
    assert triggers.calls(pool_id) == []  # no handler file was asked
