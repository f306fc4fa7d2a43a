"""Devices and the sign-in's Lambda triggers (real handler files, tests/triggers/signin): a
custom sign-in proves its device after DefineAuthChallenge issues tokens; PostAuthentication is
told whether the sign-in came from a new device; PreTokenGeneration's source for a device
sign-in is TokenGeneration_AuthenticateDevice."""

from __future__ import annotations

from typing import Any

from tests.device_support import TRACKING, DeviceProof, confirm
from tests.signin_support import claims, unique
from tests.signin_trigger_support import (
    CUSTOM,
    POST_AUTH,
    PRE_TOKEN,
    CustomSignIn,
    TriggerServer,
    app_client,
    trigger_pool,
    trigger_server_fixture,
    user,
)

triggers = trigger_server_fixture("device-triggers")

LAMBDAS = {
    **CUSTOM,
    "PostAuthentication": POST_AUTH,
    "PreTokenGeneration": PRE_TOKEN,
    "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": PRE_TOKEN},
}


def custom_rounds(sign_in: CustomSignIn, **params: str) -> dict[str, Any]:
    """A custom sign-in's two right answers (define.mjs issues tokens after them)."""
    sign_in.initiate(params)
    sign_in.answer("1")
    return sign_in.answer("2")


def test_a_custom_sign_in_proves_its_device_after_define_issues_tokens(
    triggers: TriggerServer,
) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, LAMBDAS, DeviceConfiguration=TRACKING)
    client_id = app_client(cognito, pool_id, "ALLOW_CUSTOM_AUTH")
    username = user(cognito, pool_id, email=f"{unique('dev')}@example.com")
    sign_in = CustomSignIn(cognito, pool_id, client_id, username)

    first = custom_rounds(sign_in)["AuthenticationResult"]
    assert claims(first["IdToken"])["trigger_source"] == "TokenGeneration_Authentication"
    device = confirm(cognito, first)

    step = custom_rounds(sign_in, DEVICE_KEY=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    proof = DeviceProof(cognito, pool_id, client_id)
    second = proof.prove(username, device, step["Session"])["AuthenticationResult"]
    assert "NewDeviceMetadata" not in second
    assert claims(second["IdToken"])["trigger_source"] == "TokenGeneration_AuthenticateDevice"
    assert claims(second["AccessToken"])["device_key"] == device.key

    told = triggers.events(pool_id, "PostAuthentication_Authentication")
    assert [event["request"]["newDeviceUsed"] for event in told] == [True, False]
