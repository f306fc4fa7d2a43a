"""The device operations over boto3: ConfirmDevice, UpdateDeviceStatus, GetDevice,
ListDevices, ForgetDevice and their Admin* twins, on pools whose DeviceConfiguration hands a
new device key to every sign-in (NewDeviceMetadata). Device verifiers are made as
amazon-cognito-identity-js makes them, with the server's own SRP arithmetic."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Server, server_store
from tests.signin_support import (
    admin_auth,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    tokens_of,
    unique,
)
from userpool.crypto import srp

TRACKING = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
ON_PROMPT = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
DEVICE_PASSWORD = "the-device-secret"
GONE = ("ResourceNotFoundException", "Device does not exist.")
INVALID_KEY = ("InvalidParameterException", "Invalid device key given.")
NO_USER = ("UserNotFoundException", "User does not exist.")
REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def verifier_config(metadata: dict[str, str], password: str = DEVICE_PASSWORD) -> dict[str, str]:
    """DeviceSecretVerifierConfig as amazon-cognito-identity-js's generateHashDevice makes it:
    a padded random salt and v = g^x with the group key in place of the pool name."""
    salt_hex = srp.pad_hex(secrets.token_hex(16))
    key, group = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    verifier = srp.verifier(salt_hex, group, key, password)
    return {
        "PasswordVerifier": b64(bytes.fromhex(srp.pad_hex(verifier))),
        "Salt": b64(bytes.fromhex(salt_hex)),
    }


@dataclass(frozen=True)
class DeviceUser:
    """A confirmed user of a fresh pool with the given DeviceConfiguration."""

    cognito: Any
    pool_id: str
    client_id: str
    username: str

    @classmethod
    def make(cls, cognito: Any, configuration: dict[str, bool] | None = None) -> DeviceUser:
        settings = {} if configuration is None else {"DeviceConfiguration": configuration}
        pool_id = new_pool(cognito, **settings)
        client_id = new_client(cognito, pool_id)["ClientId"]
        username = unique("user")
        confirmed_user(cognito, pool_id, username)
        return cls(cognito, pool_id, client_id, username)

    def sign_in(self) -> dict[str, Any]:
        """AuthenticationResult of a password sign-in (NewDeviceMetadata where tracked)."""
        return tokens_of(admin_auth(self.cognito, self.pool_id, self.client_id, self.username))

    def confirm(self, tokens: dict[str, Any], key: str | None = None, **extra: Any) -> Any:
        """ConfirmDevice with a sign-in's access token: of its own key (unless `key`), with a
        fresh verifier (unless DeviceSecretVerifierConfig is given)."""
        metadata = tokens.get("NewDeviceMetadata") or {"DeviceGroupKey": "-none"}
        key = key or metadata["DeviceKey"]
        config = verifier_config({"DeviceKey": key, "DeviceGroupKey": metadata["DeviceGroupKey"]})
        extra.setdefault("DeviceSecretVerifierConfig", config)
        return self.cognito.confirm_device(
            AccessToken=tokens["AccessToken"], DeviceKey=key, **extra
        )

    def new_device(self, name: str | None = "phone") -> tuple[str, dict[str, Any]]:
        """A fresh sign-in whose device is confirmed: its key and the sign-in's tokens."""
        tokens = self.sign_in()
        self.confirm(tokens, **({} if name is None else {"DeviceName": name}))
        return tokens["NewDeviceMetadata"]["DeviceKey"], tokens

    def admin(self, **extra: Any) -> dict[str, Any]:
        return {"UserPoolId": self.pool_id, "Username": self.username, **extra}


def attributes(device: dict[str, Any]) -> dict[str, str]:
    return {entry["Name"]: entry["Value"] for entry in device["DeviceAttributes"]}


def unknown_key() -> str:
    return f"us-east-1_{secrets.token_hex(4)}-0000-0000-0000-000000000000"


