"""Choice-based sign-in (AuthFlow USER_AUTH) through Amplify 6.22.1, unchanged (pinned in
tests/node): signIn with each preferredChallenge (EMAIL_OTP and SMS_OTP answered with the
code the server sent, PASSWORD and PASSWORD_SRP with the password), signIn without one
(CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION, then confirmSignIn with the factor chosen),
and a passwordless signUp, confirmSignUp and autoSignIn (ConfirmSignUp's Session).
The pool allows PASSWORD, EMAIL_OTP and SMS_OTP first and has optional MFA, so that a user
with MFA shows it follows a password and never a code. Script:
tests/node/amplify_user_auth.mjs; harness: tests/test_node_clients.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.codes_support import delivered, outbox_fixtures
from tests.conftest import Server
from tests.mfa_support import EMAIL_CONFIGURATION, SMS_CONFIGURATION, email, phone
from tests.signin_support import PASSWORD, confirmed_user, new_client, unique
from tests.test_node_clients import NodeRunner, node_runner

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

server, cognito = outbox_fixtures("node-user-auth")

FIRST_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
USER_AUTH_FLOWS = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
SELECTION = "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
PASSWORD_STEP = "CONFIRM_SIGN_IN_WITH_PASSWORD"
EMAIL_STEP = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
SMS_STEP = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
INITIATE = "InitiateAuth USER_AUTH"
SELECT = "RespondToAuthChallenge SELECT_CHALLENGE"
# What the server offers a user with a password, a verified email address and a verified
# phone number on this pool (in the server's order; Amplify passes the list on as it is).
EVERYTHING = ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
# The step a code factor leads to, the medium its code travels by, and the request answering it.
CODES = {
    "EMAIL_OTP": (EMAIL_STEP, "EMAIL", "RespondToAuthChallenge EMAIL_OTP"),
    "SMS_OTP": (SMS_STEP, "SMS", "RespondToAuthChallenge SMS_OTP"),
}
# The requests after the factor is known: a password goes with the choice itself (with
# PREFERRED_CHALLENGE or ANSWER), SRP proves it in PASSWORD_VERIFIER.
PASSWORD_REQUESTS = {"PASSWORD": [], "PASSWORD_SRP": ["RespondToAuthChallenge PASSWORD_VERIFIER"]}


@dataclass(frozen=True)
class Choice:
    """A pool that lets users choose among FIRST_FACTORS, with optional SMS and email MFA
    and auto-verified email and phone, and an app client for USER_AUTH."""

    server: Server
    cognito: Any
    pool_id: str
    client_id: str

    def user(self, *, phone_verified: bool = True, **attributes: str) -> dict[str, str]:
        """A CONFIRMED user with PASSWORD, a verified email address and a phone number
        (verified unless told otherwise); their attributes, username included."""
        made = {
            "username": unique("chooser"),
            "email": email(),
            "email_verified": "true",
            "phone_number": phone(),
            "phone_number_verified": "true" if phone_verified else "false",
            **attributes,
        }
        fields = {name: value for name, value in made.items() if name != "username"}
        confirmed_user(self.cognito, self.pool_id, made["username"], **fields)
        return made

    def sub(self, username: str) -> str:
        user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))

    def sent(self, username: str) -> list[dict[str, Any]]:
        return delivered(self.server, self.pool_id, username)


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


@pytest.fixture(scope="module")
def choice(server: Server, cognito: Any) -> Choice:
    pool_id = cognito.create_user_pool(
        PoolName=unique("node-choice"),
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FIRST_FACTORS}},
        EmailConfiguration=EMAIL_CONFIGURATION,
        SmsConfiguration=SMS_CONFIGURATION,
        AutoVerifiedAttributes=["email", "phone_number"],
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION},
        EmailMfaConfiguration={"Subject": "Your sign-in code"},
    )
    client_id = new_client(cognito, pool_id, USER_AUTH_FLOWS)["ClientId"]
    return Choice(server, cognito, pool_id, client_id)


def run(node: NodeRunner, choice: Choice, scenario: str, **extra: str | None) -> dict[str, Any]:
    """The script's whole output: its result and the requests Amplify made (`steps`)."""
    return node(
        "amplify_user_auth.mjs",
        scenario=scenario,
        endpoint=choice.server.url,
        pool_id=choice.pool_id,
        client_id=choice.client_id,
        **{name: value for name, value in extra.items() if value is not None},
    )


def sign_in(node: NodeRunner, choice: Choice, username: str, **extra: str | None) -> Any:
    return run(node, choice, "sign-in", username=username, **extra)


