"""Remembered devices through the real JavaScript clients (pinned in tests/node):
amazon-cognito-identity-js 6.3.21 (authenticateUser confirming the device itself,
setDeviceStatusRemembered, device SRP on the next sign-in, refreshSession, listDevices,
getDevice, forgetDevice, forgetSpecificDevice) and Amplify 6.22.1 (signIn / confirmSignIn,
rememberDevice, fetchAuthSession({forceRefresh: true}), fetchDevices, forgetDevice, signOut).

The pool tracks devices with ChallengeRequiredOnNewDevice (a remembered device stands in for
MFA) and DeviceOnlyRememberedOnUserPrompt (a device is remembered only when the user says
so); each user has SMS MFA, whose codes the scripts read from the server's outbox, so the
outbox also counts how often MFA was asked. Scripts: tests/node/devices_identity_js.mjs and
devices_amplify.mjs, which report every request's DEVICE_KEY and the server's answer to it.
Harness: tests/test_node_clients.py.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.codes_support import delivered, outbox_fixtures
from tests.conftest import Server, error_of
from tests.mfa_support import Login, mfa_pool, phone
from tests.signin_support import PASSWORD, new_client
from tests.test_node_clients import AUTH_FLOWS, NodeRunner, node_runner

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

server, cognito = outbox_fixtures("node-devices")

FLOWS = [None, "USER_PASSWORD_AUTH"]  # None: both libraries' default flow, USER_SRP_AUTH
PROMPTED = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
GONE = ("ResourceNotFoundException", "Device does not exist.")
SMS_STEP = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
DEVICE_PROOF = [
    "RespondToAuthChallenge DEVICE_SRP_AUTH",
    "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER",
]
DEVICE_KEY = re.compile(r"(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)_(?P<id>[0-9a-f-]{36})")


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


@pytest.fixture(scope="module")
def tracking(server: Server, cognito: Any) -> Login:
    """A pool with SMS MFA that tracks devices, and a client for password and SRP sign-in."""
    pool_id = mfa_pool(cognito, factors=("SMS_MFA",), DeviceConfiguration=PROMPTED)
    client_id = new_client(cognito, pool_id, tuple(AUTH_FLOWS))["ClientId"]
    return Login(server, cognito, pool_id, client_id)


def sms_user(login: Login) -> str:
    username = login.user(phone_number=phone())
    login.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    return username


def run(
    node: NodeRunner, script: str, login: Login, username: str, **extra: str | None
) -> dict[str, Any]:
    options = {
        "endpoint": login.server.url,
        "pool_id": login.pool_id,
        "client_id": login.client_id,
        "username": username,
        "password": PASSWORD,
        **{name: value for name, value in extra.items() if value is not None},
    }
    result: dict[str, Any] = node(script, **options)["result"]
    return result


def device_key(login: Login, key: Any) -> str:
    """`key`, checked to be shaped as Cognito's: `{region}_{uuid}`, the pool's region."""
    assert isinstance(key, str), key
    match = DEVICE_KEY.fullmatch(key)
    assert match is not None, key
    assert match["region"] == login.pool_id.split("_", 1)[0]
    assert str(uuid.UUID(match["id"])) == match["id"]
    return key


def requests(exchanges: list[dict[str, Any]]) -> list[str]:
    return [" ".join(filter(None, (each["operation"], each["step"]))) for each in exchanges]


def sent(exchanges: list[dict[str, Any]], request: str) -> list[dict[str, Any]]:
    return [each for each in exchanges if requests([each]) == [request]]


def confirmed(login: Login, first: dict[str, Any]) -> str:
    """The device a sign-in was handed in NewDeviceMetadata (and the access token), which the
    library confirmed at once and keeps."""
    key = device_key(login, first["deviceKeyClaim"])
    [handed] = [each for each in first["exchanges"] if each["answered"].get("newDeviceKey")]
    assert handed["answered"]["newDeviceKey"] == key
    [confirm] = sent(first["exchanges"], "ConfirmDevice")
    assert confirm["deviceKey"] == key and "error" not in confirm["answered"]
    assert first["storedDeviceKey"] == key
    return key


def proved(second: dict[str, Any], key: str) -> None:
    """The sign-in ended with device SRP for `key`, and its tokens carry that device."""
    exchanges = second["exchanges"]
    assert requests(exchanges)[-2:] == DEVICE_PROOF
    assert [each["deviceKey"] for each in exchanges[-2:]] == [key, key]
    assert exchanges[-1]["answered"]["tokens"] is True
    assert exchanges[-1]["answered"]["newDeviceKey"] is None
    assert second["deviceKeyClaim"] == key


def refreshed_with(result: dict[str, Any], before: dict[str, Any], key: str) -> None:
    refreshed = result["refreshed"]
    [request] = refreshed["exchanges"]
    assert request["deviceKey"] == key and request["answered"]["tokens"] is True
    assert refreshed["deviceKeyClaim"] == key
    assert refreshed["accessClaims"]["jti"] != before["accessClaims"]["jti"]


def codes_sent(login: Login, username: str) -> int:
    return len(delivered(login.server, login.pool_id, username))


def devices_of(login: Login, username: str) -> list[dict[str, Any]]:
    response = login.cognito.admin_list_devices(UserPoolId=login.pool_id, Username=username)
    devices: list[dict[str, Any]] = response["Devices"]
    return devices


def attribute(device: dict[str, Any], name: str) -> str:
    [value] = [each["Value"] for each in device["DeviceAttributes"] if each["Name"] == name]
    return str(value)


def gone(login: Login, username: str, *keys: str) -> None:
    for key in keys:
        with pytest.raises(ClientError) as excinfo:
            login.cognito.admin_get_device(
                UserPoolId=login.pool_id, Username=username, DeviceKey=key
            )
        assert error_of(excinfo) == GONE


def only_device(login: Login, username: str, key: str) -> dict[str, Any]:
    """The user's one device on the server, `key`, as AdminGetDevice shows it."""
    assert [device["DeviceKey"] for device in devices_of(login, username)] == [key]
    device: dict[str, Any] = login.cognito.admin_get_device(
        UserPoolId=login.pool_id, Username=username, DeviceKey=key
    )["Device"]
    return device


