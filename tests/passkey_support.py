"""A software authenticator, answering WebAuthn options as a browser and its authenticator do:
no browser, real keys (`cryptography`) and real CBOR (`cbor2`, py_webauthn's own).

`register` answers CredentialCreationOptions with a RegistrationResponseJSON (attestation
`none`, or `packed` self-attestation signed with the credential's own key); `authenticate`
answers request options with an AuthenticationResponseJSON. Each part a browser or an
authenticator fills in (origin, RP id, flags, counter, challenge) can be set, to make the
answers a server must refuse.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

ES256 = -7
RS256 = -257
EDDSA = -8  # a key Cognito does not take
LOCAL_ORIGIN = "http://localhost:3000"

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_key(algorithm: int) -> Any:
    if algorithm == ES256:
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == RS256:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"no key for algorithm {algorithm}")


@dataclass
class SoftwareAuthenticator:
    """One credential on one authenticator. `sign_count` goes up by `step` per assertion
    (0 keeps it at 0, as authenticators that keep no counter do)."""

    algorithm: int = ES256
    attachment: str | None = "platform"
    transports: tuple[str, ...] = ("internal", "hybrid")
    step: int = 1
    sign_count: int = 0
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    aaguid: bytes = bytes(16)
    user_handle: bytes = b""
    key: Any = None

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = _new_key(self.algorithm)

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        """The credential's public key as a COSE_Key (RFC 9053 / WebAuthn §6.5.1.1)."""
        public = self.key.public_key()
        if self.algorithm == ES256:
            numbers = public.public_numbers()
            x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
            return bytes(cbor2.dumps({1: 2, 3: ES256, -1: 1, -2: x, -3: y}))
        if self.algorithm == RS256:
            numbers = public.public_numbers()
            n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
            e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
            return bytes(cbor2.dumps({1: 3, 3: RS256, -1: n, -2: e}))
        raw = public.public_bytes_raw()
        return bytes(cbor2.dumps({1: 1, 3: EDDSA, -1: 6, -2: raw}))

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == ES256:
            return bytes(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        if self.algorithm == RS256:
            return bytes(self.key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
        return bytes(self.key.sign(data))

    def authenticator_data(
        self, rp_id: str, *, uv: bool, up: bool = True, attested: bool = False
    ) -> bytes:
        flags = (FLAG_UP if up else 0) | (FLAG_UV if uv else 0) | (FLAG_AT if attested else 0)
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
        data += struct.pack(">I", self.sign_count)
        if attested:
            data += self.aaguid + struct.pack(">H", len(self.credential_id))
            data += self.credential_id + self.cose_public_key()
        return data

    def register(
        self,
        options: dict[str, Any],
        *,
        origin: str = LOCAL_ORIGIN,
        attestation: str = "none",
        uv: bool = True,
        rp_id: str | None = None,
        challenge: str | None = None,
    ) -> dict[str, Any]:
        """navigator.credentials.create() for `options`, serialised as Amplify serialises it
        (RegistrationResponseJSON). `rp_id` and `challenge` stand in for the options' own."""
        self.user_handle = unb64url(options["user"]["id"])
        client_data = _client_data("webauthn.create", challenge or options["challenge"], origin)
        auth_data = self.authenticator_data(rp_id or options["rp"]["id"], uv=uv, attested=True)
        statement: dict[str, Any] = {}
        if attestation == "packed":
            signed = auth_data + hashlib.sha256(client_data).digest()
            statement = {"alg": self.algorithm, "sig": self.sign(signed)}
        attestation_object = cbor2.dumps(
            {"fmt": attestation, "attStmt": statement, "authData": auth_data}
        )
        response = {
            "clientDataJSON": b64url(client_data),
            "attestationObject": b64url(attestation_object),
            "transports": list(self.transports),
            "publicKeyAlgorithm": self.algorithm,
            "authenticatorData": b64url(auth_data),
        }
        return self._credential(response)

    def authenticate(
        self,
        options: str | dict[str, Any],
        *,
        origin: str = LOCAL_ORIGIN,
        uv: bool = True,
        up: bool = True,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_handle: bytes | None = None,
    ) -> str:
        """navigator.credentials.get() for request options (the CREDENTIAL_REQUEST_OPTIONS
        string or its parsed form): an AuthenticationResponseJSON string, as Amplify sends it
        in CREDENTIAL. Counts one use first."""
        parsed = orjson.loads(options) if isinstance(options, str) else options
        self.sign_count += self.step
        client_data = _client_data("webauthn.get", challenge or parsed["challenge"], origin)
        auth_data = self.authenticator_data(rp_id or parsed["rpId"], uv=uv, up=up)
        signature = self.sign(auth_data + hashlib.sha256(client_data).digest())
        handle = self.user_handle if user_handle is None else user_handle
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
            "userHandle": b64url(handle),
        }
        return orjson.dumps(self._credential(response)).decode()

    def _credential(self, response: dict[str, Any]) -> dict[str, Any]:
        credential: dict[str, Any] = {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "clientExtensionResults": {},
            "response": response,
        }
        if self.attachment is not None:
            credential["authenticatorAttachment"] = self.attachment
        return credential


def origin_for(options: dict[str, Any]) -> str:
    """A page the options' RP id allows: localhost locally, else the RP id's https origin
    (nodes that share a public URL have its host as their RP id)."""
    rp_id = options["rp"]["id"]
    return LOCAL_ORIGIN if rp_id == "localhost" else f"https://{rp_id}"


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    """clientDataJSON as browsers write it: type, challenge, origin, crossOrigin, in order."""
    return orjson.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    )


def tampered_signature(credential_json: str) -> str:
    """The same answer with one bit of its signature flipped."""
    credential = orjson.loads(credential_json)
    signature = bytearray(unb64url(credential["response"]["signature"]))
    signature[-1] ^= 0x01
    credential["response"]["signature"] = b64url(bytes(signature))
    return orjson.dumps(credential).decode()
