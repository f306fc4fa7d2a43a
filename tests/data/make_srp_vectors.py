"""Regenerate tests/data/srp_vectors_pycognito.json: SRP values computed by pycognito's
client code (AWSSRP), for fixed secrets. Run: python tests/data/make_srp_vectors.py

The verifier comes from pycognito's own x (as Cognito would keep it); B = k*v + g^b is
formed here for the client. The test checks that userpool's server functions reach the
same verifier, key and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

from pycognito.aws_srp import AWSSRP, hash_sha256, hex_hash, hex_to_long, pad_hex

CASES = [
    ("us-east-1_Abc123XyZ", "alice", "Passw0rd!", 0x1F2E3D4C5B6A79880123456789ABCDEF, 7),
    ("eu-west-1_Q9w8E7r6T", "4f1c0e2a-9b3d-4c5e-8f70-123456789abc", "S3cret é ü!", 0x80 << 120, 11),
    ("us-east-1_ZZZZZZZZZ", "bob", "x" * 200, 0x10203, 13),
]
SECRET_BLOCK = base64.b64encode(b"opaque secret block bytes \x00\x01\x02").decode()
TIMESTAMP = "Tue Nov 3 09:05:01 UTC 2026"


def case(pool_id: str, user_id: str, password: str, salt: int, seed: int) -> dict[str, str]:
    pool_name = pool_id.split("_", 1)[1]
    a = int(hashlib.sha512(f"a{seed}".encode()).hexdigest(), 16)
    b = int(hashlib.sha256(f"b{seed}".encode()).hexdigest(), 16)
    salt_hex = format(salt, "x")
    client = AWSSRP(user_id, password, pool_id, "client", client=object())
    inner = hash_sha256(f"{pool_name}{user_id}:{password}".encode())
    x = hex_to_long(hex_hash(pad_hex(salt) + inner))
    verifier = pow(client.val_g, x, client.big_n)
    big_b = (client.val_k * verifier + pow(client.val_g, b, client.big_n)) % client.big_n
    client.small_a_value = a
    client.large_a_value = client.calculate_a()
    key = client.get_password_authentication_key(user_id, password, big_b, salt)
    message = pool_name.encode() + user_id.encode() + base64.b64decode(SECRET_BLOCK)
    signature = hmac.new(key, message + TIMESTAMP.encode(), hashlib.sha256).digest()
    return {
        "pool_id": pool_id,
        "user_id": user_id,
        "password": password,
        "salt": salt_hex,
        "verifier": format(verifier, "x"),
        "b": format(b, "x"),
        "A": format(client.large_a_value, "x"),
        "B": format(big_b, "x"),
        "key": key.hex(),
        "secret_block": SECRET_BLOCK,
        "timestamp": TIMESTAMP,
        "signature": base64.b64encode(signature).decode(),
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("srp_vectors_pycognito.json")
    out.write_text(json.dumps([case(*args) for args in CASES], indent=1) + "\n")
    print(f"wrote {out}")
