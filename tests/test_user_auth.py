"""Choice-based sign-in (USER_AUTH) over boto3: SELECT_CHALLENGE and its AvailableChallenges,
each first factor named by PREFERRED_CHALLENGE or chosen as ANSWER (PASSWORD, PASSWORD_SRP,
EMAIL_OTP, SMS_OTP), MFA after a password and none after a code, and Cognito's refusals. The
passkey factor (WEB_AUTHN) is in test_user_auth_passkeys.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.mfa_support import MISMATCH
from tests.signin_support import (
    PASSWORD,
    WRONG_PASSWORD,
    claims,
    failure,
    invited_user,
    new_client,
    tokens_of,
    unique,
)
from tests.srp_support import Channel
from tests.user_auth_support import USER_AUTH_FLOWS, Choice
from userpool.auth.sessions import REUSED

server, cognito = outbox_fixtures("user-auth")

SMS_MFA = {"SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::0:role/x"}}}


@pytest.fixture
def choice(server: Server, cognito: Any) -> Choice:
    return Choice.make(server, cognito)


def test_without_a_preference_the_user_chooses_among_what_they_can_use(choice: Choice) -> None:
    verified = choice.user()
    unverified = choice.user(verified=False)
    for username, offered in (
        (verified, ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]),
        (unverified, ["PASSWORD_SRP", "PASSWORD"]),
    ):
        challenge = choice.initiate(username)
        assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
        assert challenge["AvailableChallenges"] == offered
        assert challenge["ChallengeParameters"] == {}


def test_the_pool_decides_which_factors_may_be_offered(server: Server, cognito: Any) -> None:
    only_password = Choice.make(server, cognito, factors=["PASSWORD"])
    assert only_password.initiate(only_password.user())["AvailableChallenges"] == [
        "PASSWORD_SRP",
        "PASSWORD",
    ]
    codes = Choice.make(server, cognito, factors=["PASSWORD", "SMS_OTP"])
    assert codes.initiate(codes.user())["AvailableChallenges"] == [
        "PASSWORD_SRP",
        "PASSWORD",
        "SMS_OTP",
    ]


def test_a_user_who_must_change_their_password_is_offered_only_passwords(choice: Choice) -> None:
    username = unique("invited")
    invited_user(choice.cognito, choice.pool_id, username, email="x@example.com")
    challenge = choice.initiate(username)
    assert challenge["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    step = choice.respond(challenge, username, ANSWER="PASSWORD", PASSWORD="Temp-Passw0rd-1")
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_preferred_password_signs_in_at_once(choice: Choice) -> None:
    username = choice.user()
    result = tokens_of(choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD))
    assert claims(result["AccessToken"])["username"] == username
    wrong = failure(choice.initiate, username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Nope-1a!")
    assert wrong == ("NotAuthorizedException", WRONG_PASSWORD)


def test_a_password_chosen_from_the_list_and_the_session_used_once(choice: Choice) -> None:
    username = choice.user()
    challenge = choice.initiate(username)
    tokens_of(choice.respond(challenge, username, ANSWER="PASSWORD", PASSWORD=PASSWORD))
    again = failure(choice.respond, challenge, username, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert again == ("NotAuthorizedException", REUSED)


def test_password_srp_preferred_and_chosen(choice: Choice) -> None:
    username = choice.user()
    channel = Channel(choice.cognito, choice.pool_id, choice.client_id)
    srp = channel.helper(username)
    params = srp.get_auth_params()
    verifier = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    tokens_of(channel.respond(srp.process_challenge(verifier["ChallengeParameters"], params)))

    srp = channel.helper(username)
    params = srp.get_auth_params()
    select = choice.initiate(username)
    verifier = choice.respond(select, username, ANSWER="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    tokens_of(channel.respond(srp.process_challenge(verifier["ChallengeParameters"], params)))


@pytest.mark.parametrize(
    ("factor", "field"), [("EMAIL_OTP", "EMAIL_OTP_CODE"), ("SMS_OTP", "SMS_OTP_CODE")]
)
def test_a_code_signs_the_user_in(server: Server, cognito: Any, factor: str, field: str) -> None:
    choice = Choice.make(server, cognito)
    username = choice.user()
    challenge = choice.initiate(username, PREFERRED_CHALLENGE=factor)
    assert challenge["ChallengeName"] == factor
    medium = "EMAIL" if factor == "EMAIL_OTP" else "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == medium
    code = choice.code(username)
    assert len(code) == 8 and code.isdigit()
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    assert failure(choice.respond, challenge, username, **{field: wrong}) == MISMATCH
    result = tokens_of(choice.respond(challenge, username, **{field: code}))  # no MFA
    assert claims(result["AccessToken"])["username"] == username
    again = failure(choice.respond, challenge, username, **{field: code})
    assert again == ("NotAuthorizedException", REUSED)


def test_mfa_follows_a_password(server: Server, cognito: Any) -> None:
    """(A pool with MFA may allow only PASSWORD and WEB_AUTHN as first factors.)"""
    choice = Choice.make(server, cognito, factors=["PASSWORD"])
    cognito.set_user_pool_mfa_config(UserPoolId=choice.pool_id, MfaConfiguration="ON", **SMS_MFA)
    username = choice.user()
    step = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert step["ChallengeName"] == "SMS_MFA"
    assert len(choice.code(username)) == 6
    tokens_of(choice.respond(step, username, SMS_MFA_CODE=choice.code(username)))


def test_a_preference_the_user_cannot_use_falls_back_to_the_choice(choice: Choice) -> None:
    username = choice.user(verified=False)
    challenge = choice.initiate(username, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
    assert challenge["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    refused = failure(choice.respond, challenge, username, ANSWER="EMAIL_OTP")
    assert refused[0] == "InvalidParameterException"
    unknown = failure(choice.initiate, username, PREFERRED_CHALLENGE="CARRIER_PIGEON")
    assert unknown[0] == "InvalidParameterException"


def test_a_client_without_allow_user_auth_is_refused(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito)
    other = new_client(cognito, choice.pool_id, ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))
    refused = failure(
        cognito.initiate_auth,
        ClientId=other["ClientId"],
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "anyone"},
    )
    assert refused == ("InvalidParameterException", "USER_AUTH flow not enabled for this client")
    assert "ALLOW_USER_AUTH" in USER_AUTH_FLOWS


def test_a_name_that_means_nobody(server: Server, cognito: Any) -> None:
    """LEGACY: UserNotFoundException. ENABLED: a choice like a user's, and a code challenge
    (for an email address) that no code passes."""
    legacy = Choice.make(server, cognito)
    assert failure(legacy.initiate, "nobody")[0] == "UserNotFoundException"
    hidden = Choice.make(server, cognito, client={"PreventUserExistenceErrors": "ENABLED"})
    name = f"{unique('nobody')}@example.com"
    select = hidden.initiate(name)
    assert select["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]
    code = hidden.initiate(name, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert code["ChallengeName"] == "EMAIL_OTP"
    assert code["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].endswith("@e***")
    assert failure(hidden.respond, code, name, EMAIL_OTP_CODE="12345678") == MISMATCH
    wrong = failure(hidden.initiate, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert wrong == ("NotAuthorizedException", WRONG_PASSWORD)
