"""Second factors (and an email change confirmed by code) with the real JavaScript clients
(pinned in tests/node):
amazon-cognito-identity-js 6.3.21 (associateSoftwareToken, verifySoftwareToken,
setUserMfaPreference, and the totpRequired, mfaRequired, selectMFAType and mfaSetup callbacks
of authenticateUser) and Amplify 6.22.1
(signIn and confirmSignIn through each MFA step, setUpTOTP, verifyTOTPSetup,
updateMFAPreference, fetchMFAPreference). The scripts compute TOTP codes with node:crypto and
read SMS and email codes from the server's outbox. Harness: tests/test_node_clients.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.mfa_support import Login, email, mfa_pool, phone
from tests.signin_support import PASSWORD, new_client
from tests.test_node_clients import AUTH_FLOWS, NodeRunner, node_runner

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

server, cognito = outbox_fixtures("node-mfa")

FLOWS = ["USER_PASSWORD_AUTH", None]  # None: the library's default flow, USER_SRP_AUTH
TOTP_STEP = "CONFIRM_SIGN_IN_WITH_TOTP_CODE"


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


def node_login(server: Server, cognito: Any, **pool: Any) -> Login:
    """A pool with MFA and a client that allows password and SRP sign-in."""
    pool_id = mfa_pool(cognito, **pool)
    return Login(
        server, cognito, pool_id, new_client(cognito, pool_id, tuple(AUTH_FLOWS))["ClientId"]
    )


@pytest.fixture(scope="module")
def optional(server: Server, cognito: Any) -> Login:
    return node_login(server, cognito, mode="OPTIONAL")


def run(node: NodeRunner, script: str, login: Login, username: str, **extra: str | None) -> Any:
    options = {
        "endpoint": login.server.url,
        "pool_id": login.pool_id,
        "client_id": login.client_id,
        "username": username,
        "password": PASSWORD,
        **{name: value for name, value in extra.items() if value is not None},
    }
    return node(script, **options)["result"]


def with_authenticator(login: Login, **attributes: str) -> tuple[str, str]:
    username = login.user(**attributes)
    secret = login.register_authenticator(login.access_token(username))
    login.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, SoftwareTokenMfaSettings={"Enabled": True}
    )
    return username, secret


def steps_of(result: dict[str, Any]) -> list[str]:
    return [step["signInStep"] for step in result["steps"]]


@pytest.mark.parametrize("flow", FLOWS)
def test_identity_js_registers_an_authenticator_and_answers_totp(
    node: NodeRunner, optional: Login, flow: str | None
) -> None:
    username = optional.user()
    result = run(
        node, "identity_js_mfa.mjs", optional, username, scenario="register-totp", flow=flow
    )
    assert result["verified"] == {"Status": "SUCCESS"}
    assert result["preference"] == "SUCCESS"
    assert result["mfaSettings"] == {
        "list": ["SOFTWARE_TOKEN_MFA"],
        "preferred": "SOFTWARE_TOKEN_MFA",
    }
    again = result["again"]
    assert [seen["callback"] for seen in again["seen"]] == ["totpRequired"]
    assert again["seen"][0]["name"] == "SOFTWARE_TOKEN_MFA"
    assert again["valid"] and again["hasRefreshToken"]
    assert again["accessClaims"]["username"] == username


@pytest.mark.parametrize("flow", FLOWS)
def test_identity_js_answers_an_sms_code(
    node: NodeRunner, optional: Login, flow: str | None
) -> None:
    number = phone()
    username = optional.user(phone_number=number)
    optional.cognito.admin_set_user_mfa_preference(
        UserPoolId=optional.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    result = run(node, "identity_js_mfa.mjs", optional, username, scenario="sign-in", flow=flow)
    [seen] = result["seen"]
    assert seen["callback"] == "mfaRequired" and seen["name"] == "SMS_MFA"
    assert seen["parameters"]["CODE_DELIVERY_DESTINATION"].endswith(number[-4:])
    assert result["valid"]


def test_identity_js_chooses_among_factors(node: NodeRunner, optional: Login) -> None:
    username, secret = with_authenticator(optional, phone_number=phone())
    optional.cognito.admin_set_user_mfa_preference(
        UserPoolId=optional.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    result = run(
        node,
        "identity_js_mfa.mjs",
        optional,
        username,
        scenario="sign-in",
        secret=secret,
        choose="SOFTWARE_TOKEN_MFA",
    )
    assert [seen["callback"] for seen in result["seen"]] == ["selectMFAType", "totpRequired"]
    assert result["seen"][0]["parameters"] == {
        "MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'
    }
    assert result["valid"]


@pytest.mark.parametrize("flow", FLOWS)
def test_identity_js_sets_up_an_authenticator_when_mfa_is_required(
    node: NodeRunner, server: Server, cognito: Any, flow: str | None
) -> None:
    required = node_login(server, cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA",))
    username = required.user()
    result = run(node, "identity_js_mfa.mjs", required, username, scenario="sign-in", flow=flow)
    [seen] = result["seen"]
    assert seen["callback"] == "mfaSetup"
    assert seen["parameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}
    assert result["valid"] and result["secretLength"] == 32
    assert required.mfa_settings(username)["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]


@pytest.mark.parametrize("flow", FLOWS)
def test_amplify_confirms_a_totp_code(node: NodeRunner, optional: Login, flow: str | None) -> None:
    username, secret = with_authenticator(optional)
    result = run(
        node, "amplify_mfa.mjs", optional, username, scenario="sign-in", flow=flow, secret=secret
    )
    assert steps_of(result) == [TOTP_STEP]
    assert result["isSignedIn"] is True
    assert result["accessClaims"]["username"] == username


@pytest.mark.parametrize(
    ("factor", "step", "medium"),
    [
        ("SMSMfaSettings", "CONFIRM_SIGN_IN_WITH_SMS_CODE", "SMS"),
        ("EmailMfaSettings", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "EMAIL"),
    ],
)
def test_amplify_confirms_a_code_it_was_sent(
    node: NodeRunner, optional: Login, factor: str, step: str, medium: str
) -> None:
    username = optional.user(phone_number=phone(), email=email())
    optional.cognito.admin_set_user_mfa_preference(
        UserPoolId=optional.pool_id, Username=username, **{factor: {"Enabled": True}}
    )
    result = run(node, "amplify_mfa.mjs", optional, username, scenario="sign-in")
    assert steps_of(result) == [step]
    assert result["steps"][0]["codeDeliveryDetails"]["deliveryMedium"] == medium
    assert result["isSignedIn"] is True


def test_amplify_chooses_among_factors(node: NodeRunner, optional: Login) -> None:
    username, secret = with_authenticator(optional, email=email())
    optional.cognito.admin_set_user_mfa_preference(
        UserPoolId=optional.pool_id, Username=username, EmailMfaSettings={"Enabled": True}
    )
    result = run(
        node,
        "amplify_mfa.mjs",
        optional,
        username,
        scenario="sign-in",
        secret=secret,
        choose="TOTP",
    )
    assert steps_of(result) == ["CONTINUE_SIGN_IN_WITH_MFA_SELECTION", TOTP_STEP]
    assert result["steps"][0]["allowedMFATypes"] == ["TOTP", "EMAIL"]
    assert result["isSignedIn"] is True


def test_amplify_sets_up_totp_during_sign_in(
    node: NodeRunner, server: Server, cognito: Any
) -> None:
    required = node_login(server, cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA",))
    username = required.user()
    result = run(node, "amplify_mfa.mjs", required, username, scenario="sign-in")
    assert steps_of(result) == ["CONTINUE_SIGN_IN_WITH_TOTP_SETUP"]
    assert result["isSignedIn"] is True
    assert required.mfa_settings(username)["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_amplify_sets_up_email_mfa_during_sign_in(
    node: NodeRunner, server: Server, cognito: Any
) -> None:
    required = node_login(server, cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA", "EMAIL_OTP"))
    username = required.user()
    address = email()
    result = run(
        node,
        "amplify_mfa.mjs",
        required,
        username,
        scenario="sign-in",
        choose="EMAIL",
        email=address,
    )
    assert steps_of(result) == [
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
    ]
    assert result["steps"][0]["allowedMFATypes"] == ["TOTP", "EMAIL"]
    assert result["isSignedIn"] is True
    assert required.mfa_settings(username)["UserMFASettingList"] == ["EMAIL_OTP"]


@pytest.mark.parametrize("flow", FLOWS)
def test_amplify_sets_up_totp_when_signed_in(
    node: NodeRunner, optional: Login, flow: str | None
) -> None:
    username = optional.user()
    result = run(node, "amplify_mfa.mjs", optional, username, scenario="set-up-totp", flow=flow)
    assert result["secretLength"] == 32
    assert result["setupUri"].startswith("otpauth://totp/userpool:")
    assert result["preference"] == {"enabled": ["TOTP"], "preferred": "TOTP"}
    assert steps_of(result["again"]) == [TOTP_STEP]
    assert result["again"]["isSignedIn"] is True


def test_amplify_confirms_a_changed_email_with_the_code_it_was_sent(
    node: NodeRunner, server: Server, cognito: Any
) -> None:
    login = node_login(server, cognito, AutoVerifiedAttributes=["email"])
    username = login.user(email=email(), email_verified="true")
    new_address = email()
    result = run(
        node, "amplify_mfa.mjs", login, username, scenario="update-email", email=new_address
    )
    assert result["updated"]["email"] == {
        "isUpdated": False,
        "nextStep": {
            "updateAttributeStep": "CONFIRM_ATTRIBUTE_WITH_CODE",
            "codeDeliveryDetails": {
                "destination": f"{new_address[0]}***@e***",
                "deliveryMedium": "EMAIL",
                "attributeName": "email",
            },
        },
    }
    assert (result["before"]["email"], result["before"]["email_verified"]) == (new_address, "false")
    assert (result["after"]["email"], result["after"]["email_verified"]) == (new_address, "true")
