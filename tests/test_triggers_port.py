"""The triggers port without a server: Cognito's trigger sources and LambdaConfig keys, the
event envelope, finding a pool's function, how each kind of failure becomes Cognito's error,
and the recording fake. Expected events follow the Cognito Developer Guide's samples and events
Cognito sent (as functions logged them). The in-process invoker: test_triggers_in_process.py."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.model import StructureShape

from tests.trigger_support import (
    ATTRIBUTES,
    GATEKEEPER,
    POOL,
    POOL_ID,
    RecordingInvoker,
    pre_authentication,
)
from userpool.domain.errors import (
    CognitoError,
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from userpool.triggers import (
    FunctionRaised,
    FunctionTimedOut,
    FunctionUnreachable,
    InvalidResponse,
    TriggerError,
    Triggers,
    cognito_error,
)
from userpool.triggers.config import function_name
from userpool.triggers.events import JSONDict, trigger_event
from userpool.triggers.sources import Trigger, TriggerSource

# --- sources and triggers --------------------------------------------------------------------

# The Developer Guide's "User pool Lambda trigger sources" table, then the sources its pre token
# generation (V3_0), inbound federation and custom sender pages add.
DOCUMENTED_SOURCES = {
    *("PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"),
    *("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword"),
    *("PreAuthentication_Authentication", "PostAuthentication_Authentication"),
    *("DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"),
    "VerifyAuthChallengeResponse_Authentication",
    *("TokenGeneration_HostedAuth", "TokenGeneration_Authentication"),
    *("TokenGeneration_NewPasswordChallenge", "TokenGeneration_AuthenticateDevice"),
    *("TokenGeneration_RefreshTokens", "TokenGeneration_ClientCredentials"),
    *("UserMigration_Authentication", "UserMigration_ForgotPassword"),
    *(f"CustomMessage_{event}" for event in ("SignUp", "AdminCreateUser", "ResendCode")),
    *(f"CustomMessage_{event}" for event in ("ForgotPassword", "Authentication")),
    *("CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute"),
    *(f"{sender}_{event}" for sender in ("CustomEmailSender", "CustomSMSSender")
      for event in ("SignUp", "ResendCode", "ForgotPassword", "UpdateUserAttribute",
                    "VerifyUserAttribute", "AdminCreateUser", "Authentication")),
    "CustomEmailSender_AccountTakeOverNotification",
    "InboundFederation_ExternalProvider",
}  # fmt: skip


def test_the_sources_are_cognitos() -> None:
    assert {source.value for source in TriggerSource} == DOCUMENTED_SOURCES
    assert {source.trigger for source in TriggerSource} == set(Trigger)  # each maps to one


def test_the_triggers_are_the_lambda_config_keys_that_name_functions() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    shape = model.shape_for("LambdaConfigType")
    assert isinstance(shape, StructureShape)
    keys = set(shape.members)
    # KMSKeyID is a key, not a function; PreTokenGenerationConfig is PreTokenGeneration's other
    # form (see test_pre_token_generation_config_is_preferred).
    assert {trigger.value for trigger in Trigger} == keys - {"KMSKeyID", "PreTokenGenerationConfig"}


@pytest.mark.parametrize(
    ("source", "trigger"),
    [
        (TriggerSource.PRE_SIGN_UP_ADMIN_CREATE_USER, Trigger.PRE_SIGN_UP),
        (TriggerSource.POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD, Trigger.POST_CONFIRMATION),
        (TriggerSource.VERIFY_AUTH_CHALLENGE_RESPONSE, Trigger.VERIFY_AUTH_CHALLENGE_RESPONSE),
        (TriggerSource.TOKEN_GENERATION_REFRESH_TOKENS, Trigger.PRE_TOKEN_GENERATION),
        (TriggerSource.USER_MIGRATION_FORGOT_PASSWORD, Trigger.USER_MIGRATION),
        (TriggerSource.CUSTOM_MESSAGE_AUTHENTICATION, Trigger.CUSTOM_MESSAGE),
        (TriggerSource.CUSTOM_SMS_SENDER_SIGN_UP, Trigger.CUSTOM_SMS_SENDER),
        (TriggerSource.INBOUND_FEDERATION, Trigger.INBOUND_FEDERATION),
    ],
)
def test_each_source_calls_its_trigger(source: TriggerSource, trigger: Trigger) -> None:
    assert source.trigger is trigger


# --- the event -------------------------------------------------------------------------------


def test_the_envelope_is_cognitos() -> None:
    wire = pre_authentication().wire()
    assert wire == {
        "version": "1",
        "triggerSource": "PreAuthentication_Authentication",
        "region": "eu-west-1",
        "userPoolId": POOL_ID,
        "userName": "alice",
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": "5og3ldap1shskk164029tg9a8s",
        },
        "request": {"userAttributes": ATTRIBUTES, "validationData": {}, "userNotFound": False},
        "response": {},
    }
    assert json.loads(json.dumps(wire)) == wire
    assert list(wire) == [  # the docs' order, which logged events keep
        *("version", "triggerSource", "region", "userPoolId", "userName"),
        *("callerContext", "request", "response"),
    ]


def test_an_admin_operation_has_no_client_and_pre_sign_up_starts_unconfirmed() -> None:
    event = trigger_event(
        TriggerSource.PRE_SIGN_UP_ADMIN_CREATE_USER,
        pool_id=POOL_ID,
        user_name="bob",
        client_id=None,
        request={"userAttributes": {"email": "bob@example.com"}, "validationData": None},
    )
    wire = event.wire()
    assert wire["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert wire["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


@pytest.mark.parametrize(
    ("source", "response"),
    [
        (
            TriggerSource.DEFINE_AUTH_CHALLENGE,
            {"challengeName": None, "issueTokens": None, "failAuthentication": None},
        ),
        (TriggerSource.VERIFY_AUTH_CHALLENGE_RESPONSE, {"answerCorrect": None}),
        (
            TriggerSource.CUSTOM_MESSAGE_FORGOT_PASSWORD,
            {"smsMessage": None, "emailMessage": None, "emailSubject": None},
        ),
        (TriggerSource.POST_AUTHENTICATION, {}),
    ],
)
def test_the_response_starts_as_cognito_sends_it(source: TriggerSource, response: JSONDict) -> None:
    event = trigger_event(source, pool_id=POOL_ID, user_name="u", client_id="c", request={})
    assert event.wire()["response"] == response


@pytest.mark.parametrize(
    ("version", "response"),
    [("1", {"claimsOverrideDetails": None}), ("2", {"claimsAndScopeOverrideDetails": None})],
)
def test_a_token_generation_response_follows_its_version(version: str, response: JSONDict) -> None:
    event = trigger_event(
        TriggerSource.TOKEN_GENERATION_AUTHENTICATION,
        pool_id=POOL_ID,
        user_name="alice",
        client_id="c",
        request={"userAttributes": ATTRIBUTES},
        version=version,
    )
    assert (event.wire()["version"], event.wire()["response"]) == (version, response)


def test_a_client_credentials_event_names_no_user() -> None:
    event = trigger_event(
        TriggerSource.TOKEN_GENERATION_CLIENT_CREDENTIALS,
        pool_id=POOL_ID,
        user_name=None,
        client_id="machine",
        request={"scopes": ["api/read"]},
        version="3",
    )
    assert "userName" not in event.wire()


def test_neither_the_callers_request_nor_the_wire_form_reach_the_event() -> None:
    request: JSONDict = {"userAttributes": {"email": "alice@example.com"}}
    event = trigger_event(
        TriggerSource.POST_AUTHENTICATION, pool_id=POOL_ID, user_name="a", client_id="c",
        request=request,
    )  # fmt: skip
    request["userAttributes"]["email"] = "mallory@example.com"
    event.wire()["request"]["userAttributes"]["email"] = "eve@example.com"
    assert event.wire()["request"] == {"userAttributes": {"email": "alice@example.com"}}


# --- which function ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "gatekeeper",
        "gatekeeper:live",
        "arn:aws:lambda:us-east-1:111122223333:function:gatekeeper",
        "arn:aws:lambda:ap-south-1:444455556666:function:gatekeeper:$LATEST",
        "arn:aws-cn:lambda:cn-north-1:777788889999:function:gatekeeper:3",
        "123456789012:function:gatekeeper",
    ],
)
def test_a_function_is_named_the_same_in_every_form(reference: str) -> None:
    assert function_name(reference) == "gatekeeper"


@pytest.mark.parametrize(
    "settings",
    [{}, {"LambdaConfig": {}}, {"LambdaConfig": {"PostAuthentication": GATEKEEPER}}],
)
def test_a_pool_without_the_trigger_calls_nothing(settings: JSONDict) -> None:
    invoker = RecordingInvoker()
    triggers = Triggers(invoker)
    assert triggers.function_for(settings, TriggerSource.PRE_AUTHENTICATION) is None
    assert triggers.call(settings, pre_authentication()) is None
    assert invoker.calls == []


def test_pre_token_generation_config_is_preferred() -> None:
    legacy = "arn:aws:lambda:eu-west-1:123456789012:function:claims-v1"
    versioned = "arn:aws:lambda:eu-west-1:123456789012:function:claims-v2"
    pool = {
        "LambdaConfig": {
            "PreTokenGeneration": legacy,
            "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": versioned},
        }
    }
    triggers = Triggers(RecordingInvoker())
    source = TriggerSource.TOKEN_GENERATION_REFRESH_TOKENS
    assert triggers.function_for(pool, source) == versioned
    assert triggers.version_for(pool, source) == "2"
    legacy_pool = {"LambdaConfig": {"PreTokenGeneration": legacy}}
    assert triggers.function_for(legacy_pool, source) == legacy
    assert triggers.version_for(legacy_pool, source) == "1"
    assert triggers.version_for(pool, TriggerSource.PRE_AUTHENTICATION) == "1"


@pytest.mark.parametrize(("lambda_version", "called"), [("V2_0", False), ("V3_0", True)])
def test_client_credentials_call_only_a_v3_function(lambda_version: str, called: bool) -> None:
    config = {"LambdaVersion": lambda_version, "LambdaArn": GATEKEEPER}
    pool = {"LambdaConfig": {"PreTokenGenerationConfig": config}}
    found = Triggers(RecordingInvoker()).function_for(
        pool, TriggerSource.TOKEN_GENERATION_CLIENT_CREDENTIALS
    )
    assert found == (GATEKEEPER if called else None)


def test_a_sender_is_found_in_its_version_block() -> None:
    pool = {"LambdaConfig": {"CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": GATEKEEPER}}}
    triggers = Triggers(RecordingInvoker())
    assert triggers.function_for(pool, TriggerSource.CUSTOM_SMS_SENDER_SIGN_UP) == GATEKEEPER
    assert triggers.function_for(pool, TriggerSource.CUSTOM_EMAIL_SENDER_SIGN_UP) is None


# --- failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error", "message"),
    [
        (FunctionRaised("No."), UserLambdaValidationException, "PreSignUp failed with error No.."),
        (
            FunctionUnreachable("AccessDeniedException"),
            UnexpectedLambdaException,
            "PreSignUp invocation failed due to error AccessDeniedException.",
        ),
        (
            FunctionTimedOut(),
            UnexpectedLambdaException,
            "PreSignUp invocation failed due to error "
            "Socket timeout while invoking Lambda function.",
        ),
        (
            InvalidResponse("Unrecognizable lambda output"),
            InvalidLambdaResponseException,
            "Unrecognizable lambda output",
        ),
    ],
)
def test_each_failure_maps_to_one_cognito_error(
    failure: TriggerError, error: type[CognitoError], message: str
) -> None:
    mapped = cognito_error(Trigger.PRE_SIGN_UP, failure)
    assert (type(mapped), mapped.message) == (error, message)


# --- the recording fake, as engine tests will use it -------------------------------------------


def test_the_recording_invoker_records_events_and_answers_from_its_table() -> None:
    invoker = RecordingInvoker({GATEKEEPER: {"answer": 42}})
    triggers = Triggers(invoker)
    event = pre_authentication()
    assert triggers.call(POOL, event) == {"answer": 42}
    invoker.answers[GATEKEEPER] = FunctionRaised("Blocked")
    with pytest.raises(UserLambdaValidationException, match=r"with error Blocked\.$"):
        triggers.call(POOL, event)
    invoker.answers[GATEKEEPER] = lambda sent: None
    with pytest.raises(InvalidLambdaResponseException):
        triggers.call(POOL, event)
    assert [call.function for call in invoker.calls] == [GATEKEEPER] * 3
    assert invoker.calls[0].event == event.wire()
    assert invoker.sources() == ["PreAuthentication_Authentication"] * 3
