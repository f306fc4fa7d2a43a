"""The values the fuzz draws from: hostile strings and numbers, ordinary values in the shapes
of the model's patterns, and the real ids of a `World` made on the server under test."""

from __future__ import annotations

import random
from dataclasses import dataclass

from userpool.crypto.srp import N_HEX


def incompressible(length: int) -> str:
    """CJK characters in a fixed pseudo-random order: 3 UTF-8 bytes each, and no run that
    PostgreSQL's compression could fold, unlike a repeated character."""
    chosen = random.Random(length)
    return "".join(chr(chosen.randrange(0x4E00, 0x9FFF)) for _ in range(length))


# Text that is valid Unicode but hard on whatever handles it: direction overrides, right-to-left
# scripts, stacks of combining marks, four-byte emoji and their joined sequences, a byte order
# mark and zero-width characters, noncharacters, the last code point.
UNICODE_EDGES = (
    "\u202eadmin\u202c",  # RIGHT-TO-LEFT OVERRIDE ... POP DIRECTIONAL FORMATTING
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\u200f",  # Hebrew, Arabic, RLM
    "e" + "\u0301" * 300,  # one letter under 300 combining acute accents
    "\u0301\u0308leading-marks",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\U0001f1fa\U0001f1f8\U0001f44d\U0001f3ff",
    "\ufeffbom\u200b\u200d",
    "\ufffe\uffff\U0010ffff\ufffd",
    "a\x85b\u2029c",  # NEL and PARAGRAPH SEPARATOR: line breaks outside ASCII
)
HOSTILE_STRINGS = (
    "",
    " ",
    "\x01\x1f\x7f\u2028",
    *UNICODE_EDGES,
    "\U0001f600" * 2048,  # 8 KiB of UTF-8 in 2,048 characters
    "İ" * 1500,  # lower-cases to two characters each
    "ß" * 1500,  # case-folds to "ss"
    incompressible(1000),  # 3,000 UTF-8 bytes: past PostgreSQL's btree row limit (2,704)
    "a" * 131_073,  # one past the largest string limit of the model
    "' OR '1'='1",
    "%s%n{0}${x}",
    "../../etc/passwd",
)
# Ordinary values in the shapes of the model's patterns (ARNs, URLs, messages with their code
# placeholder, UUIDs...), so that optional members with a pattern do not make every request
# invalid, and so that a NUL can ride on a value the pattern takes.
SHAPED_SAMPLES = (
    "arn:aws:iam::123456789012:role/fuzz",
    "arn:aws:s3:::fuzz-bucket",
    "https://example.com/callback",
    "fuzz@example.com",
    "+15555550100",
    "123456",
    "Your code is {####}",
    "Your code is {####} and your name {username}",
    "Click {##here##}",
    "1b4e28ba-2fa1-4d2b-a8c3-2c8f5e0c7a11",
    "terms-of-use",
    "cognito:default",
    "import-fuzz",
    "us-east-1_0123abcd-4567",
)
# Around Java's int and long limits; those inside a member's own range are left out for it.
HOSTILE_NUMBERS = (0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64)
# Characters repeated up to a shape's own maximum: inside the limit, heavy in bytes or folding.
BOUNDARY_CHARACTERS = ("a", "\U0001f600", "İ", "\u0301")
BOUNDARY_LIMIT = 4096  # longer limits (131,072) are covered by the one long hostile string
SRP_A_VALUES = ("0", N_HEX, "00" + N_HEX, "1", "zz", "-1", "f" * 1536)
# `name` is searchable (kept in the lookup index) and takes any string; `sub` may not change.
ATTRIBUTE_NAMES = ("name", "email", "phone_number", "sub", "custom:fuzz")
AUTH_PARAMETER_KEYS = (
    "USERNAME",
    "PASSWORD",
    "NEW_PASSWORD",
    "SRP_A",
    "SECRET_HASH",
    "REFRESH_TOKEN",
    "DEVICE_KEY",
    "CHALLENGE_NAME",
    "PREFERRED_CHALLENGE",
    "ANSWER",
    "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA_CODE",
    "EMAIL_OTP_CODE",
    "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "TIMESTAMP",
    "CREDENTIAL",
)
# JSON can carry a lone surrogate as an escape; UTF-8, and so no server string, can hold one.
LONE_SURROGATES = ("\ud800", "x\udfffy", "\udc00\ud800", "end\ud83d")
JAVA_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class World:
    """Real things on the server under test, made before fuzzing starts."""

    pool_id: str
    pool_arn: str
    client_id: str
    username: str
    password: str
    group_name: str
    access_token: str
    refresh_token: str

    def by_member(self) -> dict[str, tuple[str, ...]]:
        """Valid values for the members named so, wherever they appear."""
        password = (self.password,)
        return {
            "UserPoolId": (self.pool_id,),
            "ClientId": (self.client_id,),
            "Username": (self.username,),
            "GroupName": (self.group_name,),
            "AccessToken": (self.access_token,),
            "RefreshToken": (self.refresh_token,),
            "Token": (self.refresh_token,),
            "ResourceArn": (self.pool_arn,),
            "Password": password,
            "PreviousPassword": password,
            # The same password again, so that a ChangePassword leaves the user usable.
            "ProposedPassword": password,
            "TemporaryPassword": password,
            "ConfirmationCode": ("123456",),
            "UserCode": ("123456",),
            "AttributeName": ATTRIBUTE_NAMES,
        }

    def auth_parameters(self) -> dict[str, tuple[str, ...]]:
        """Valid-looking values for the keys of AuthParameters and ChallengeResponses."""
        return {
            "USERNAME": (self.username,),
            "PASSWORD": (self.password,),
            "NEW_PASSWORD": (self.password,),
            "SRP_A": SRP_A_VALUES,
            "REFRESH_TOKEN": (self.refresh_token,),
            "TIMESTAMP": ("Tue Nov 3 09:05:01 UTC 2026",),
            "SOFTWARE_TOKEN_MFA_CODE": ("123456",),
            "PASSWORD_CLAIM_SECRET_BLOCK": ("AAAA",),
        }


def nul_variants(values: tuple[str, ...]) -> tuple[str, ...]:
    """`values` with a NUL appended, and NUL alone and inside a word."""
    return (*(value + "\x00" for value in values), "\x00", "a\x00b")
