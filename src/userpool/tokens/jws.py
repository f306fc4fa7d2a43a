"""Compact JWS with RS256, the only form Cognito's ID and access tokens take.

Just the two operations the server needs, sign and check. A general JWT library spends
far more than the RSA operation itself on its per-call checks (PyJWT 2.15 scans every
character of every segment in Python: ~0.3 ms per token), and GetUser-style calls do
little else.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHM = "RS256"
_PADDING = padding.PKCS1v15()
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


class MalformedToken(ValueError):
    """Not a compact JWS with a JSON header and a JSON object payload."""


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(segment: str) -> bytes:
    """base64url without padding, strictly: any other character is refused."""
    try:
        raw = segment.encode("ascii")
    except UnicodeEncodeError as error:
        raise MalformedToken("not base64url") from error
    if b"+" in raw or b"/" in raw or b"=" in raw:
        raise MalformedToken("not base64url")
    try:
        standard = raw.translate(_TO_STANDARD) + b"=" * (-len(raw) % 4)
        return binascii.a2b_base64(standard, strict_mode=True)
    except binascii.Error as error:
        raise MalformedToken("not base64url") from error


def sign(claims: dict[str, Any], kid: str, key: rsa.RSAPrivateKey) -> str:
    header = _encode(orjson.dumps({"kid": kid, "alg": ALGORITHM}))
    signing_input = f"{header}.{_encode(orjson.dumps(claims))}"
    signature = key.sign(signing_input.encode("ascii"), _PADDING, hashes.SHA256())
    return f"{signing_input}.{_encode(signature)}"


class ParsedToken:
    """A token split and decoded, its signature not yet checked."""

    def __init__(self, token: str) -> None:
        parts = token.split(".")
        if len(parts) != 3:
            raise MalformedToken("not three segments")
        try:
            self.header = orjson.loads(_decode(parts[0]))
            self.claims = orjson.loads(_decode(parts[1]))
        except orjson.JSONDecodeError as error:
            raise MalformedToken("not JSON") from error
        if not isinstance(self.header, dict) or not isinstance(self.claims, dict):
            raise MalformedToken("not JSON objects")
        self._signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        self._signature = _decode(parts[2])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    def signed_by(self, public: rsa.RSAPublicKey) -> bool:
        """Whether the header names RS256 and `public` verifies the signature."""
        if self.header.get("alg") != ALGORITHM:
            return False
        try:
            public.verify(self._signature, self._signing_input, _PADDING, hashes.SHA256())
        except InvalidSignature:
            return False
        return True
