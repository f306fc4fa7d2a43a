"""Cognito's SRP variant, server side, against values computed by real client code
(tests/data/srp_vectors_*.json; see the generator scripts beside them)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from userpool.crypto import srp

DATA = Path(__file__).parent / "data"
VECTORS = [
    pytest.param(vector, id=f"{path.stem}-{index}")
    for path in sorted(DATA.glob("srp_vectors_*.json"))
    for index, vector in enumerate(json.loads(path.read_text()))
]


def test_vectors_from_every_client_library_are_present() -> None:
    names = {path.stem for path in DATA.glob("srp_vectors_*.json")}
    assert {"srp_vectors_pycognito", "srp_vectors_cognito_identity_js"} <= names


@pytest.mark.parametrize("vector", VECTORS)
def test_the_stored_verifier_is_the_clients(vector: dict[str, Any]) -> None:
    pool_name = vector["pool_id"].split("_", 1)[1]
    made = srp.verifier(vector["salt"], pool_name, vector["user_id"], vector["password"])
    assert format(made, "x") == vector["verifier"]


@pytest.mark.parametrize("vector", VECTORS)
def test_the_server_derives_the_clients_key(vector: dict[str, Any]) -> None:
    key = srp.session_key(
        int(vector["A"], 16),
        int(vector["B"], 16),
        int(vector["b"], 16),
        int(vector["verifier"], 16),
    )
    assert key is not None and key.hex() == vector["key"]


@pytest.mark.parametrize("vector", VECTORS)
def test_the_clients_claim_signature_checks_out(vector: dict[str, Any]) -> None:
    key = bytes.fromhex(vector["key"])
    signature = srp.claim_signature(
        key,
        vector["pool_id"].split("_", 1)[1],
        vector["user_id"],
        base64.b64decode(vector["secret_block"]),
        vector["timestamp"],
    )
    assert base64.b64encode(signature).decode() == vector["signature"]


@pytest.mark.parametrize("vector", VECTORS)
def test_a_wrong_secret_gives_another_key(vector: dict[str, Any]) -> None:
    key = srp.session_key(
        int(vector["A"], 16),
        int(vector["B"], 16),
        int(vector["b"], 16) + 1,
        int(vector["verifier"], 16),
    )
    assert key is not None and key.hex() != vector["key"]


def test_a_client_value_of_zero_mod_n_is_refused() -> None:
    verifier = srp.verifier("abc", "pool", "user", "pw")
    b, big_b = srp.server_keys(verifier)
    assert srp.session_key(0, big_b, b, verifier) is None
    assert srp.session_key(srp.N, big_b, b, verifier) is None
    assert srp.session_key(2 * srp.N, big_b, b, verifier) is None


def test_pad_hex_follows_the_clients() -> None:
    assert srp.pad_hex(0xF) == "0f"
    assert srp.pad_hex(0x7F) == "7f"
    assert srp.pad_hex(0x80) == "0080"
    assert srp.pad_hex(0x1234) == "1234"
    assert srp.pad_hex(0x8234) == "008234"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("Tue Nov 3 09:05:01 UTC 2026", True),
        ("Tue Nov 03 09:05:01 UTC 2026", False),  # zero-padded day
        ("Wed Nov 3 09:05:01 UTC 2026", False),  # wrong weekday
        ("Tue Nov 3 9:05:01 UTC 2026", False),
        ("Tue Nov 3 09:05:01 GMT 2026", False),
        ("", False),
    ],
)
def test_timestamp_format(text: str, valid: bool) -> None:
    assert (srp.parse_timestamp(text) is not None) is valid
