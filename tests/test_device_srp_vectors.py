"""Device SRP, server side, against values amazon-cognito-identity-js computed itself
(tests/data/device_srp_vectors.json; regenerate with tests/node/make_device_srp_vectors.mjs).

Each vector holds the DeviceSecretVerifierConfig the library sent to ConfirmDevice and its
DEVICE_PASSWORD_VERIFIER answer to a server holding the fixed secret b. The device group key
takes the pool name's place and the device key the user id's: the username and pool id are
recorded but play no part in the maths."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from userpool.crypto import srp

VECTORS_FILE = Path(__file__).parent / "data" / "device_srp_vectors.json"
ALL_VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text())
VECTORS = [pytest.param(vector, id=vector["device_group_key"]) for vector in ALL_VECTORS]


def stored(vector: dict[str, Any]) -> tuple[str, int]:
    """(salt hex, verifier) as the server keeps them from the base64 ConfirmDevice config."""
    config = vector["device_secret_verifier_config"]
    salt_hex = base64.b64decode(config["Salt"]).hex()
    verifier = int.from_bytes(base64.b64decode(config["PasswordVerifier"]), "big")
    return salt_hex, verifier


def server_key(vector: dict[str, Any]) -> bytes:
    key = srp.session_key(
        int(vector["A"], 16), int(vector["B"], 16), int(vector["b"], 16), stored(vector)[1]
    )
    assert key is not None
    return key


def test_the_vectors_cover_each_way_the_config_is_padded() -> None:
    # identity-js sends padHex(salt) and padHex(verifier), so the decoded bytes may carry a
    # sign byte (17-byte salt, 385-byte verifier) or lose leading zero bytes (15-byte salt);
    # a regenerated file must keep a vector of each kind or those decodings go untested.
    configs = [vector["device_secret_verifier_config"] for vector in ALL_VECTORS]
    salt_lengths = {len(base64.b64decode(config["Salt"])) for config in configs}
    verifier_lengths = {len(base64.b64decode(config["PasswordVerifier"])) for config in configs}
    assert salt_lengths == {15, 16, 17}
    assert verifier_lengths == {384, 385}


@pytest.mark.parametrize("vector", VECTORS)
def test_the_config_is_the_clients_padded_hex_in_base64(vector: dict[str, Any]) -> None:
    salt_hex, verifier = stored(vector)
    assert salt_hex == vector["salt"] == srp.pad_hex(int(vector["salt"], 16))
    assert verifier == int(vector["verifier"], 16)
    assert srp.pad_hex(verifier) == vector["verifier"]
    # What the client is sent back as SALT (and parses as a number) is the stored hex.
    assert vector["challenge_salt"] == salt_hex


@pytest.mark.parametrize("vector", VECTORS)
def test_the_server_computes_the_clients_verifier(vector: dict[str, Any]) -> None:
    salt_hex, verifier = stored(vector)
    made = srp.verifier(
        salt_hex, vector["device_group_key"], vector["device_key"], vector["device_password"]
    )
    assert made == verifier


@pytest.mark.parametrize("vector", VECTORS)
def test_b_is_k_v_plus_g_to_the_b(vector: dict[str, Any]) -> None:
    # The same maths as srp.server_keys, with the vector's b in place of a fresh one.
    big_b = (srp.K * stored(vector)[1] + srp.power_of_g(int(vector["b"], 16))) % srp.N
    assert format(big_b, "x") == vector["B"]


@pytest.mark.parametrize("vector", VECTORS)
def test_the_server_derives_the_clients_key(vector: dict[str, Any]) -> None:
    assert server_key(vector).hex() == vector["key"]


@pytest.mark.parametrize("vector", VECTORS)
def test_the_clients_claim_signature_checks_out(vector: dict[str, Any]) -> None:
    assert srp.parse_timestamp(vector["timestamp"]) is not None
    signature = srp.claim_signature(
        server_key(vector),
        vector["device_group_key"],
        vector["device_key"],
        base64.b64decode(vector["secret_block"]),
        vector["timestamp"],
    )
    assert base64.b64encode(signature).decode() == vector["signature"]


@pytest.mark.parametrize("vector", VECTORS)
def test_a_wrong_device_password_gives_another_signature(vector: dict[str, Any]) -> None:
    # wrong_password_signature is identity-js's answer, with the same a, B and clock, from a
    # client holding another password: the signature the server expects must not match it.
    salt_hex, verifier = stored(vector)
    wrong = srp.verifier(
        salt_hex, vector["device_group_key"], vector["device_key"], vector["wrong_password"]
    )
    assert wrong != verifier
    expected = srp.claim_signature(
        server_key(vector),
        vector["device_group_key"],
        vector["device_key"],
        base64.b64decode(vector["secret_block"]),
        vector["timestamp"],
    )
    assert base64.b64encode(expected).decode() != vector["wrong_password_signature"]
