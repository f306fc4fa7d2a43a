"""Races on devices (see test_races.py for the shape): a device SRP claim answered by many
requests at once signs in once; ConfirmDevice of one key sent many times at once, each with
its own secret, confirms it once (the others: DeviceKeyExistsException) and leaves one
whole verifier, which its own secret proves."""

from __future__ import annotations

import base64
from typing import Any

from pycognito.aws_srp import generate_hash_device

from tests.device_support import TRACKING, DeviceProof, KnownDevice, confirm
from tests.race_support import (
    Topology,
    one_winner,
    play_rounds,
    race,
    topology_fixture,
)
from tests.signin_support import confirmed_user, new_client, new_pool, tokens_of, unique, user_auth
from userpool.crypto.srp import pad_hex

topology = topology_fixture()


def tracking_pool(admin: Any) -> tuple[str, str, str]:
    """A device-tracking pool, a password client, a user: their ids and username."""
    pool_id = new_pool(admin, DeviceConfiguration=TRACKING)
    client_id = new_client(admin, pool_id)["ClientId"]
    username = unique("device")
    confirmed_user(admin, pool_id, username)
    return pool_id, client_id, username


def test_a_device_claim_signs_in_once(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(20)
    pool_id, client_id, username = tracking_pool(admin)
    device = confirm(admin, tokens_of(user_auth(admin, client_id, username)))
    proof = DeviceProof(admin, pool_id, client_id)

    def play(_round: int) -> list[str]:
        step = user_auth(admin, client_id, username, DEVICE_KEY=device.key)
        srp = proof.helper(username, device)
        verifier = proof.start(srp, username, step["Session"])
        answer = srp.process_device_challenge(verifier["ChallengeParameters"])
        calls = [
            lambda client=client: client.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="DEVICE_PASSWORD_VERIFIER",
                ChallengeResponses=answer,
                Session=verifier["Session"],
            )
            for client in threads
        ]
        return one_winner(race(calls), "NotAuthorizedException")

    play_rounds(topology, play)


def test_one_confirmation_of_a_device_key_stays_whole(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    pool_id, client_id, username = tracking_pool(admin)
    proof = DeviceProof(admin, pool_id, client_id)

    def play(_round: int) -> list[str]:
        result = tokens_of(user_auth(admin, client_id, username))
        metadata = result["NewDeviceMetadata"]
        key, group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
        secrets = [generate_hash_device(group_key, key) for _ in threads]
        calls = [
            lambda client=client, config=config: client.confirm_device(
                AccessToken=result["AccessToken"], DeviceKey=key, DeviceSecretVerifierConfig=config
            )
            for client, (_, config) in zip(threads, secrets, strict=True)
        ]
        problems = one_winner(race(calls), "DeviceKeyExistsException")
        listed = admin.admin_list_devices(UserPoolId=pool_id, Username=username)["Devices"]
        if [device["DeviceKey"] for device in listed].count(key) != 1:
            problems.append(f"{len(listed)} devices listed")
        # The salt the device challenge shows names the confirmation that stayed; its own
        # secret must prove it (a verifier of one and a salt of another would not).
        step = user_auth(admin, client_id, username, DEVICE_KEY=key)
        srp = proof.helper(username, KnownDevice(key, group_key, "unknown yet"))
        verifier = proof.start(srp, username, step["Session"])
        salt = verifier["ChallengeParameters"]["SALT"]
        kept = [
            password
            for password, config in secrets
            if pad_hex(int(salt, 16)) == pad_hex(int(_salt_hex(config), 16))
        ]
        if len(kept) != 1:
            return [*problems, f"{len(kept)} confirmations have the shown salt"]
        srp.device_password = kept[0]
        answer = srp.process_device_challenge(verifier["ChallengeParameters"])
        signed_in = proof.respond("DEVICE_PASSWORD_VERIFIER", answer, verifier["Session"])
        if "AuthenticationResult" not in signed_in:
            problems.append("the kept secret does not prove the device")
        admin.admin_forget_device(UserPoolId=pool_id, Username=username, DeviceKey=key)
        return problems

    play_rounds(topology, play)


def _salt_hex(config: dict[str, str]) -> str:
    return base64.b64decode(config["Salt"]).hex()
