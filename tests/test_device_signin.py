"""Signing in with a remembered device, over boto3: NewDeviceMetadata on a device-tracking
pool, device SRP (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) as a sign-in's last step, a
remembered device in place of MFA, Cognito's refusals (a forgotten, unknown or another user's
device; a wrong device secret; a replayed session), and refresh tokens bound to a device."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.device_support import MISSING, OPT_IN, TRACKING, DeviceProof, KnownDevice, confirm
from tests.mfa_support import Login, phone
from tests.signin_support import (
    WRONG_PASSWORD,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    tokens_of,
    unique,
    user_auth,
)
from tests.srp_support import SRP_FLOWS, Channel
from userpool.auth.sessions import INVALID, REUSED

KEY_SHAPE = re.compile(r"us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
GROUP_SHAPE = re.compile(r"-[A-Za-z0-9_-]{8}")
INVALID_REFRESH = ("NotAuthorizedException", "Invalid Refresh Token")

server, cognito = outbox_fixtures("device-sign-in")


class Pool:
    """A device-tracking pool (or not) with a password client and users."""

    def __init__(self, cognito: Any, devices: dict[str, bool] | None = TRACKING) -> None:
        settings = {"DeviceConfiguration": devices} if devices is not None else {}
        self.cognito = cognito
        self.pool_id = new_pool(cognito, **settings)
        self.client_id = new_client(cognito, self.pool_id)["ClientId"]
        self.proof = DeviceProof(cognito, self.pool_id, self.client_id)

    def user(self) -> str:
        username = unique("user")
        confirmed_user(self.cognito, self.pool_id, username)
        return username

    def sign_in(self, username: str, **extra: str) -> dict[str, Any]:
        return user_auth(self.cognito, self.client_id, username, **extra)

    def user_with_device(self) -> tuple[str, KnownDevice]:
        """A new user and the device they confirmed at their first sign-in."""
        username = self.user()
        return username, self.new_device(username)

    def new_device(self, username: str) -> KnownDevice:
        return confirm(self.cognito, tokens_of(self.sign_in(username)))

    def device_sign_in(self, username: str, device: KnownDevice) -> dict[str, Any]:
        challenge = self.sign_in(username, DEVICE_KEY=device.key)
        assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
        return self.proof.prove(username, device, challenge["Session"])


def test_a_tracking_pool_hands_out_a_new_device_with_every_sign_in(cognito: Any) -> None:
    pool = Pool(cognito)
    username = pool.user()
    first, second = (tokens_of(pool.sign_in(username)) for _ in range(2))
    for result in (first, second):
        metadata = result["NewDeviceMetadata"]
        assert KEY_SHAPE.fullmatch(metadata["DeviceKey"])
        assert GROUP_SHAPE.fullmatch(metadata["DeviceGroupKey"])
        assert claims(result["AccessToken"])["device_key"] == metadata["DeviceKey"]
    assert first["NewDeviceMetadata"]["DeviceKey"] != second["NewDeviceMetadata"]["DeviceKey"]
    # One group key per user.
    assert (
        first["NewDeviceMetadata"]["DeviceGroupKey"]
        == second["NewDeviceMetadata"]["DeviceGroupKey"]
    )


def test_a_pool_without_device_tracking_hands_out_none_and_ignores_device_keys(
    cognito: Any,
) -> None:
    pool = Pool(cognito, devices=None)
    username = pool.user()
    result = tokens_of(pool.sign_in(username, DEVICE_KEY="us-east-1_whatever"))
    assert "NewDeviceMetadata" not in result
    assert "device_key" not in claims(result["AccessToken"])


def test_a_confirmed_device_signs_in_with_device_srp(cognito: Any) -> None:
    pool = Pool(cognito)
    username, device = pool.user_with_device()
    challenge = pool.sign_in(username, DEVICE_KEY=device.key)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert challenge["ChallengeParameters"] == {}
    srp = pool.proof.helper(username, device)
    verifier = pool.proof.start(srp, username, challenge["Session"])
    assert set(verifier["ChallengeParameters"]) == {"SRP_B", "SALT", "SECRET_BLOCK", "USERNAME"}
    answer = srp.process_device_challenge(verifier["ChallengeParameters"])
    result = tokens_of(pool.proof.respond("DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"]))
    assert "NewDeviceMetadata" not in result
    assert claims(result["AccessToken"])["device_key"] == device.key
    got = cognito.admin_get_device(UserPoolId=pool.pool_id, Username=username, DeviceKey=device.key)
    assert got["Device"]["DeviceLastAuthenticatedDate"]


def test_device_srp_follows_an_srp_sign_in(cognito: Any) -> None:
    pool_id = new_pool(cognito, DeviceConfiguration=TRACKING)
    client_id = new_client(cognito, pool_id, SRP_FLOWS)["ClientId"]
    channel = Channel(cognito, pool_id, client_id)
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    device = confirm(cognito, tokens_of(channel.sign_in(username)))
    helper = channel.helper(
        username,
        device_key=device.key,
        device_group_key=device.group_key,
        device_password=device.password,
    )
    params, challenge = channel.start(helper)
    assert params["DEVICE_KEY"] == device.key
    step = channel.respond(helper.process_challenge(challenge, params))
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    result = tokens_of(
        DeviceProof(cognito, pool_id, client_id).prove(username, device, step["Session"])
    )
    assert claims(result["AccessToken"])["device_key"] == device.key


def test_a_forgotten_device_does_not_exist_and_the_answer_goes_through_without_it(
    server: Server, cognito: Any
) -> None:
    """identity-js answers PASSWORD_VERIFIER again with DEVICE_KEY null, the same SECRET_BLOCK
    and signature: nothing of the refused answer was written."""
    pool_id = new_pool(cognito, DeviceConfiguration=TRACKING)
    client_id = new_client(cognito, pool_id, SRP_FLOWS)["ClientId"]
    channel = Channel(cognito, pool_id, client_id)
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    device = confirm(cognito, tokens_of(channel.sign_in(username)))
    access = tokens_of(channel.sign_in(username))["AccessToken"]
    cognito.forget_device(AccessToken=access, DeviceKey=device.key)
    helper = channel.helper(
        username,
        device_key=device.key,
        device_group_key=device.group_key,
        device_password=device.password,
    )
    params, challenge = channel.start(helper)
    answer = helper.process_challenge(challenge, params)
    assert failure(channel.respond, answer) == MISSING
    # As identity-js sends it (botocore cannot send a null).
    body = {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER"}
    body["ChallengeResponses"] = {**answer, "DEVICE_KEY": None}
    target = "AWSCognitoIdentityProviderService.RespondToAuthChallenge"
    headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
    response = httpx.post(server.url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert "NewDeviceMetadata" in response.json()["AuthenticationResult"]


@pytest.mark.parametrize("whose", ["unknown", "another user's"])
def test_a_device_that_is_not_the_users_does_not_exist(cognito: Any, whose: str) -> None:
    pool = Pool(cognito)
    username, other = pool.user(), pool.user()
    key = pool.new_device(other).key if whose != "unknown" else "us-east-1_" + "0" * 36
    assert failure(pool.sign_in, username, DEVICE_KEY=key) == MISSING


def test_a_wrong_device_secret_is_refused_and_uses_the_session_up(cognito: Any) -> None:
    pool = Pool(cognito)
    username, device = pool.user_with_device()
    wrong = KnownDevice(device.key, device.group_key, "not-the-secret")
    challenge = pool.sign_in(username, DEVICE_KEY=device.key)
    srp = pool.proof.helper(username, wrong)
    verifier = pool.proof.start(srp, username, challenge["Session"])
    answer = srp.process_device_challenge(verifier["ChallengeParameters"])
    refused = failure(pool.proof.respond, "DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"])
    assert refused == ("NotAuthorizedException", WRONG_PASSWORD)
    again = failure(pool.proof.respond, "DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"])
    assert again == ("NotAuthorizedException", REUSED)


def test_device_sessions_are_single_use(cognito: Any) -> None:
    pool = Pool(cognito)
    username, device = pool.user_with_device()
    challenge = pool.sign_in(username, DEVICE_KEY=device.key)
    srp = pool.proof.helper(username, device)
    verifier = pool.proof.start(srp, username, challenge["Session"])
    replay = failure(pool.proof.start, srp, username, challenge["Session"])
    assert replay == ("NotAuthorizedException", REUSED)
    answer = srp.process_device_challenge(verifier["ChallengeParameters"])
    tokens_of(pool.proof.respond("DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"]))
    replay = failure(pool.proof.respond, "DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"])
    assert replay == ("NotAuthorizedException", REUSED)


def test_a_device_forgotten_during_the_sign_in_cannot_finish_it(cognito: Any) -> None:
    pool = Pool(cognito)
    username, device = pool.user_with_device()
    challenge = pool.sign_in(username, DEVICE_KEY=device.key)
    cognito.admin_forget_device(UserPoolId=pool.pool_id, Username=username, DeviceKey=device.key)
    srp = pool.proof.helper(username, device)
    assert failure(pool.proof.start, srp, username, challenge["Session"]) == MISSING


def refresh(pool: Pool, token: str, **extra: str) -> dict[str, Any]:
    response: dict[str, Any] = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": token, **extra},
    )
    return response


def test_a_refresh_token_of_a_device_needs_that_device_confirmed_and_named(cognito: Any) -> None:
    pool = Pool(cognito)
    username = pool.user()
    first = tokens_of(pool.sign_in(username))
    key = first["NewDeviceMetadata"]["DeviceKey"]
    token = first["RefreshToken"]
    # Not confirmed yet: refused, with or without its key (Cognito: "Invalid Refresh Token").
    assert failure(refresh, pool, token) == INVALID_REFRESH
    assert failure(refresh, pool, token, DEVICE_KEY=key) == INVALID_REFRESH
    device = confirm(cognito, first)
    assert failure(refresh, pool, token) == INVALID_REFRESH
    refreshed = tokens_of(refresh(pool, token, DEVICE_KEY=device.key))
    assert claims(refreshed["AccessToken"])["device_key"] == device.key
    other = pool.new_device(username)
    assert failure(refresh, pool, token, DEVICE_KEY=other.key) == INVALID_REFRESH
    cognito.forget_device(AccessToken=refreshed["AccessToken"], DeviceKey=device.key)
    assert failure(refresh, pool, token, DEVICE_KEY=device.key) == INVALID_REFRESH


def test_get_tokens_from_refresh_token_takes_the_device_key(cognito: Any) -> None:
    pool_id = new_pool(cognito, DeviceConfiguration=TRACKING)
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client_id = new_client(cognito, pool_id, RefreshTokenRotation=rotation)["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    result = tokens_of(user_auth(cognito, client_id, username))
    device = confirm(cognito, result)
    call = {"ClientId": client_id, "RefreshToken": result["RefreshToken"]}
    error = failure(cognito.get_tokens_from_refresh_token, **call)
    assert error == INVALID_REFRESH
    rotated = cognito.get_tokens_from_refresh_token(**call, DeviceKey=device.key)
    assert claims(rotated["AuthenticationResult"]["AccessToken"])["device_key"] == device.key


def mfa_login(server: Server, cognito: Any, devices: dict[str, bool]) -> tuple[Login, str]:
    login = Login.make(
        server, cognito, mode="ON", factors=("SMS_MFA",), DeviceConfiguration=devices
    )
    return login, login.user(phone_number=phone())


def sms_sign_in(login: Login, username: str, **extra: str) -> dict[str, Any]:
    challenge = user_auth(login.cognito, login.client_id, username, **extra)
    assert challenge["ChallengeName"] == "SMS_MFA"
    return login.respond(challenge, username, SMS_MFA_CODE=login.code(username), **extra)


def test_a_remembered_device_stands_in_for_mfa(server: Server, cognito: Any) -> None:
    login, username = mfa_login(server, cognito, TRACKING)
    proof = DeviceProof(cognito, login.pool_id, login.client_id)
    device = confirm(cognito, tokens_of(sms_sign_in(login, username)))
    step = user_auth(cognito, login.client_id, username, DEVICE_KEY=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"  # no SMS_MFA
    result = tokens_of(proof.prove(username, device, step["Session"]))
    assert claims(result["AccessToken"])["device_key"] == device.key


@pytest.mark.parametrize("why", ["not remembered", "the pool does not let it"])
def test_a_device_that_may_not_stand_in_for_mfa_is_proved_after_it(
    server: Server, cognito: Any, why: str
) -> None:
    devices = (
        OPT_IN if why == "not remembered" else {**TRACKING, "ChallengeRequiredOnNewDevice": False}
    )
    login, username = mfa_login(server, cognito, devices)
    proof = DeviceProof(cognito, login.pool_id, login.client_id)
    first = tokens_of(sms_sign_in(login, username))
    device = confirm(cognito, first)
    status = "not_remembered" if why == "not remembered" else "remembered"
    cognito.update_device_status(
        AccessToken=first["AccessToken"], DeviceKey=device.key, DeviceRememberedStatus=status
    )
    step = sms_sign_in(login, username, DEVICE_KEY=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    result = tokens_of(proof.prove(username, device, step["Session"]))
    assert "NewDeviceMetadata" not in result


def test_remembering_a_device_on_an_opt_in_pool_makes_it_stand_in_for_mfa(
    server: Server, cognito: Any
) -> None:
    login, username = mfa_login(server, cognito, OPT_IN)
    first = tokens_of(sms_sign_in(login, username))
    device = confirm(cognito, first)
    cognito.update_device_status(
        AccessToken=first["AccessToken"], DeviceKey=device.key, DeviceRememberedStatus="remembered"
    )
    step = user_auth(cognito, login.client_id, username, DEVICE_KEY=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"


def test_the_code_session_stands_for_the_device_srp_it_led_to_once(
    server: Server, cognito: Any
) -> None:
    """As amazon-cognito-identity-js answers it: DEVICE_SRP_AUTH with the MFA code's Session."""
    login, username = mfa_login(server, cognito, OPT_IN)
    proof = DeviceProof(cognito, login.pool_id, login.client_id)
    device = confirm(cognito, tokens_of(sms_sign_in(login, username)))
    challenge = user_auth(cognito, login.client_id, username, DEVICE_KEY=device.key)
    code = login.code(username)
    wrong = "000000" if code != "000000" else "111111"
    assert failure(login.respond, challenge, username, SMS_MFA_CODE=wrong)[0] == (
        "CodeMismatchException"
    )
    # A code not (yet) right led nowhere: its session opens no device SRP.
    srp = proof.helper(username, device)
    refused = failure(proof.start, srp, username, challenge["Session"])
    assert refused == ("NotAuthorizedException", INVALID)
    step = login.respond(challenge, username, SMS_MFA_CODE=code)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    result = tokens_of(proof.prove(username, device, challenge["Session"]))
    assert claims(result["AccessToken"])["device_key"] == device.key
    # One sign-in: the successor's own Session is spent with it.
    again = failure(proof.start, proof.helper(username, device), username, step["Session"])
    assert again == ("NotAuthorizedException", REUSED)


def test_global_sign_out_ends_the_devices_tokens_but_not_the_device(cognito: Any) -> None:
    """GlobalSignOut revokes every token, the device's too; the device stays remembered and
    signs in again with device SRP."""
    pool = Pool(cognito)
    username, device = pool.user_with_device()
    result = tokens_of(pool.device_sign_in(username, device))
    cognito.global_sign_out(AccessToken=result["AccessToken"])
    revoked = failure(refresh, pool, result["RefreshToken"], DEVICE_KEY=device.key)
    assert revoked == ("NotAuthorizedException", "Refresh Token has been revoked")
    again = tokens_of(pool.device_sign_in(username, device))
    assert claims(again["AccessToken"])["device_key"] == device.key