@pytest.mark.parametrize("flow", FLOWS)
def test_identity_js_remembers_a_device_and_signs_in_with_it(
    node: NodeRunner, tracking: Login, flow: str | None
) -> None:
    username = sms_user(tracking)
    result = run(node, "devices_identity_js.mjs", tracking, username, flow=flow)

    first = result["first"]
    assert first["seen"] == [{"callback": "mfaRequired", "name": "SMS_MFA"}]
    key = confirmed(tracking, first)
    assert first["userConfirmationNecessary"] is True  # DeviceOnlyRememberedOnUserPrompt
    assert result["remembered"] == "SUCCESS"
    assert result["keptAfterSignOut"] == key

    second = result["second"]
    assert second["seen"] == [] and second["mfaAsked"] is False
    proved(second, key)
    assert second["userConfirmationNecessary"] is None
    refreshed_with(result, second, key)

    [listed] = result["listed"]["Devices"]
    device = result["device"]["Device"]
    assert listed == device and device["DeviceKey"] == key
    assert attribute(device, "dev:device_remembered_status") == "remembered"
    assert attribute(device, "device_name") == "nodejs"  # the library's name for Node
    # ConfirmDevice stamps the sign-in that was handed the key, before the device existed;
    # only the device sign-in can have stamped a moment after its creation.
    assert device["DeviceLastAuthenticatedDate"] > device["DeviceCreateDate"]
    assert result["forgotten"] == "SUCCESS"
    assert result["keptAfterForget"] is None  # forgetDevice drops the key from storage

    third = result["third"]
    assert third["seen"] == [{"callback": "mfaRequired", "name": "SMS_MFA"}]
    assert all("deviceKey" not in each for each in third["exchanges"][:-1])
    again = confirmed(tracking, third)
    assert again != key and third["userConfirmationNecessary"] is True
    # forgetSpecificDevice leaves the key in storage: the next sign-in names a gone device.
    assert (result["elsewhere"], result["keptAfterElsewhere"]) == ("SUCCESS", again)

    fourth = result["fourth"]
    if flow is None:
        # The library answers PASSWORD_VERIFIER again with DEVICE_KEY null, on the same
        # Session: the server refused the gone device before using anything up.
        stale, retried = sent(fourth["exchanges"], "RespondToAuthChallenge PASSWORD_VERIFIER")
        assert stale["deviceKey"] == again
        assert (stale["answered"]["error"], stale["answered"]["message"]) == GONE
        assert retried["deviceKey"] is None
        assert retried["answered"]["challengeName"] == "SMS_MFA"
        assert fourth["seen"] == [{"callback": "mfaRequired", "name": "SMS_MFA"}]
        last = confirmed(tracking, fourth)
        assert last not in (key, again)
        server_device = only_device(tracking, username, last)
        assert "DeviceLastAuthenticatedDate" in server_device
        assert codes_sent(tracking, username) == 3  # never for the remembered device
    else:
        # USER_PASSWORD_AUTH names the device in InitiateAuth, and identity-js retries only
        # PASSWORD_VERIFIER: the app sees the error and the gone key stays in storage.
        [stale] = fourth["exchanges"]
        assert (stale["deviceKey"], stale["answered"]["error"]) == (again, GONE[0])
        assert (fourth["refused"]["code"], fourth["refused"]["message"]) == GONE
        assert fourth["storedDeviceKey"] == again
        assert devices_of(tracking, username) == []
        assert codes_sent(tracking, username) == 2
    gone(tracking, username, key, again)