def keys(devices: list[dict[str, Any]]) -> list[str]:
    return [device["DeviceKey"] for device in devices]


@pytest.fixture
def owner(cognito: Any) -> DeviceUser:
    return DeviceUser.make(cognito, TRACKING)


def test_a_sign_in_hands_out_a_device_key_in_the_access_token(owner: DeviceUser) -> None:
    tokens = owner.sign_in()
    metadata = tokens["NewDeviceMetadata"]
    assert metadata["DeviceKey"].startswith(owner.pool_id.split("_")[0] + "_")
    assert claims(tokens["AccessToken"])["device_key"] == metadata["DeviceKey"]
    # One group key per user, whatever the sign-in.
    assert owner.sign_in()["NewDeviceMetadata"]["DeviceGroupKey"] == metadata["DeviceGroupKey"]


def test_confirm_device_remembers_it_at_once(owner: DeviceUser) -> None:
    before = time.time()
    tokens = owner.sign_in()
    metadata = tokens["NewDeviceMetadata"]
    response = owner.confirm(tokens, DeviceName="Ada's laptop")
    assert response["UserConfirmationNecessary"] is False
    device = owner.cognito.get_device(
        AccessToken=tokens["AccessToken"], DeviceKey=metadata["DeviceKey"]
    )["Device"]
    assert device["DeviceKey"] == metadata["DeviceKey"]
    owner_name = f"{owner.username}.{owner.pool_id}"
    assert attributes(device) == {
        "device_status": "valid",
        "device_name": "Ada's laptop",
        "dev:device_arn": (
            f"arn:aws:cognito-idp:us-east-1:000000000000:owner/{owner_name}"
            f"/device/{metadata['DeviceKey']}"
        ),
        "dev:device_owner": owner_name,
        "dev:device_remembered_status": "remembered",
    }
    # In the order Cognito lists them.
    assert [entry["Name"] for entry in device["DeviceAttributes"]] == [
        "device_status",
        "device_name",
        "dev:device_arn",
        "dev:device_owner",
        "dev:device_remembered_status",
    ]
    created = device["DeviceCreateDate"].timestamp()
    assert before - 1 <= created <= time.time() + 1
    assert device["DeviceLastModifiedDate"].timestamp() == created
    # The sign-in that was handed the key is when the device last authenticated.
    authenticated = device["DeviceLastAuthenticatedDate"].timestamp()
    assert authenticated == claims(tokens["AccessToken"])["iat"]
    admin_view = owner.cognito.admin_get_device(**owner.admin(DeviceKey=metadata["DeviceKey"]))
    assert admin_view["Device"] == device


def test_a_device_without_a_name_has_no_name_attribute(owner: DeviceUser) -> None:
    key, tokens = owner.new_device(name=None)
    device = owner.cognito.get_device(AccessToken=tokens["AccessToken"], DeviceKey=key)["Device"]
    assert "device_name" not in attributes(device)


def test_the_server_keeps_the_verifier_as_the_engine_reads_it(
    server: Server, owner: DeviceUser
) -> None:
    tokens = owner.sign_in()
    metadata = tokens["NewDeviceMetadata"]
    config = verifier_config(metadata)
    owner.confirm(tokens, DeviceSecretVerifierConfig=config)
    with server_store(server) as store, store.read() as tx:
        stored = tx.devices.get(owner.pool_id, metadata["DeviceKey"])
    assert stored is not None
    assert stored.salt == base64.b64decode(config["Salt"]).hex()
    assert int(stored.verifier, 16) == srp.verifier(
        stored.salt, metadata["DeviceGroupKey"], metadata["DeviceKey"], DEVICE_PASSWORD
    )
    assert stored.group_key == metadata["DeviceGroupKey"]
    assert stored.sub == claims(tokens["AccessToken"])["sub"]
    assert DEVICE_PASSWORD not in repr(stored)