def requests(output: dict[str, Any]) -> list[str]:
    """The requests Amplify made to sign in (lib.mjs records them), without the RevokeToken
    of the script's signOut at the end."""
    made: list[str] = output["steps"]
    assert made[-1] == "RevokeToken"
    return made[:-1]


def step_names(result: dict[str, Any]) -> list[str]:
    return [step["signInStep"] for step in result["nextSteps"]]


def assert_signed_in(choice: Choice, result: dict[str, Any], username: str) -> None:
    """Amplify keeps tokens the server issued to `username` for this client."""
    assert result["isSignedIn"] is True and result["last"] == {"signInStep": "DONE"}
    access = result["accessClaims"]
    assert access["username"] == username
    assert access["sub"] == choice.sub(username) == result["currentUser"]["userId"]
    assert (access["token_use"], access["client_id"]) == ("access", choice.client_id)
    assert access["iss"].endswith(f"/{choice.pool_id}")
    assert result["idClaims"]["cognito:username"] == username
    assert result["currentUser"]["username"] == username


def assert_one_code(
    choice: Choice, user: dict[str, str], factor: str, step: dict[str, Any]
) -> None:
    """Exactly one message went out, by the factor's medium, to the user's own address, and
    Amplify showed where (masked)."""
    _, medium, _ = CODES[factor]
    [message] = choice.sent(user["username"])
    assert message["medium"] == medium
    address = user["email"] if medium == "EMAIL" else user["phone_number"]
    assert message["destination"] == address
    assert len(message["code"]) == 8 and message["code"].isdigit()
    shown = step["codeDeliveryDetails"]
    assert shown["deliveryMedium"] == medium
    tail = address[-4:] if medium == "SMS" else ""  # an email address shows its first letter
    assert shown["destination"].endswith(tail) and shown["destination"][0] == address[0]
    assert shown["destination"] != address


@pytest.mark.parametrize("factor", list(CODES))
def test_amplify_signs_in_with_the_code_its_preferred_challenge_sent(
    node: NodeRunner, choice: Choice, factor: str
) -> None:
    user = choice.user()
    output = sign_in(node, choice, user["username"], preferred=factor)
    result = output["result"]
    step, _, answer = CODES[factor]
    assert step_names(result) == [step]
    assert requests(output) == [INITIATE, answer]
    assert_signed_in(choice, result, user["username"])
    assert_one_code(choice, user, factor, result["nextSteps"][0])


@pytest.mark.parametrize("factor", list(PASSWORD_REQUESTS))
def test_amplify_signs_in_with_the_password_as_its_preferred_challenge(
    node: NodeRunner, choice: Choice, factor: str
) -> None:
    user = choice.user()
    output = sign_in(node, choice, user["username"], preferred=factor, password=PASSWORD)
    assert output["result"]["nextSteps"] == []
    assert requests(output) == [INITIATE, *PASSWORD_REQUESTS[factor]]
    assert_signed_in(choice, output["result"], user["username"])
    assert choice.sent(user["username"]) == []


@pytest.mark.parametrize("factor", EVERYTHING)
def test_amplify_shows_the_first_factors_and_signs_in_with_the_one_chosen(
    node: NodeRunner, choice: Choice, factor: str
) -> None:
    user = choice.user()
    output = sign_in(node, choice, user["username"], choose=factor, password=PASSWORD)
    result = output["result"]
    selection, *rest = result["nextSteps"]
    assert selection == {"signInStep": SELECTION, "availableChallenges": EVERYTHING}
    if factor in CODES:
        step, _, answer = CODES[factor]
        assert [shown["signInStep"] for shown in rest] == [step]
        # Amplify names the factor in SELECT_CHALLENGE; the code comes back in the factor's own.
        assert requests(output) == [INITIATE, SELECT, answer]
        assert_one_code(choice, user, factor, rest[0])
    else:
        # Amplify asks for the password itself, then sends ANSWER with it (or with SRP_A).
        assert [shown["signInStep"] for shown in rest] == [PASSWORD_STEP]
        assert requests(output) == [INITIATE, SELECT, *PASSWORD_REQUESTS[factor]]
        assert choice.sent(user["username"]) == []
    assert_signed_in(choice, result, user["username"])


