"""Authenticated encryption with the server key (AES-256-GCM), and keys derived from it.

The server key encrypts pool signing keys at rest and seals auth sessions. It comes from
`USERPOOL_SECRET_KEY` or from a file made on first start in the data directory; every
node of one deployment must share it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
KEY_FILE = "secret.key"


class SealError(ValueError):
    """The sealed value was not made with this key, or was altered."""


def load_server_key(secret: str | None, data_dir: Path) -> bytes:
    """32 bytes: from `secret` if given (any string), else from (or into) the data dir."""
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode())
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except binascii.Error as error:
        raise ValueError(f"{path} does not hold a base64 key") from error
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte key")
    return key


def derive(server_key: bytes, purpose: str) -> bytes:
    """A separate 32-byte key per purpose, so no key serves two jobs."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        server_key
    )


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: bytes = b"") -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        if len(sealed) <= NONCE_BYTES:
            raise SealError("too short")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
        except InvalidTag as error:
            raise SealError("not sealed with this key") from error
