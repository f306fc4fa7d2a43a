"""Password hashes that user import jobs bring (CreateUserImportJob's PasswordHashingAlgorithm
and the CSV's `password_hash` column): each algorithm's format as the Developer Guide gives it
("Importing users with password hashes"), its parameters bounded as Cognito bounds them, and
the check of a password against one.

The bounds are Cognito's maxima (bcrypt cost 12; scrypt N 65536, r 8, p 1; Argon2id 19456 KiB,
2 passes, 1 lane; PBKDF2 600,000 iterations). A row whose hash exceeds them fails as the import
reads it, so no stored hash costs a sign-in more than those: here about a quarter of a second
at most (bcrypt at cost 12, PBKDF2 at 600,000), which one worker spends once per user. The
checks go through the libraries (bcrypt, argon2-cffi, hashlib's scrypt and PBKDF2), and every
comparison of digests is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable

import argon2
import bcrypt
from argon2.exceptions import InvalidHashError, VerificationError

from userpool.domain.models import ImportedHash

BCRYPT_MAX_COST = 12
SCRYPT_MAX_N, SCRYPT_MAX_R, SCRYPT_MAX_P = 65536, 8, 1
ARGON2_MAX_MEMORY_KIB, ARGON2_MAX_TIME, ARGON2_MAX_LANES = 19456, 2, 1
PBKDF2_MAX_ITERATIONS = 600_000
# Digest and salt lengths a hash may declare (bytes): a digest of megabytes would cost its
# derivation as much again as a bounded one.
MAX_DIGEST_BYTES = 128
MAX_SALT_BYTES = 1024
BCRYPT_MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; the source system cut there too
# scrypt's memory is 128·N·r bytes (64 MiB at the bounds); hashlib refuses above `maxmem`.
SCRYPT_MAXMEM = 2 * 128 * SCRYPT_MAX_N * SCRYPT_MAX_R

_BCRYPT = re.compile(r"\$2([abxy])\$(\d\d)\$[./A-Za-z0-9]{53}")
_SCRYPT = re.compile(
    r"(\d{1,10})\$(\d{1,10})\$(\d{1,10})\$((?:[0-9a-fA-F]{2})+)\$((?:[0-9a-fA-F]{2})+)"
)
_ARGON2ID = re.compile(
    r"\$argon2id\$v=(16|19)\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)"
)
_PBKDF2 = re.compile(r"\$pbkdf2-sha256\$(\d{1,10})\$([A-Za-z0-9./+]+)\$([A-Za-z0-9./+]+)")


def _malformed(algorithm: str) -> str:
    return f"The password hash is malformed: it does not match the {algorithm} format."


def _out_of_bounds(what: str) -> str:
    return f"The password hash's parameters are out of bounds: {what}."


def _b64(text: str) -> bytes:
    """Unpadded base64 as PHC strings write it; passlib's variant writes '.' for '+'."""
    return base64.b64decode(text.replace(".", "+") + "=" * (-len(text) % 4), validate=True)


def _bcrypt_problem(value: str) -> str | None:
    found = _BCRYPT.fullmatch(value)
    if found is None:
        return _malformed("BCRYPT")
    cost = int(found.group(2))
    if cost < 4:
        return _malformed("BCRYPT")
    if cost > BCRYPT_MAX_COST:
        return _out_of_bounds(f"the cost factor is at most {BCRYPT_MAX_COST}")
    return None


