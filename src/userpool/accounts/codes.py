"""Issuing and checking one-time codes (sign-up, forgot-password, attribute verification,
MFA by SMS or email). Codes are stored as keyed hashes with an expiry and a failure count."""

from __future__ import annotations

from userpool.crypto.codes import code_hash, code_matches, new_code
from userpool.domain.errors import CodeMismatchException, CognitoError, ExpiredCodeException
from userpool.domain.messages import StoredCode
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

HOUR = 3600
SIGN_UP_VALIDITY = 24 * HOUR
VERIFY_VALIDITY = 24 * HOUR
FORGOT_PASSWORD_VALIDITY = HOUR
MAX_FAILURES = 5


def issue(
    tx: Transaction,
    key: bytes,
    user: User,
    purpose: str,
    now: float,
    validity: float,
    digits: int = 6,
) -> str:
    """A fresh code for `purpose`, replacing any earlier one; the caller sends it."""
    code = new_code(digits)
    tx.codes.put(
        StoredCode(
            pool_id=user.pool_id,
            sub=user.sub,
            purpose=purpose,
            code_hash=code_hash(key, user.sub, purpose, code),
            expires=now + validity,
            attempts=0,
            created=now,
        )
    )
    return code


def redeem(
    tx: Transaction, key: bytes, user: User, purpose: str, code: str, now: float
) -> CognitoError | None:
    """Use the code up (None), or give the error for the caller to raise once `tx` has
    committed: raised inside it, the error would roll back the failure count that limits
    guessing. After `MAX_FAILURES` wrong codes the code is gone and must be asked for again."""
    stored = tx.codes.get(user.sub, purpose)
    if stored is None or now >= stored.expires or stored.attempts >= MAX_FAILURES:
        return ExpiredCodeException()
    if not code_matches(key, user.sub, purpose, code, stored.code_hash):
        tx.codes.count_failure(user.sub, purpose)
        return CodeMismatchException()
    tx.codes.delete(user.sub, purpose)
    return None
