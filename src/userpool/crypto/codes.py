"""One-time numeric codes: made with `secrets`, kept only as keyed hashes, compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def code_hash(key: bytes, owner: str, purpose: str, code: str) -> str:
    """The hash stored for `code`; bound to its owner and purpose, so it fits nothing else."""
    return hmac.new(key, f"{owner}\x00{purpose}\x00{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(key: bytes, owner: str, purpose: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(key, owner, purpose, code).encode(), stored_hash.encode())
