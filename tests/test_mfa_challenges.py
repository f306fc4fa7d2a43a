"""Second factors during sign-in, over boto3: SOFTWARE_TOKEN_MFA, SMS_MFA and EMAIL_OTP after
a password, SRP or a new password, SELECT_MFA_TYPE, MFA_SETUP (an authenticator through
AssociateSoftwareToken / VerifySoftwareToken with the session, or an email address), and
Cognito's refusals. SMS and email codes are read back from the server's outbox; what needs a
clock minutes ahead runs the server's own engine in-process."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import update

from tests.codes_support import UNDELIVERABLE, outbox_fixtures, tag_pool
from tests.conftest import Server, server_store
from tests.mfa_support import (
    FACTOR_BLOCKS,
    MISMATCH,
    Login,
    authenticator_code,
    away_from_step_edge,
    email,
    phone,
    wrong_code,
)
from tests.signin_support import (
    NEW_PASSWORD,
    TEMPORARY_PASSWORD,
    attempt_at,
    engine_env,
    engine_respond,
    failure,
    invited_user,
    new_client,
    tokens_of,
)
from tests.srp_support import SRP_FLOWS, Channel
from userpool.auth.sessions import EXPIRED, INVALID, REUSED
from userpool.domain.errors import NotAuthorizedException
from userpool.storage.schema import codes

server, cognito = outbox_fixtures("mfa-challenges")

SESSION_OVER = ("NotAuthorizedException", INVALID)
NOT_VERIFIED = ("InvalidParameterException", "User has not verified software token mfa")
ADMIN = [False, True]


@pytest.fixture(scope="module")
def login(server: Server, cognito: Any) -> Login:
    return Login.make(server, cognito, mode="OPTIONAL")


def with_authenticator(login: Login, **attributes: str) -> tuple[str, str]:
    """A user with a verified authenticator turned on; (username, secret)."""
    username = login.user(**attributes)
    token = login.access_token(username)
    secret = login.register_authenticator(token)
    login.cognito.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True}
    )
    return username, secret


def turn_on(login: Login, username: str, **settings: Any) -> None:
    login.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, **settings
    )


def attribute(login: Login, username: str, name: str) -> str | None:
    user = login.cognito.admin_get_user(UserPoolId=login.pool_id, Username=username)
    return next((a["Value"] for a in user["UserAttributes"] if a["Name"] == name), None)


@pytest.mark.parametrize("admin", ADMIN)
def test_totp_after_a_password(login: Login, admin: bool) -> None:
    username, secret = with_authenticator(login)
    challenge = login.password(username, admin=admin)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {}
    code = authenticator_code(secret)
    done = login.respond(challenge, username, admin=admin, SOFTWARE_TOKEN_MFA_CODE=code)
    assert set(tokens_of(done)) >= {"AccessToken", "IdToken", "RefreshToken"}
    assert failure(login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=code) == (
        "NotAuthorizedException",
        REUSED,
    )


@pytest.mark.parametrize("admin", ADMIN)
def test_totp_after_srp(login: Login, admin: bool) -> None:
    username, secret = with_authenticator(login)
    client_id = new_client(login.cognito, login.pool_id, SRP_FLOWS)["ClientId"]
    channel = Channel(login.cognito, login.pool_id, client_id, admin)
    challenge = channel.sign_in(username)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    answer = {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": authenticator_code(secret)}
    done = channel.respond(answer, "SOFTWARE_TOKEN_MFA", challenge["Session"])
    assert "AccessToken" in tokens_of(done)


def test_a_wrong_code_may_be_retried_until_the_session_is_over(login: Login) -> None:
    username, secret = with_authenticator(login)
    challenge = login.password(username)
    wrong = wrong_code(secret)
    for _ in range(5):
        assert failure(login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=wrong) == (
            MISMATCH
        )
    right = authenticator_code(secret)
    assert failure(login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=right) == (
        SESSION_OVER
    )
    retry = login.password(username)
    assert tokens_of(login.respond(retry, username, SOFTWARE_TOKEN_MFA_CODE=right))


def test_an_mfa_session_expires(server: Server, login: Login) -> None:
    username, secret = with_authenticator(login)
    challenge = login.password(username)
    with server_store(server) as store:
        env = engine_env(server, store)
        later = attempt_at(env, login.pool_id, login.client_id, time.time() + 181, admin=False)
        answer = {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": authenticator_code(secret)}
        with pytest.raises(NotAuthorizedException) as excinfo:
            engine_respond(later, "SOFTWARE_TOKEN_MFA", answer, challenge["Session"])
    assert excinfo.value.message == EXPIRED


@pytest.mark.parametrize("admin", ADMIN)
def test_sms_mfa(login: Login, admin: bool) -> None:
    number = phone()
    username = login.user(phone_number=number)
    turn_on(login, username, SMSMfaSettings={"Enabled": True})
    challenge = login.password(username, admin=admin)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+" + "*" * (len(number) - 5) + number[-4:],
    }
    code = login.code(username)
    wrong = "1" + code[1:] if code[0] != "1" else "2" + code[1:]
    assert failure(login.respond, challenge, username, admin=admin, SMS_MFA_CODE=wrong) == MISMATCH
    assert tokens_of(login.respond(challenge, username, admin=admin, SMS_MFA_CODE=code))
    assert attribute(login, username, "phone_number_verified") == "true"


def test_email_otp(login: Login) -> None:
    address = email()
    username = login.user(email=address)
    turn_on(login, username, EmailMfaSettings={"Enabled": True})
    challenge = login.password(username)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": address[0] + "***@e***",
    }
    code = login.code(username)
    assert tokens_of(login.respond(challenge, username, EMAIL_OTP_CODE=code))
    assert attribute(login, username, "email_verified") == "true"


def test_an_expired_code(server: Server, login: Login) -> None:
    username = login.user(phone_number=phone())
    turn_on(login, username, SMSMfaSettings={"Enabled": True})
    challenge = login.password(username)
    sub = attribute(login, username, "sub")
    mfa_codes = (codes.c.sub == sub) & codes.c.purpose.startswith("mfa:")
    with server_store(server) as store, store.engine.begin() as connection:
        connection.execute(update(codes).where(mfa_codes).values(expires=codes.c.created - 1))
    assert failure(login.respond, challenge, username, SMS_MFA_CODE=login.code(username)) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_a_code_that_cannot_be_delivered(server: Server, cognito: Any) -> None:
    undeliverable = Login.make(server, cognito, mode="ON", factors=("SMS_MFA",))
    username = undeliverable.user(phone_number=phone())
    tag_pool(cognito, undeliverable.pool_id, UNDELIVERABLE)
    assert failure(undeliverable.password, username) == (
        "CodeDeliveryFailureException",
        "Invalid phone number provided/Unable to send the message.",
    )


def test_several_factors_without_a_preference_ask_to_choose(login: Login) -> None:
    username, secret = with_authenticator(login, phone_number=phone(), email=email())
    turn_on(login, username, SMSMfaSettings={"Enabled": True}, EmailMfaSettings={"Enabled": True})
    select = login.password(username)
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert select["ChallengeParameters"] == {
        "MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'
    }
    assert failure(login.respond, select, username, ANSWER="VOICE_MFA") == (
        "InvalidParameterException",
        "Invalid ANSWER: not one of MFAS_CAN_CHOOSE.",
    )
    chosen = login.respond(select, username, ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert failure(login.respond, select, username, ANSWER="SMS_MFA") == (
        "NotAuthorizedException",
        REUSED,
    )
    assert tokens_of(login.respond(chosen, username, EMAIL_OTP_CODE=login.code(username)))
    totp = login.respond(login.password(username), username, ANSWER="SOFTWARE_TOKEN_MFA")
    code = authenticator_code(secret)
    assert tokens_of(login.respond(totp, username, SOFTWARE_TOKEN_MFA_CODE=code))


def test_a_preference_skips_the_choice(login: Login) -> None:
    username = login.user(phone_number=phone(), email=email())
    turn_on(
        login,
        username,
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert login.password(username)["ChallengeName"] == "EMAIL_OTP"


def test_optional_mfa_asks_only_users_who_turned_a_factor_on(login: Login) -> None:
    username = login.user(phone_number=phone(), email=email())
    assert "AuthenticationResult" in login.password(username)


def test_required_mfa_uses_the_phone_number_a_user_has(server: Server, cognito: Any) -> None:
    required = Login.make(server, cognito, mode="ON", factors=("SMS_MFA", "SOFTWARE_TOKEN_MFA"))
    username = required.user(phone_number=phone())
    challenge = required.password(username)
    assert challenge["ChallengeName"] == "SMS_MFA"
    code = required.code(username)
    assert tokens_of(required.respond(challenge, username, SMS_MFA_CODE=code))


def test_a_new_password_then_the_second_factor(server: Server, cognito: Any) -> None:
    required = Login.make(server, cognito, mode="ON", factors=("SMS_MFA",))
    username = "invited-" + phone()[-7:]
    invited_user(cognito, required.pool_id, username, phone_number=phone())
    first = cognito.initiate_auth(
        ClientId=required.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": TEMPORARY_PASSWORD},
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    sms = required.respond(first, username, NEW_PASSWORD=NEW_PASSWORD)
    assert sms["ChallengeName"] == "SMS_MFA"
    assert tokens_of(required.respond(sms, username, SMS_MFA_CODE=required.code(username)))


@pytest.fixture(scope="module")
def setup(server: Server, cognito: Any) -> Login:
    """A pool that requires MFA and offers an authenticator and email."""
    return Login.make(server, cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA", "EMAIL_OTP"))


@pytest.mark.parametrize("admin", ADMIN)
def test_setting_up_an_authenticator_during_sign_in(setup: Login, admin: bool) -> None:
    username = setup.user()
    challenge = setup.password(username, admin=admin)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"] == {
        "MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'
    }
    assert failure(setup.respond, challenge, username, admin=admin) == NOT_VERIFIED
    associated = setup.cognito.associate_software_token(Session=challenge["Session"])
    assert failure(setup.cognito.associate_software_token, Session=challenge["Session"]) == (
        "NotAuthorizedException",
        REUSED,
    )
    secret, session = associated["SecretCode"], associated["Session"]
    verify = setup.cognito.verify_software_token
    assert failure(verify, Session=session, UserCode=wrong_code(secret))[0] == (
        "EnableSoftwareTokenMFAException"
    )
    away_from_step_edge()
    verified = verify(Session=session, UserCode=authenticator_code(secret, -1))
    assert verified["Status"] == "SUCCESS"
    step = {"ChallengeName": "MFA_SETUP", "Session": verified["Session"]}
    assert tokens_of(setup.respond(step, username, admin=admin))
    assert setup.mfa_settings(username) == {
        "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"],
        "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
    }
    again = setup.password(username, admin=admin)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = authenticator_code(secret)
    assert tokens_of(setup.respond(again, username, admin=admin, SOFTWARE_TOKEN_MFA_CODE=code))


def test_setting_up_email_mfa_during_sign_in(setup: Login) -> None:
    username = setup.user()
    challenge = setup.password(username)
    address = email()
    assert failure(setup.respond, challenge, username, EMAIL="not-an-email@") == (
        "InvalidParameterException",
        "Invalid email address format.",
    )
    code_challenge = setup.respond(challenge, username, EMAIL=address)
    assert code_challenge["ChallengeName"] == "EMAIL_OTP"
    assert code_challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == (
        address[0] + "***@e***"
    )
    assert attribute(setup, username, "email") is None
    code = setup.code(username)
    assert tokens_of(setup.respond(code_challenge, username, EMAIL_OTP_CODE=code))
    assert attribute(setup, username, "email") == address
    assert attribute(setup, username, "email_verified") == "true"
    assert setup.mfa_settings(username) == {
        "UserMFASettingList": ["EMAIL_OTP"],
        "PreferredMfaSetting": "EMAIL_OTP",
    }
    assert setup.password(username)["ChallengeName"] == "EMAIL_OTP"


def test_email_setup_needs_a_pool_that_offers_email(server: Server, cognito: Any) -> None:
    totp_only = Login.make(server, cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA",))
    username = totp_only.user()
    challenge = totp_only.password(username)
    assert challenge["ChallengeParameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}
    assert failure(totp_only.respond, challenge, username, EMAIL=email()) == (
        "InvalidParameterException",
        "Email MFA is not enabled for this user pool.",
    )


def test_an_authenticator_stays_usable_when_the_pool_turns_totp_off(
    login: Login, cognito: Any
) -> None:
    """Cognito: users who verified an authenticator keep using it for MFA after the pool
    turns software token MFA off (Developer Guide, "TOTP software token MFA")."""
    username, secret = with_authenticator(login)
    cognito.set_user_pool_mfa_config(
        UserPoolId=login.pool_id,
        MfaConfiguration="OPTIONAL",
        **FACTOR_BLOCKS["SMS_MFA"],
        SoftwareTokenMfaConfiguration={"Enabled": False},
    )
    challenge = login.password(username)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    result = login.respond(challenge, username, SOFTWARE_TOKEN_MFA_CODE=authenticator_code(secret))
    assert "AccessToken" in result["AuthenticationResult"]
