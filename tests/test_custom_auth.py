"""CUSTOM_AUTH through boto3 against `userpool serve --triggers`, with the Define / Create /
Verify functions as real handler files (tests/triggers/signin: define.mjs, create.cjs in the
callback style, verify.py): rounds until two right answers in a row, each handler's event
asserted as it received it; wrong answers and failAuthentication; SRP first; the pool's MFA
after the functions issue tokens; ClientMetadata reaching exactly the triggers the API
reference lists; a name that means nobody; and the Session, single-use and bound to its client.
(The engine in-process, with a recording invoker: test_custom_auth_engine.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.codes_support import last_code
from tests.conftest import REGION
from tests.mfa_support import EMAIL_CONFIGURATION
from tests.signin_support import PASSWORD, claims, failure, unique
from tests.signin_trigger_support import (
    CUSTOM,
    INCORRECT,
    POST_AUTH,
    PRE_AUTH,
    PRE_TOKEN,
    USED_SESSION,
    CustomSignIn,
    TriggerServer,
    app_client,
    trigger_pool,
    trigger_server_fixture,
    user,
)

triggers = trigger_server_fixture("custom-auth")

DEFINE_SOURCE = "DefineAuthChallenge_Authentication"
CREATE_SOURCE = "CreateAuthChallenge_Authentication"
VERIFY_SOURCE = "VerifyAuthChallengeResponse_Authentication"
UNKNOWN_SDK = "aws-sdk-unknown-unknown"


def custom_sign_in(
    triggers: TriggerServer, extra: dict[str, str] | None = None, **client: Any
) -> CustomSignIn:
    """A user with an email address in a pool whose custom challenge is define/create/verify."""
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {**CUSTOM, **(extra or {})})
    client_id = app_client(cognito, pool_id, "ALLOW_CUSTOM_AUTH", **client)
    username = user(cognito, pool_id, email=f"{unique('cy')}@example.com")
    return CustomSignIn(cognito, pool_id, client_id, username)


def rounds(*entries: tuple[str, bool, str | None]) -> list[dict[str, Any]]:
    return [
        {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}
        for name, result, metadata in entries
    ]


def test_rounds_until_two_right_answers_then_tokens(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(triggers)
    first = sign_in.initiate()
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    # Only the public parameters and USERNAME: the answer stays with the server.
    assert first["ChallengeParameters"] == {
        "question": "what is 0 + 1?",
        "USERNAME": sign_in.username,
    }
    sessions = [first["Session"]]
    for answer in ("1", "nope", "nope", "4"):
        response = sign_in.answer(answer)
        round_number = len(sessions)
        assert response["ChallengeParameters"]["question"] == f"what is {round_number} + 1?"
        assert response["Session"] not in sessions
        sessions.append(response["Session"])
    tokens = sign_in.answer("5")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == sign_in.username

    defines = triggers.events(sign_in.pool_id, DEFINE_SOURCE)
    assert [len(event["request"]["session"]) for event in defines] == [0, 1, 2, 3, 4, 5]
    played = [(True, 0), (False, 1), (False, 2), (True, 3), (True, 4)]
    history = rounds(*[("CUSTOM_CHALLENGE", ok, f"ROUND-{n}") for ok, n in played])
    attributes = defines[0]["request"]["userAttributes"]
    assert attributes["email"].endswith("@example.com")
    assert attributes["cognito:user_status"] == "CONFIRMED"
    assert defines[-1] == {
        "version": "1",
        "triggerSource": DEFINE_SOURCE,
        "region": REGION,
        "userPoolId": sign_in.pool_id,
        "userName": sign_in.username,
        "callerContext": {"awsSdkVersion": UNKNOWN_SDK, "clientId": sign_in.client_id},
        "request": {
            "userAttributes": attributes,
            "session": history,
            "clientMetadata": {},
            "userNotFound": False,
        },
        "response": {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    }
    creates = triggers.events(sign_in.pool_id, CREATE_SOURCE)
    assert [event["request"]["session"] for event in creates] == [history[:n] for n in range(5)]
    assert creates[2]["request"] == {
        "userAttributes": attributes,
        "challengeName": "CUSTOM_CHALLENGE",
        "session": history[:2],
        "clientMetadata": {},
        "userNotFound": False,
    }
    verifies = triggers.events(sign_in.pool_id, VERIFY_SOURCE)
    answers = [event["request"]["challengeAnswer"] for event in verifies]
    assert answers == ["1", "nope", "nope", "4", "5"]
    assert verifies[1]["request"] == {
        "userAttributes": attributes,
        "privateChallengeParameters": {"answer": "2"},
        "challengeAnswer": "nope",
        "clientMetadata": {},
        "userNotFound": False,
    }
    assert verifies[1]["response"] == {"answerCorrect": None}
    # The refresh token of a custom sign-in works like any other.
    refreshed = triggers.cognito.initiate_auth(
        ClientId=sign_in.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert claims(refreshed["AuthenticationResult"]["AccessToken"])["username"] == sign_in.username


def test_three_wrong_answers_and_define_fails_the_sign_in(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(triggers)
    sign_in.initiate()
    sign_in.answer("wrong")
    sign_in.answer("wrong")
    assert failure(sign_in.answer, "wrong") == INCORRECT
    assert len(triggers.events(sign_in.pool_id, DEFINE_SOURCE)) == 4
    # failAuthentication at once, as ClientMetadata tells the function.
    sign_in.initiate()
    assert failure(sign_in.answer, "1", define="fail") == INCORRECT


def test_a_function_that_fails_ends_the_sign_in_with_cognitos_error(
    triggers: TriggerServer,
) -> None:
    sign_in = custom_sign_in(triggers)
    sign_in.initiate()
    assert failure(sign_in.answer, "1", create="throw") == (
        "UserLambdaValidationException",
        "CreateAuthChallenge failed with error no question for you.",
    )
    # No error of a function leaves the session usable (docs/custom-auth.md).
    assert failure(sign_in.answer, "1") == ("NotAuthorizedException", USED_SESSION)
    sign_in.initiate()
    assert failure(sign_in.answer, "1", define="throw") == (
        "UserLambdaValidationException",
        "DefineAuthChallenge failed with error define is broken.",
    )
    sign_in.initiate()
    assert failure(sign_in.answer, "1", define="malformed") == (
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )


def test_a_user_who_must_change_their_password_does_so_once_define_issues_tokens(
    triggers: TriggerServer,
) -> None:
    """NEW_PASSWORD_REQUIRED comes after DefineAuthChallenge's tokens, as the pool's MFA does;
    the function is not asked again once it has issued them."""
    sign_in = custom_sign_in(triggers, {"PreTokenGeneration": PRE_TOKEN})
    sign_in.username = unique("invited")
    sign_in.cognito.admin_create_user(
        UserPoolId=sign_in.pool_id,
        Username=sign_in.username,
        TemporaryPassword="Temp-Passw0rd-1",
        MessageAction="SUPPRESS",
    )
    sign_in.initiate()
    sign_in.answer("1")
    assert sign_in.answer("2")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    tokens = sign_in.respond("NEW_PASSWORD_REQUIRED", {"NEW_PASSWORD": PASSWORD})
    id_token = claims(tokens["AuthenticationResult"]["IdToken"])
    assert id_token["trigger_source"] == "TokenGeneration_NewPasswordChallenge"
    assert len(triggers.events(sign_in.pool_id, DEFINE_SOURCE)) == 3


def test_a_user_who_may_not_sign_in_is_refused_before_any_function(
    triggers: TriggerServer,
) -> None:
    """Disabled between two answers (AdminDisableUser: "A deactivated user can't sign in"),
    or never confirmed."""
    sign_in = custom_sign_in(triggers)
    sign_in.initiate()
    sign_in.answer("1")
    sign_in.cognito.admin_disable_user(UserPoolId=sign_in.pool_id, Username=sign_in.username)
    called = triggers.sources(sign_in.pool_id)
    assert failure(sign_in.answer, "2") == ("NotAuthorizedException", "User is disabled.")
    assert triggers.sources(sign_in.pool_id) == called
    sign_in.username = unique("signed-up")
    sign_in.cognito.sign_up(
        ClientId=sign_in.client_id, Username=sign_in.username, Password=PASSWORD
    )
    assert failure(sign_in.initiate) == ("UserNotConfirmedException", "User is not confirmed.")
    assert triggers.sources(sign_in.pool_id) == called


def test_without_a_define_function_custom_auth_is_refused(triggers: TriggerServer) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"CreateAuthChallenge": CUSTOM["CreateAuthChallenge"]})
    sign_in = CustomSignIn(
        cognito, pool_id, app_client(cognito, pool_id, "ALLOW_CUSTOM_AUTH"), user(cognito, pool_id)
    )
    assert failure(sign_in.initiate) == (
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    )
    assert triggers.events(pool_id) == []


def srp_start(sign_in: CustomSignIn, password: str) -> tuple[AWSSRP, dict[str, str]]:
    """CUSTOM_AUTH started with SRP_A, as Amplify's CUSTOM_WITH_SRP does: pycognito's A."""
    srp = AWSSRP(
        username=sign_in.username,
        password=password,
        pool_id=sign_in.pool_id,
        client_id=sign_in.client_id,
        client=sign_in.cognito,
    )
    params: dict[str, str] = srp.get_auth_params()
    challenge = sign_in.initiate({**params, "CHALLENGE_NAME": "SRP_A"})
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(challenge["ChallengeParameters"]) == {
        "SALT",
        "SRP_B",
        "SECRET_BLOCK",
        "USERNAME",
        "USER_ID_FOR_SRP",
    }
    return srp, params


def test_srp_first_then_custom_rounds(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(triggers)
    srp, params = srp_start(sign_in, PASSWORD)
    claim = srp.process_challenge(sign_in.last["ChallengeParameters"], params)
    verifier = sign_in.last
    custom = sign_in.respond("PASSWORD_VERIFIER", claim)
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    # The same claim again (within its five minutes) is refused before DefineAuthChallenge.
    sign_in.last = verifier
    called = triggers.sources(sign_in.pool_id)
    assert failure(sign_in.respond, "PASSWORD_VERIFIER", claim) == (
        "NotAuthorizedException",
        USED_SESSION,
    )
    assert triggers.sources(sign_in.pool_id) == called
    sign_in.last = custom
    assert custom["ChallengeParameters"]["question"] == "what is 2 + 1?"
    sign_in.answer("3")
    assert "AuthenticationResult" in sign_in.answer("4")
    sessions = [e["request"]["session"] for e in triggers.events(sign_in.pool_id, DEFINE_SOURCE)]
    srp_rounds = [("SRP_A", True, None), ("PASSWORD_VERIFIER", True, None)]
    assert sessions == [
        rounds(srp_rounds[0]),
        rounds(*srp_rounds),
        rounds(*srp_rounds, ("CUSTOM_CHALLENGE", True, "ROUND-2")),
        rounds(
            *srp_rounds,
            ("CUSTOM_CHALLENGE", True, "ROUND-2"),
            ("CUSTOM_CHALLENGE", True, "ROUND-3"),
        ),
    ]


def test_srp_first_with_a_wrong_password_ends_there(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(triggers)
    srp, params = srp_start(sign_in, "Not-The-Passw0rd")
    claim = srp.process_challenge(sign_in.last["ChallengeParameters"], params)
    assert failure(sign_in.respond, "PASSWORD_VERIFIER", claim) == INCORRECT
    assert triggers.sources(sign_in.pool_id) == [DEFINE_SOURCE]


def test_the_pools_mfa_follows_the_custom_challenge(triggers: TriggerServer) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, CUSTOM, EmailConfiguration=EMAIL_CONFIGURATION)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        EmailMfaConfiguration={"Subject": "Your sign-in code"},
    )
    client_id = app_client(cognito, pool_id, "ALLOW_CUSTOM_AUTH")
    username = user(cognito, pool_id, email=f"{unique('mfa')}@example.com")
    sign_in = CustomSignIn(cognito, pool_id, client_id, username)
    sign_in.initiate()
    sign_in.answer("1")
    second_factor = sign_in.answer("2")
    assert second_factor["ChallengeName"] == "EMAIL_OTP"
    assert "AuthenticationResult" not in second_factor
    code = last_code(triggers.server, pool_id, username)
    tokens = sign_in.respond("EMAIL_OTP", {"EMAIL_OTP_CODE": code})["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == username
    # DefineAuthChallenge issued tokens once; the second factor is the pool's, not its.
    assert len(triggers.events(pool_id, DEFINE_SOURCE)) == 3


@pytest.mark.parametrize("admin", [False, True], ids=["public", "admin"])
def test_client_metadata_reaches_exactly_the_triggers_each_operation_lists(
    triggers: TriggerServer, admin: bool
) -> None:
    """InitiateAuth's reaches PreAuthentication (as validationData); each answer's reaches
    Verify, then Define and Create, and at the end PostAuthentication and PreTokenGeneration."""
    extra = {"PreAuthentication": PRE_AUTH, "PostAuthentication": POST_AUTH}
    sign_in = custom_sign_in(triggers, {**extra, "PreTokenGeneration": PRE_TOKEN})
    sign_in.admin = admin
    sign_in.initiate(step="initiate")
    sign_in.answer("1", step="answer-1")
    assert "AuthenticationResult" in sign_in.answer("2", step="answer-2")
    events = triggers.events(sign_in.pool_id)
    seen = [
        (event["triggerSource"].split("_")[0], event["request"].get("clientMetadata"))
        for event in events
    ]
    first, second = {"step": "answer-1"}, {"step": "answer-2"}
    assert seen == [
        ("PreAuthentication", None),
        ("DefineAuthChallenge", {}),
        ("CreateAuthChallenge", {}),
        ("VerifyAuthChallengeResponse", first),
        ("DefineAuthChallenge", first),
        ("CreateAuthChallenge", first),
        ("VerifyAuthChallengeResponse", second),
        ("DefineAuthChallenge", second),
        ("PostAuthentication", second),
        ("TokenGeneration", second),
    ]
    assert events[0]["request"]["validationData"] == {"step": "initiate"}
    assert events[0]["request"]["userNotFound"] is False
    assert {event["callerContext"]["clientId"] for event in events} == {sign_in.client_id}


def test_a_name_that_means_nobody_goes_on_but_never_gets_tokens(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(
        triggers, {"PreAuthentication": PRE_AUTH}, PreventUserExistenceErrors="ENABLED"
    )
    sign_in.username = unique("nobody")
    challenge = sign_in.initiate()
    assert challenge["ChallengeParameters"] == {
        "question": "what is 0 + 1?",
        "USERNAME": sign_in.username,
    }
    sign_in.answer("1")
    assert failure(sign_in.answer, "2") == INCORRECT
    events = triggers.events(sign_in.pool_id)
    assert [event["triggerSource"] for event in events] == [
        "PreAuthentication_Authentication",
        DEFINE_SOURCE,
        CREATE_SOURCE,
        VERIFY_SOURCE,
        DEFINE_SOURCE,
        CREATE_SOURCE,
        VERIFY_SOURCE,
        DEFINE_SOURCE,
    ]
    assert {event["userName"] for event in events} == {sign_in.username}
    assert all(event["request"]["userNotFound"] is True for event in events)
    assert all(event["request"]["userAttributes"] == {} for event in events)


def test_a_name_that_means_nobody_is_told_where_the_client_does_not_hide_it(
    triggers: TriggerServer,
) -> None:
    sign_in = custom_sign_in(triggers, PreventUserExistenceErrors="LEGACY")
    sign_in.username = unique("nobody")
    assert failure(sign_in.initiate) == ("UserNotFoundException", "User does not exist.")
    assert triggers.events(sign_in.pool_id) == []


def test_a_session_is_used_once_and_only_by_its_client(triggers: TriggerServer) -> None:
    sign_in = custom_sign_in(triggers)
    other_client = app_client(triggers.cognito, sign_in.pool_id, "ALLOW_CUSTOM_AUTH")
    first = sign_in.initiate()
    refused = failure(sign_in.answer, "1", client_id=other_client)
    assert refused == ("NotAuthorizedException", "Invalid session for the user.")
    assert triggers.events(sign_in.pool_id, VERIFY_SOURCE) == []
    sign_in.last = first  # the refusal did not use it up
    assert sign_in.answer("1")["ChallengeName"] == "CUSTOM_CHALLENGE"
    second = sign_in.last
    sign_in.last = first
    called = triggers.sources(sign_in.pool_id)
    assert failure(sign_in.answer, "1") == ("NotAuthorizedException", USED_SESSION)
    # A replay reaches none of the functions (Create might send a code, Verify count a guess)
    # and changes nothing: the session it was answered with still goes on.
    assert triggers.sources(sign_in.pool_id) == called
    sign_in.last = second
    assert "AuthenticationResult" in sign_in.answer("2")
