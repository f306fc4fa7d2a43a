"""Signing in with a passkey (USER_AUTH's WEB_AUTHN) over boto3, the passkey registered through
StartWebAuthnRegistration / CompleteWebAuthnRegistration with a software authenticator
(tests/passkey_support.py): the options, a good assertion, and every refusal (a replayed or
tampered assertion, a counter going backwards, another user's passkey); no MFA after it."""

from __future__ import annotations

from typing import Any

import orjson

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.passkey_support import SoftwareAuthenticator, tampered_signature
from tests.signin_support import PASSWORD, claims, failure, tokens_of
from tests.user_auth_support import Choice
from userpool.auth.sessions import REUSED

server, cognito = outbox_fixtures("user-auth-passkeys")

REFUSED = ("NotAuthorizedException", "Incorrect username or password.")
SMS_MFA = {"SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::0:role/x"}}}


def with_passkey(choice: Choice) -> tuple[str, SoftwareAuthenticator]:
    """A user who signed in with their password and registered a passkey."""
    username = choice.user()
    signed_in = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    token = tokens_of(signed_in)["AccessToken"]
    options = choice.cognito.start_web_authn_registration(AccessToken=token)
    authenticator = SoftwareAuthenticator()
    credential = authenticator.register(options["CredentialCreationOptions"])
    choice.cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    return username, authenticator


def passkey_challenge(choice: Choice, username: str) -> dict[str, Any]:
    challenge = choice.initiate(username, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    return challenge


def test_a_passkey_signs_the_user_in(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito)
    username, authenticator = with_passkey(choice)
    assert choice.initiate(username)["AvailableChallenges"][-1] == "WEB_AUTHN"
    challenge = passkey_challenge(choice, username)
    options = orjson.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert options["rpId"] == "localhost"
    assert options["allowCredentials"] == [{"id": authenticator.id, "type": "public-key"}]
    answer = authenticator.authenticate(options)
    result = tokens_of(choice.respond(challenge, username, CREDENTIAL=answer))
    assert claims(result["AccessToken"])["username"] == username
    assert failure(choice.respond, challenge, username, CREDENTIAL=answer) == (
        "NotAuthorizedException",
        REUSED,
    )


def test_an_assertion_of_one_sign_in_does_not_open_another(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito)
    username, authenticator = with_passkey(choice)
    first = passkey_challenge(choice, username)
    answer = authenticator.authenticate(first["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    second = passkey_challenge(choice, username)
    assert failure(choice.respond, second, username, CREDENTIAL=answer) == REFUSED
    # A refused answer uses its session up.
    assert failure(choice.respond, second, username, CREDENTIAL=answer) == (
        "NotAuthorizedException",
        REUSED,
    )


def test_a_tampered_assertion_and_a_counter_going_back_are_refused(
    server: Server, cognito: Any
) -> None:
    choice = Choice.make(server, cognito)
    username, authenticator = with_passkey(choice)
    challenge = passkey_challenge(choice, username)
    answer = authenticator.authenticate(
        challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    )
    assert failure(choice.respond, challenge, username, CREDENTIAL=tampered_signature(answer)) == (
        REFUSED
    )
    challenge = passkey_challenge(choice, username)
    options = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    tokens_of(choice.respond(challenge, username, CREDENTIAL=authenticator.authenticate(options)))
    authenticator.sign_count -= 2  # a clone of the authenticator, behind the original
    challenge = passkey_challenge(choice, username)
    options = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    behind = authenticator.authenticate(options)
    assert failure(choice.respond, challenge, username, CREDENTIAL=behind) == REFUSED


def test_another_users_passkey_is_refused(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito)
    username, _ = with_passkey(choice)
    other, theirs = with_passkey(choice)
    challenge = passkey_challenge(choice, username)
    options = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    answer = theirs.authenticate(options)
    assert failure(choice.respond, challenge, username, CREDENTIAL=answer) == REFUSED
    assert other != username


def test_no_mfa_follows_a_passkey(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "WEB_AUTHN"])
    username, authenticator = with_passkey(choice)
    # With MFA on, a passkey may be a first factor only as both factors: one that verified
    # its user (Cognito's MULTI_FACTOR_WITH_USER_VERIFICATION).
    cognito.set_user_pool_mfa_config(
        UserPoolId=choice.pool_id,
        MfaConfiguration="ON",
        WebAuthnConfiguration={"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
        **SMS_MFA,
    )
    assert (
        choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)[
            "ChallengeName"
        ]
        == "SMS_MFA"
    )
    challenge = passkey_challenge(choice, username)
    options = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    tokens_of(choice.respond(challenge, username, CREDENTIAL=authenticator.authenticate(options)))


def test_a_passkey_standing_for_two_factors_must_verify_its_user(
    server: Server, cognito: Any
) -> None:
    choice = Choice.make(server, cognito, factors=["PASSWORD", "WEB_AUTHN"])
    username, authenticator = with_passkey(choice)
    cognito.set_user_pool_mfa_config(
        UserPoolId=choice.pool_id,
        MfaConfiguration="ON",
        WebAuthnConfiguration={"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
        **SMS_MFA,
    )
    challenge = passkey_challenge(choice, username)
    options = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert orjson.loads(options)["userVerification"] == "required"
    unverified = authenticator.authenticate(options, uv=False)
    assert failure(choice.respond, challenge, username, CREDENTIAL=unverified) == REFUSED
