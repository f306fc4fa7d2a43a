"""The browser's side of a passkey for bench/user_auth.py: an ES256 software authenticator that
registers (attestation `none`) and answers sign-in options as navigator.credentials does,
cheaply enough for a load generator (one P-256 signature per assertion)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import cbor2
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

LOCAL_ORIGIN = "http://localhost:3000"  # allowed by the server when the RP id is localhost
ES256 = -7
FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def client_data(kind: str, challenge: str, origin: str) -> bytes:
    """clientDataJSON as browsers write it: type, challenge, origin, crossOrigin, in order."""
    return orjson.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    )


@dataclass
class Passkey:
    """A user and the one passkey registered for them: what the browser's authenticator
    keeps. `sign_count` is the last counter it sent; only one sign-in at a time uses it."""

    user: str
    key: ec.EllipticCurvePrivateKey
    credential_id: str  # base64url, no padding, as the server stores it
    user_handle: str  # base64url: the options' user.id at registration (the user's sub)
    rp_id_hash: bytes  # SHA-256 of the RP id, hashed once: authenticatorData starts with it
    origin: str
    sign_count: int = 0

    def assertion(self, options_json: str) -> str:
        """navigator.credentials.get() for CREDENTIAL_REQUEST_OPTIONS: the
        AuthenticationResponseJSON string that goes in CREDENTIAL, one use counted first.
        Only the challenge is read from the options: the RP id is the one the passkey was
        made for (the server names no other for it) and allowCredentials lists this one."""
        challenge = orjson.loads(options_json)["challenge"]
        self.sign_count += 1
        data = client_data("webauthn.get", challenge, self.origin)
        flags = bytes([FLAG_UP | FLAG_UV])
        auth_data = self.rp_id_hash + flags + self.sign_count.to_bytes(4, "big")
        signature = self.key.sign(auth_data + hashlib.sha256(data).digest(), ECDSA_SHA256)
        response = {
            "clientDataJSON": b64url(data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
            "userHandle": self.user_handle,
        }
        return orjson.dumps(self.credential(response)).decode()

    def credential(self, response: dict[str, Any]) -> dict[str, Any]:
        """A PublicKeyCredential as Amplify serialises it, around `response`."""
        return {
            "id": self.credential_id,
            "rawId": self.credential_id,
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": response,
        }


def cose_es256(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The public key as a COSE_Key (RFC 9053: kty EC2, alg ES256, crv P-256, x, y)."""
    numbers = key.public_key().public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return cbor2.dumps({1: 2, 3: ES256, -1: 1, -2: x, -3: y})


def register(user: str, options: dict[str, Any]) -> tuple[Passkey, dict[str, Any]]:
    """navigator.credentials.create() for CredentialCreationOptions: a new ES256 passkey and
    the RegistrationResponseJSON for CompleteWebAuthnRegistration (attestation `none`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw_id = secrets.token_bytes(32)
    rp_id = options["rp"]["id"]
    # A page on the RP id itself; only localhost may be served over plain http.
    origin = LOCAL_ORIGIN if rp_id == "localhost" else f"https://{rp_id}"
    rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
    flags = bytes([FLAG_UP | FLAG_UV | FLAG_AT])
    attested = bytes(16) + len(raw_id).to_bytes(2, "big") + raw_id + cose_es256(key)
    auth_data = rp_id_hash + flags + bytes(4) + attested  # aaguid zero, counter 0
    data = client_data("webauthn.create", options["challenge"], origin)
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
    passkey = Passkey(user, key, b64url(raw_id), options["user"]["id"], rp_id_hash, origin)
    response = {
        "clientDataJSON": b64url(data),
        "attestationObject": b64url(attestation),
        "transports": ["internal", "hybrid"],
        "publicKeyAlgorithm": ES256,
        "authenticatorData": b64url(auth_data),
    }
    return passkey, passkey.credential(response)