def test_on_user_prompt_the_user_decides(cognito: Any) -> None:
    user = DeviceUser.make(cognito, ON_PROMPT)
    tokens = user.sign_in()
    assert user.confirm(tokens)["UserConfirmationNecessary"] is True
    key, token = tokens["NewDeviceMetadata"]["DeviceKey"], tokens["AccessToken"]

    def status() -> str:
        device = cognito.get_device(AccessToken=token, DeviceKey=key)["Device"]
        return attributes(device)["dev:device_remembered_status"]

    assert status() == "not_remembered"
    cognito.update_device_status(
        AccessToken=token, DeviceKey=key, DeviceRememberedStatus="remembered"
    )
    assert status() == "remembered"
    cognito.update_device_status(AccessToken=token, DeviceKey=key)  # no status: no change
    assert status() == "remembered"
    cognito.admin_update_device_status(
        **user.admin(DeviceKey=key, DeviceRememberedStatus="not_remembered")
    )
    assert status() == "not_remembered"
    device = cognito.admin_get_device(**user.admin(DeviceKey=key))["Device"]
    assert device["DeviceLastModifiedDate"] >= device["DeviceCreateDate"]


def test_confirm_device_takes_only_the_tokens_own_key(owner: DeviceUser) -> None:
    first, second = owner.sign_in(), owner.sign_in()
    for key in (second["NewDeviceMetadata"]["DeviceKey"], unknown_key()):
        assert failure(owner.confirm, first, key) == INVALID_KEY
    assert owner.cognito.list_devices(AccessToken=first["AccessToken"])["Devices"] == []


def test_a_device_is_confirmed_once(owner: DeviceUser) -> None:
    key, tokens = owner.new_device(name="first")
    code, _ = failure(owner.confirm, tokens, DeviceName="second")
    assert code == "DeviceKeyExistsException"
    device = owner.cognito.admin_get_device(**owner.admin(DeviceKey=key))["Device"]
    assert attributes(device)["device_name"] == "first"


def test_a_pool_without_device_tracking_hands_out_and_takes_no_key(cognito: Any) -> None:
    user = DeviceUser.make(cognito)
    tokens = user.sign_in()
    assert "NewDeviceMetadata" not in tokens
    assert "device_key" not in claims(tokens["AccessToken"])
    assert failure(user.confirm, tokens, unknown_key()) == INVALID_KEY


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (None, "Missing required parameter DeviceSecretVerifierConfig"),
        ({"Salt": b64(b"salt")}, "DeviceSecretVerifierConfig requires a PasswordVerifier."),
        ({"PasswordVerifier": b64(b"\x05")}, "DeviceSecretVerifierConfig requires a Salt."),
        (
            {"PasswordVerifier": "not base64!", "Salt": b64(b"salt")},
            "DeviceSecretVerifierConfig.PasswordVerifier is not base64.",
        ),
        (
            {"PasswordVerifier": b64(b"\x05"), "Salt": "@@@"},
            "DeviceSecretVerifierConfig.Salt is not base64.",
        ),
        (
            {"PasswordVerifier": b64(bytes.fromhex(srp.pad_hex(srp.N))), "Salt": b64(b"salt")},
            "DeviceSecretVerifierConfig.PasswordVerifier is not valid.",
        ),
    ],
)
def test_confirm_device_needs_a_verifier(
    owner: DeviceUser, config: dict[str, str] | None, message: str
) -> None:
    tokens = owner.sign_in()
    extra = {} if config is None else {"DeviceSecretVerifierConfig": config}
    error = failure(
        owner.cognito.confirm_device,
        AccessToken=tokens["AccessToken"],
        DeviceKey=tokens["NewDeviceMetadata"]["DeviceKey"],
        **extra,
    )
    assert error == ("InvalidParameterException", message)