def test_identity_js_proves_a_device_not_remembered_after_the_mfa_code(
    node: NodeRunner, tracking: Login
) -> None:
    """A device confirmed but not remembered does not stand in for MFA, so the server asks
    for the code first and for the device's proof after it (as it does for Amplify, below).
    amazon-cognito-identity-js 6.3.21 answers that DEVICE_SRP_AUTH with the SMS_MFA Session
    it has just used: sendMFACode goes on to getDeviceResponse without keeping the Session the
    answer came with (authenticateUserInternal keeps it). The server takes that session for
    the one DEVICE_SRP_AUTH the right code led to (auth/sessions.py `successor`)."""
    username = sms_user(tracking)
    result = run(node, "devices_identity_js.mjs", tracking, username, remember="no")
    key = confirmed(tracking, result["first"])
    assert result["remembered"] is None

    second = result["second"]
    assert second["seen"] == [{"callback": "mfaRequired", "name": "SMS_MFA"}]
    [code] = sent(second["exchanges"], "RespondToAuthChallenge SMS_MFA")
    [device_srp] = sent(second["exchanges"], "RespondToAuthChallenge DEVICE_SRP_AUTH")
    assert code["deviceKey"] == key
    assert code["answered"]["challengeName"] == "DEVICE_SRP_AUTH"
    assert device_srp["session"] == code["session"] != code["answered"]["session"]
    proved(second, key)
    refreshed_with(result, second, key)
    device = result["device"]["Device"]
    assert attribute(device, "dev:device_remembered_status") == "not_remembered"
    assert device["DeviceLastAuthenticatedDate"] > device["DeviceCreateDate"]


@pytest.mark.parametrize("flow", FLOWS)
def test_amplify_remembers_a_device_and_skips_mfa_with_it(
    node: NodeRunner, tracking: Login, flow: str | None
) -> None:
    username = sms_user(tracking)
    result = run(node, "devices_amplify.mjs", tracking, username, flow=flow)

    first = result["first"]
    assert first["steps"] == [SMS_STEP] and first["isSignedIn"] is True
    key = confirmed(tracking, first)
    # signOut() clears the tokens, not the device metadata (TokenStore.clearTokens).
    assert result["keptAfterSignOut"] == key

    second = result["second"]
    assert second["steps"] == [] and second["isSignedIn"] is True
    proved(second, key)
    refreshed_with(result, second, key)

    [listed] = result["listed"]
    assert listed["id"] == key
    assert listed["attributes"]["dev:device_remembered_status"] == "remembered"
    assert listed["lastAuthenticatedDate"] > listed["createDate"]
    assert result["keptAfterForget"] is None

    third = result["third"]
    assert third["steps"] == [SMS_STEP]
    again = confirmed(tracking, third)
    assert again != key
    assert (result["elsewhere"], result["keptAfterElsewhere"]) == (200, again)

    # Amplify names the gone device, is told so, forgets it and repeats the same request
    # without it (InitiateAuth for USER_PASSWORD_AUTH, PASSWORD_VERIFIER for SRP).
    fourth = result["fourth"]
    named = (
        "InitiateAuth USER_PASSWORD_AUTH" if flow else "RespondToAuthChallenge PASSWORD_VERIFIER"
    )
    stale, retried = sent(fourth["exchanges"], named)
    assert stale["deviceKey"] == again
    assert (stale["answered"]["error"], stale["answered"]["message"]) == GONE
    assert "deviceKey" not in retried
    assert retried["answered"]["challengeName"] == "SMS_MFA"
    assert fourth["steps"] == [SMS_STEP] and fourth["isSignedIn"] is True
    last = confirmed(tracking, fourth)
    assert last not in (key, again)

    server_device = only_device(tracking, username, last)
    assert "DeviceLastAuthenticatedDate" in server_device
    assert attribute(server_device, "dev:device_remembered_status") == "not_remembered"
    gone(tracking, username, key, again)
    assert codes_sent(tracking, username) == 3  # never for the remembered device


def test_amplify_proves_a_device_not_remembered_after_the_mfa_code(
    node: NodeRunner, tracking: Login
) -> None:
    username = sms_user(tracking)
    result = run(node, "devices_amplify.mjs", tracking, username, remember="no")
    key = confirmed(tracking, result["first"])

    second = result["second"]
    assert second["steps"] == [SMS_STEP] and second["isSignedIn"] is True
    [code] = sent(second["exchanges"], "RespondToAuthChallenge SMS_MFA")
    assert code["deviceKey"] == key
    assert code["answered"]["challengeName"] == "DEVICE_SRP_AUTH"
    proved(second, key)
    assert second["exchanges"][-2]["session"] == code["answered"]["session"]
    refreshed_with(result, second, key)

    [listed] = result["listed"]
    assert listed["id"] == key
    assert listed["attributes"]["dev:device_remembered_status"] == "not_remembered"
    assert listed["lastAuthenticatedDate"] > listed["createDate"]
    assert result["fourth"]["isSignedIn"] is True
    assert codes_sent(tracking, username) == 4  # every sign-in: no device was remembered
