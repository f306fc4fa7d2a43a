"""A device as a client keeps one: confirmed after a sign-in that handed out NewDeviceMetadata
(its secret and verifier made by pycognito's own `generate_hash_device`, the port of
amazon-cognito-identity-js's), and proved with device SRP as pycognito answers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycognito.aws_srp import AWSSRP, generate_hash_device, long_to_hex

TRACKING = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
OPT_IN = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
MISSING = ("ResourceNotFoundException", "Device does not exist.")


@dataclass(frozen=True)
class KnownDevice:
    key: str
    group_key: str
    password: str


def confirm(cognito: Any, result: dict[str, Any], name: str = "laptop") -> KnownDevice:
    """ConfirmDevice for the device a sign-in's AuthenticationResult named."""
    metadata = result["NewDeviceMetadata"]
    key, group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    password, config = generate_hash_device(group_key, key)
    cognito.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=key,
        DeviceSecretVerifierConfig=config,
        DeviceName=name,
    )
    return KnownDevice(key, group_key, password)


@dataclass(frozen=True)
class DeviceProof:
    """Device SRP for one app client: DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER."""

    cognito: Any
    pool_id: str
    client_id: str

    def helper(self, username: str, device: KnownDevice) -> AWSSRP:
        return AWSSRP(
            username=username,
            password="unused",
            pool_id=self.pool_id,
            client_id=self.client_id,
            client=self.cognito,
            device_key=device.key,
            device_group_key=device.group_key,
            device_password=device.password,
        )

    def respond(self, challenge: str, responses: dict[str, str], session: str) -> dict[str, Any]:
        response: dict[str, Any] = self.cognito.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName=challenge,
            ChallengeResponses=responses,
            Session=session,
        )
        return response

    def start(self, srp: AWSSRP, username: str, session: str) -> dict[str, Any]:
        """The DEVICE_PASSWORD_VERIFIER challenge answering DEVICE_SRP_AUTH."""
        answer = {
            "USERNAME": username,
            "DEVICE_KEY": srp.device_key,
            "SRP_A": long_to_hex(srp.large_a_value),
        }
        return self.respond("DEVICE_SRP_AUTH", answer, session)

    def prove(self, username: str, device: KnownDevice, session: str) -> dict[str, Any]:
        """Both round trips from a DEVICE_SRP_AUTH challenge's Session; the last response."""
        srp = self.helper(username, device)
        challenge = self.start(srp, username, session)
        assert challenge["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
        answer = srp.process_device_challenge(challenge["ChallengeParameters"])
        return self.respond("DEVICE_PASSWORD_VERIFIER", answer, challenge["Session"])
