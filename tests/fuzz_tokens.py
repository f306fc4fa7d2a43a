"""Tampered tokens: an access token changed the ways an attacker can change one (`alg: none`,
HS256 keyed with the pool's public key, another RSA key under the pool's `kid`, a key embedded
in the header, claims edited under the old signature, bits flipped, cut short), or a token the
server did sign that is not an access token it should accept (an ID token, one that has
expired); and refresh tokens flipped, cut short or from another pool. Every one of them must be
refused by whatever operation it is presented to."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import strategies as st

from userpool.crypto.sealing import Sealer, derive, load_server_key
from userpool.storage import database

DAY = 86_400
CLAIM_EDITS = (
    ("sub", str(uuid.UUID(int=1))),
    ("username", "someone-else"),
    ("exp", int(time.time()) + 3650 * DAY),
    ("token_use", "id"),
    ("client_id", "0" * 26),
    ("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000"),
    ("scope", "aws.cognito.signin.user.admin openid profile phone email"),
    ("cognito:groups", ["admin"]),
    ("exp", None),
    ("exp", "9999999999"),
)
MALFORMED = (
    "",
    "a.b",
    "a.b.c.d",
    "..",
    "e30.e30.",
    "W10.W10.c2ln",  # header and payload JSON arrays
    "%%%.%%%.%%%",
    "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",  # the payload is not JSON
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def jws(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    return f"{b64url(orjson.dumps(header))}.{b64url(orjson.dumps(claims))}.{b64url(signature)}"


def rs256(key: rsa.RSAPrivateKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{b64url(orjson.dumps(header))}.{b64url(orjson.dumps(claims))}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def hs256(secret: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{b64url(orjson.dumps(header))}.{b64url(orjson.dumps(claims))}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


@cache
def attacker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    numbers = key.public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64url(n), "e": "AQAB"}


def server_signed(db_url: str, data_dir: Path, kid: str, claims: dict[str, Any]) -> str:
    """`claims` signed with the server's own key `kid`, opened as the server opens it (the
    server key from `SERVER_SECRET`, tokens/keys.py): a token only the server could make."""
    from tests.fuzz_support import SERVER_SECRET

    engine = database.create(db_url)
    try:
        table = sa.Table("signing_keys", sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            sealed = connection.execute(
                sa.select(table.c.private_sealed).where(table.c.kid == kid)
            ).scalar_one()
    finally:
        engine.dispose()
    sealer = Sealer(derive(load_server_key(SERVER_SECRET, data_dir), "signing-keys"))
    private = serialization.load_der_private_key(sealer.open(sealed, kid.encode()), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return rs256(private, {"kid": kid, "alg": "RS256"}, claims)


@dataclass(frozen=True)
class GenuineTokens:
    """The real tokens the tampered ones are made from, and what the pool publishes."""

    access_token: str
    id_token: str
    refresh_token: str
    expired_access_token: str  # signed by the server, expired an hour ago
    public_key_pem: bytes  # the pool's access-token key, as anyone reads it from the JWKS
    other_pool_kid: str
    id_kid: str
    other_pool_refresh_token: str

    @property
    def header(self) -> dict[str, Any]:
        return dict(orjson.loads(unb64url(self.access_token.split(".")[0])))

    @property
    def claims(self) -> dict[str, Any]:
        return dict(orjson.loads(unb64url(self.access_token.split(".")[1])))


def tampered_access_tokens(genuine: GenuineTokens) -> Any:
    """(how, token) for access tokens that must be refused."""
    header, claims = genuine.header, genuine.claims
    head, payload, signature = genuine.access_token.split(".")
    kid = header["kid"]
    attacker = attacker_key()
    n = public_jwk(serialization.load_pem_public_key(genuine.public_key_pem), kid)["n"]  # type: ignore[arg-type]

    def with_header(**changes: Any) -> str:
        return f"{b64url(orjson.dumps({**header, **changes}))}.{payload}.{signature}"

    def edited(edit: tuple[str, Any]) -> str:
        name, value = edit
        changed = {k: v for k, v in claims.items() if k != name}
        if value is not None:
            changed[name] = value
        return f"{head}.{b64url(orjson.dumps(changed))}.{signature}"

    def flipped(bit: int) -> str:
        raw = bytearray(unb64url(signature))
        raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
        return f"{head}.{payload}.{b64url(bytes(raw))}"

    fixed = (
        ("alg none", jws({"alg": "none", "kid": kid}, claims, b"")),
        ("alg None", jws({"alg": "None", "kid": kid}, claims, b"")),
        (
            "HS256 keyed with the public key",
            hs256(genuine.public_key_pem, {**header, "alg": "HS256"}, claims),
        ),
        ("HS256 keyed with the modulus", hs256(n.encode(), {**header, "alg": "HS256"}, claims)),
        ("another key under the pool's kid", rs256(attacker, header, claims)),
        (
            "another key embedded in the header",
            rs256(
                attacker,
                {"alg": "RS256", "kid": "fuzz", "jwk": public_jwk(attacker.public_key(), "fuzz")},
                claims,
            ),
        ),
        ("the ID token", genuine.id_token),
        ("expired, signed by the server", genuine.expired_access_token),
        ("another pool's kid", with_header(kid=genuine.other_pool_kid)),
        ("the ID key's kid", with_header(kid=genuine.id_kid)),
        ("a kilobyte kid", with_header(kid="k" * 10_000)),
        ("refresh token as access token", genuine.refresh_token),
    )
    return st.one_of(
        st.sampled_from(fixed),
        st.sampled_from(CLAIM_EDITS).map(lambda e: (f"claim {e[0]} edited", edited(e))),
        st.integers(0, 2047).map(lambda bit: ("signature bit flipped", flipped(bit))),
        st.integers(0, len(genuine.access_token) - 1).map(
            lambda end: ("cut short", genuine.access_token[:end])
        ),
        st.sampled_from(MALFORMED).map(lambda token: ("malformed", token)),
    )


def tampered_refresh_tokens(genuine: GenuineTokens) -> Any:
    """(how, token) for refresh tokens that must be refused."""
    token = genuine.refresh_token

    def flipped(position: int) -> str:
        character = token[position]
        return token[:position] + ("B" if character == "A" else "A") + token[position + 1 :]

    return st.one_of(
        st.integers(0, len(token) - 1).map(lambda i: ("character changed", flipped(i))),
        st.integers(0, len(token) - 1).map(lambda end: ("cut short", token[:end])),
        st.just(("another pool's", genuine.other_pool_refresh_token)),
        st.just(("an access token", genuine.access_token)),
        st.sampled_from(MALFORMED).map(lambda t: ("malformed", t)),
    )