def test_list_devices_pages(owner: DeviceUser) -> None:
    confirmed = sorted(owner.new_device(name=f"device {n}")[0] for n in range(3))
    token = owner.sign_in()["AccessToken"]  # its own key is not confirmed: not listed
    first = owner.cognito.list_devices(AccessToken=token, Limit=2)
    assert len(first["Devices"]) == 2
    rest = owner.cognito.list_devices(
        AccessToken=token, Limit=2, PaginationToken=first["PaginationToken"]
    )
    assert "PaginationToken" not in rest
    assert sorted(keys(first["Devices"] + rest["Devices"])) == confirmed
    whole = owner.cognito.list_devices(AccessToken=token)
    assert sorted(keys(whole["Devices"])) == confirmed
    assert "PaginationToken" not in whole

    first = owner.cognito.admin_list_devices(**owner.admin(Limit=2))
    rest = owner.cognito.admin_list_devices(
        **owner.admin(Limit=2, PaginationToken=first["PaginationToken"])
    )
    assert sorted(keys(first["Devices"] + rest["Devices"])) == confirmed
    assert "PaginationToken" not in rest
    names = {attributes(d)["device_name"] for d in first["Devices"] + rest["Devices"]}
    assert names == {"device 0", "device 1", "device 2"}


def test_listings_refuse_a_bad_token_or_limit(owner: DeviceUser) -> None:
    token = owner.sign_in()["AccessToken"]
    code, message = failure(owner.cognito.list_devices, AccessToken=token, PaginationToken="abc")
    assert (code, message) == ("InvalidParameterException", "Invalid pagination token.")
    code, message = failure(owner.cognito.admin_list_devices, **owner.admin(Limit=61))
    assert code == "InvalidParameterException" and "limit" in message


def test_a_user_sees_only_their_own_devices(cognito: Any, owner: DeviceUser) -> None:
    key, _ = owner.new_device()
    other_name = unique("other")
    confirmed_user(cognito, owner.pool_id, other_name)
    other = DeviceUser(cognito, owner.pool_id, owner.client_id, other_name)
    token = other.sign_in()["AccessToken"]
    assert cognito.list_devices(AccessToken=token)["Devices"] == []
    assert failure(cognito.get_device, AccessToken=token, DeviceKey=key) == GONE
    assert failure(cognito.forget_device, AccessToken=token, DeviceKey=key) == GONE
    assert (
        failure(
            cognito.update_device_status,
            AccessToken=token,
            DeviceKey=key,
            DeviceRememberedStatus="not_remembered",
        )
        == GONE
    )
    assert failure(cognito.admin_get_device, **other.admin(DeviceKey=key)) == GONE
    assert failure(cognito.admin_forget_device, **other.admin(DeviceKey=key)) == GONE
    # Still there, and still remembered, for its owner.
    device = cognito.admin_get_device(**owner.admin(DeviceKey=key))["Device"]
    assert attributes(device)["dev:device_remembered_status"] == "remembered"


def test_forget_device(owner: DeviceUser) -> None:
    kept, tokens = owner.new_device()
    forgotten, _ = owner.new_device()
    token = tokens["AccessToken"]
    owner.cognito.forget_device(AccessToken=token, DeviceKey=forgotten)
    assert failure(owner.cognito.get_device, AccessToken=token, DeviceKey=forgotten) == GONE
    assert keys(owner.cognito.list_devices(AccessToken=token)["Devices"]) == [kept]
    assert failure(owner.cognito.forget_device, AccessToken=token, DeviceKey=forgotten) == GONE

    owner.cognito.admin_forget_device(**owner.admin(DeviceKey=kept))
    assert failure(owner.cognito.admin_get_device, **owner.admin(DeviceKey=kept)) == GONE
    assert owner.cognito.admin_list_devices(**owner.admin())["Devices"] == []
    assert failure(owner.cognito.admin_forget_device, **owner.admin(DeviceKey=kept)) == GONE