def _scrypt_problem(value: str) -> str | None:
    found = _SCRYPT.fullmatch(value)
    if found is None:
        return _malformed("SCRYPT")
    n, r, p = (int(found.group(index)) for index in (1, 2, 3))
    salt, digest = (len(found.group(index)) // 2 for index in (4, 5))
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not 16 <= digest <= MAX_DIGEST_BYTES:
        return _malformed("SCRYPT")
    if salt > MAX_SALT_BYTES:
        return _malformed("SCRYPT")
    if n > SCRYPT_MAX_N or r > SCRYPT_MAX_R or p > SCRYPT_MAX_P:
        return _out_of_bounds(f"N is at most {SCRYPT_MAX_N}, r {SCRYPT_MAX_R} and p {SCRYPT_MAX_P}")
    return None


def _argon2id_problem(value: str) -> str | None:
    found = _ARGON2ID.fullmatch(value)
    if found is None:
        return _malformed("ARGON2ID")
    memory, passes, lanes = (int(found.group(index)) for index in (2, 3, 4))
    try:
        salt, digest = _b64(found.group(5)), _b64(found.group(6))
        argon2.extract_parameters(value)
    except (binascii.Error, ValueError, InvalidHashError):
        return _malformed("ARGON2ID")
    if lanes < 1 or passes < 1 or memory < 8 * lanes or len(salt) < 8:
        return _malformed("ARGON2ID")
    if not 4 <= len(digest) <= MAX_DIGEST_BYTES or len(salt) > MAX_SALT_BYTES:
        return _malformed("ARGON2ID")
    if memory > ARGON2_MAX_MEMORY_KIB or passes > ARGON2_MAX_TIME or lanes > ARGON2_MAX_LANES:
        return _out_of_bounds(
            f"m is at most {ARGON2_MAX_MEMORY_KIB}, t {ARGON2_MAX_TIME} and p {ARGON2_MAX_LANES}"
        )
    return None


def _pbkdf2_problem(value: str) -> str | None:
    found = _PBKDF2.fullmatch(value)
    if found is None:
        return _malformed("PBKDF2_SHA256")
    try:
        salt, digest = _b64(found.group(2)), _b64(found.group(3))
    except (binascii.Error, ValueError):
        return _malformed("PBKDF2_SHA256")
    iterations = int(found.group(1))
    if iterations < 1 or not salt or len(salt) > MAX_SALT_BYTES:
        return _malformed("PBKDF2_SHA256")
    if not 16 <= len(digest) <= MAX_DIGEST_BYTES:
        return _malformed("PBKDF2_SHA256")
    if iterations > PBKDF2_MAX_ITERATIONS:
        return _out_of_bounds(f"the iterations are at most {PBKDF2_MAX_ITERATIONS}")
    return None


_PROBLEMS: dict[str, Callable[[str], str | None]] = {
    "BCRYPT": _bcrypt_problem,
    "SCRYPT": _scrypt_problem,
    "ARGON2ID": _argon2id_problem,
    "PBKDF2_SHA256": _pbkdf2_problem,
}


def hash_problem(algorithm: str, value: str) -> str | None:
    """Why `value` cannot be kept as a password hash of `algorithm` (a row's failure), or
    None. Parses only: nothing is derived, whatever the parameters say."""
    return _PROBLEMS[algorithm](value)


def _bcrypt_matches(value: str, password: bytes) -> bool:
    # $2x$ (crypt_blowfish's old bug, kept for its hashes) reads as $2a$: the same for
    # passwords of ASCII characters, which are the ones that bug did not touch.
    stored = value.replace("$2x$", "$2a$", 1).encode()
    return bool(bcrypt.checkpw(password[:BCRYPT_MAX_PASSWORD_BYTES], stored))


def _scrypt_matches(value: str, password: bytes) -> bool:
    n, r, p, salt, digest = value.split("$")
    expected = bytes.fromhex(digest)
    derived = hashlib.scrypt(
        password,
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=SCRYPT_MAXMEM,
        dklen=len(expected),
    )
    return hmac.compare_digest(derived, expected)


def _argon2id_matches(value: str, password: bytes) -> bool:
    try:
        return argon2.PasswordHasher().verify(value, password)
    except (VerificationError, InvalidHashError):
        return False


def _pbkdf2_matches(value: str, password: bytes) -> bool:
    _, _, iterations, salt, digest = value.split("$")
    expected = _b64(digest)
    derived = hashlib.pbkdf2_hmac("sha256", password, _b64(salt), int(iterations), len(expected))
    return hmac.compare_digest(derived, expected)


_MATCHES: dict[str, Callable[[str, bytes], bool]] = {
    "BCRYPT": _bcrypt_matches,
    "SCRYPT": _scrypt_matches,
    "ARGON2ID": _argon2id_matches,
    "PBKDF2_SHA256": _pbkdf2_matches,
}


def matches(imported: ImportedHash, password: str) -> bool:
    """Whether `password` is the one `imported` was made from. A stored hash was checked as
    its row was imported; one that no longer parses (edited in the database) is refused,
    and its bounds are checked again first, so no hash ever costs more than they allow."""
    if hash_problem(imported.algorithm, imported.value) is not None:
        return False
    return _MATCHES[imported.algorithm](imported.value, password.encode())
