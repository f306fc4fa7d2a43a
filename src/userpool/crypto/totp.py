"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), as Cognito's software tokens
use them: HMAC-SHA-1, 6 digits, a 30-second step, a base32 secret of 160 bits.

Pure: the time is passed in. `verify` raises on a wrong code and returns the step it matched,
which the caller stores so that the same code cannot be used twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length
DRIFT_STEPS = 1  # a code of the step before or after the current one is accepted too


class TotpMismatch(ValueError):
    """The code fits no acceptable step of this secret."""


def new_secret() -> str:
    """A fresh secret as authenticator apps take it: base32, upper case, no padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """The key a base32 secret (as `new_secret` writes it) stands for."""
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def step_at(now: float) -> int:
    return int(now // STEP_SECONDS)


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226: HMAC-SHA-1 of the counter, dynamically truncated to `digits` digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(value % 10**digits).zfill(digits)


def verify(secret: str, code: str, now: float, *, after_step: int | None = None) -> int:
    """The step `code` belongs to, within one step of `now` and later than `after_step`
    (the last step used); TotpMismatch otherwise. Every candidate is compared in constant
    time."""
    key = secret_bytes(secret)
    current = step_at(now)
    matched = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        fits = hmac.compare_digest(hotp(key, step).encode(), code.encode())
        if fits and (after_step is None or step > after_step):
            matched = step
    if matched is None:
        raise TotpMismatch("the code does not match")
    return matched