def test_amplify_is_offered_only_the_factors_the_user_can_use(
    node: NodeRunner, choice: Choice
) -> None:
    user = choice.user(phone_verified=False)  # no code by text to a number not verified
    output = sign_in(node, choice, user["username"], choose="EMAIL_OTP")
    result = output["result"]
    assert result["nextSteps"][0] == {
        "signInStep": SELECTION,
        "availableChallenges": ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"],
    }
    assert step_names(result) == [SELECTION, EMAIL_STEP]
    assert_signed_in(choice, result, user["username"])
    # A preferred challenge the user cannot use is no error: the choice comes instead.
    preferred = sign_in(node, choice, user["username"], preferred="SMS_OTP", choose="EMAIL_OTP")
    assert preferred["result"]["nextSteps"] == result["nextSteps"]
    assert requests(preferred) == [INITIATE, SELECT, CODES["EMAIL_OTP"][2]]
    assert_signed_in(choice, preferred["result"], user["username"])
    assert [message["medium"] for message in choice.sent(user["username"])] == ["EMAIL", "EMAIL"]


@pytest.mark.parametrize(
    ("mfa", "mfa_step", "mfa_answer", "medium"),
    [
        ("SMSMfaSettings", SMS_STEP, "RespondToAuthChallenge SMS_MFA", "SMS"),
        ("EmailMfaSettings", EMAIL_STEP, "RespondToAuthChallenge EMAIL_OTP", "EMAIL"),
    ],
)
def test_amplify_is_asked_for_mfa_after_a_password_and_never_after_a_code(
    node: NodeRunner, choice: Choice, mfa: str, mfa_step: str, mfa_answer: str, medium: str
) -> None:
    user = choice.user()
    username = user["username"]
    choice.cognito.admin_set_user_mfa_preference(
        UserPoolId=choice.pool_id, Username=username, **{mfa: {"Enabled": True}}
    )
    with_password = sign_in(node, choice, username, preferred="PASSWORD", password=PASSWORD)
    assert step_names(with_password["result"]) == [mfa_step]
    assert requests(with_password) == [INITIATE, mfa_answer]
    assert_signed_in(choice, with_password["result"], username)
    assert [message["medium"] for message in choice.sent(username)] == [medium]
    sent = 1
    for factor, (step, _, answer) in CODES.items():
        output = sign_in(node, choice, username, preferred=factor)
        assert step_names(output["result"]) == [step]  # the code alone: no MFA after it
        assert requests(output) == [INITIATE, answer]
        assert_signed_in(choice, output["result"], username)
        sent += 1
        assert len(choice.sent(username)) == sent


@pytest.mark.parametrize(("attribute", "factor"), [("email", "EMAIL_OTP"), ("phone", "SMS_OTP")])
def test_amplify_signs_up_without_a_password_and_signs_in_automatically(
    node: NodeRunner, choice: Choice, attribute: str, factor: str
) -> None:
    username = unique("passwordless")
    address = email() if attribute == "email" else phone()
    output = run(node, choice, "sign-up", username=username, **{attribute: address})
    result = output["result"]
    _, medium, _ = CODES[factor]
    name = "email" if attribute == "email" else "phone_number"
    sub = choice.sub(username)
    assert result["signUp"]["isSignUpComplete"] is False
    assert result["signUp"]["userId"] == sub
    assert result["signUp"]["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
    shown = result["signUp"]["nextStep"]["codeDeliveryDetails"]
    assert (shown["deliveryMedium"], shown["attributeName"]) == (medium, name)
    assert result["confirmSignUp"] == {
        "isSignUpComplete": True,
        "nextStep": {"signUpStep": "COMPLETE_AUTO_SIGN_IN"},
    }
    # autoSignIn sends ConfirmSignUp's Session with USER_AUTH: tokens, with no factor asked.
    assert result["nextSteps"] == []
    assert requests(output) == ["SignUp", "ConfirmSignUp", INITIATE]
    assert_signed_in(choice, result, username)
    [message] = choice.sent(username)
    assert (message["medium"], message["destination"]) == (medium, address)
    user = choice.cognito.admin_get_user(UserPoolId=choice.pool_id, Username=username)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED"
    assert attributes[f"{name}_verified"] == "true"

    # Without a password, the code to the address just verified is the only factor offered.
    again = sign_in(node, choice, username, choose=factor)
    step, _, answer = CODES[factor]
    assert again["result"]["nextSteps"][0] == {
        "signInStep": SELECTION,
        "availableChallenges": [factor],
    }
    assert step_names(again["result"]) == [SELECTION, step]
    assert requests(again) == [INITIATE, SELECT, answer]
    assert_signed_in(choice, again["result"], username)
    assert len(choice.sent(username)) == 2