def test_unknown_devices(owner: DeviceUser) -> None:
    token = owner.sign_in()["AccessToken"]
    key = unknown_key()
    calls: list[tuple[Any, dict[str, Any]]] = [
        (owner.cognito.get_device, {"AccessToken": token, "DeviceKey": key}),
        (owner.cognito.forget_device, {"AccessToken": token, "DeviceKey": key}),
        (
            owner.cognito.update_device_status,
            {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered"},
        ),
        (owner.cognito.update_device_status, {"AccessToken": token, "DeviceKey": key}),
        (owner.cognito.admin_get_device, owner.admin(DeviceKey=key)),
        (owner.cognito.admin_forget_device, owner.admin(DeviceKey=key)),
        (
            owner.cognito.admin_update_device_status,
            owner.admin(DeviceKey=key, DeviceRememberedStatus="remembered"),
        ),
    ]
    for call, arguments in calls:
        assert failure(call, **arguments) == GONE


def test_admin_operations_need_a_pool_and_a_user(cognito: Any, owner: DeviceUser) -> None:
    key, _ = owner.new_device()
    missing_pool = "us-east-1_NoSuchPool"
    pool_gone = ("ResourceNotFoundException", f"User pool {missing_pool} does not exist.")
    calls: list[tuple[Any, dict[str, Any]]] = [
        (cognito.admin_get_device, {"DeviceKey": key}),
        (cognito.admin_forget_device, {"DeviceKey": key}),
        (cognito.admin_list_devices, {}),
        (
            cognito.admin_update_device_status,
            {"DeviceKey": key, "DeviceRememberedStatus": "not_remembered"},
        ),
    ]
    for call, arguments in calls:
        nobody = {"UserPoolId": owner.pool_id, "Username": "nobody", **arguments}
        assert failure(call, **nobody) == NO_USER
        no_pool = {"UserPoolId": missing_pool, "Username": owner.username, **arguments}
        assert failure(call, **no_pool) == pool_gone
    assert keys(cognito.admin_list_devices(**owner.admin())["Devices"]) == [key]


def test_device_calls_check_the_access_token(owner: DeviceUser) -> None:
    key, tokens = owner.new_device()
    token = tokens["AccessToken"]
    code, _ = failure(owner.cognito.get_device, DeviceKey=key)
    assert code == "InvalidParameterException"
    code, _ = failure(owner.cognito.list_devices, AccessToken=token[:-4] + "AAAA")
    assert code == "NotAuthorizedException"
    owner.cognito.global_sign_out(AccessToken=token)
    assert failure(owner.cognito.list_devices, AccessToken=token) == REVOKED
    assert failure(owner.cognito.get_device, AccessToken=token, DeviceKey=key) == REVOKED
    assert failure(owner.cognito.forget_device, AccessToken=token, DeviceKey=key) == REVOKED
    # Signed out, not forgotten: the device is still the user's.
    assert keys(owner.cognito.admin_list_devices(**owner.admin())["Devices"]) == [key]


def test_describe_user_pool_shows_both_fields(cognito: Any) -> None:
    pool_id = new_pool(cognito, DeviceConfiguration={"ChallengeRequiredOnNewDevice": True})
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": False,
    }


def test_update_user_pool_without_device_configuration_turns_tracking_off(
    owner: DeviceUser,
) -> None:
    key, tokens = owner.new_device()
    pending = owner.sign_in()
    owner.cognito.update_user_pool(UserPoolId=owner.pool_id)
    pool = owner.cognito.describe_user_pool(UserPoolId=owner.pool_id)["UserPool"]
    assert "DeviceConfiguration" not in pool
    assert "NewDeviceMetadata" not in owner.sign_in()
    # A key handed out before can no longer be confirmed; confirmed devices stay listed.
    assert failure(owner.confirm, pending) == INVALID_KEY
    listed = owner.cognito.list_devices(AccessToken=tokens["AccessToken"])["Devices"]
    assert keys(listed) == [key]
