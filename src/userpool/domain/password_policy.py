"""A pool's password policy: which passwords it accepts, and temporary passwords that fit it.

Pure functions; the messages are Cognito's own, without the "Password did not conform ..."
prefix that each operation puts in front of them.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Cognito's special characters. It also counts a space that neither starts nor ends the
# password, but the wire format (`[\S]+`) lets no whitespace through to here.
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")

# What generated passwords are drawn from: every class, symbols easy to type and to quote.
_GENERATED_SYMBOLS = "^$*.[]{}()?!@#%&/,><:;|_~=+-"
_GENERATED_CLASSES = (
    string.ascii_uppercase,
    string.ascii_lowercase,
    string.digits,
    _GENERATED_SYMBOLS,
)
TEMPORARY_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True

    @classmethod
    def from_settings(cls, block: Mapping[str, Any]) -> PasswordPolicy:
        """The policy described by Cognito's `PasswordPolicyType` block."""
        return cls(
            minimum_length=int(block.get("MinimumLength", cls.minimum_length)),
            require_uppercase=bool(block.get("RequireUppercase", cls.require_uppercase)),
            require_lowercase=bool(block.get("RequireLowercase", cls.require_lowercase)),
            require_numbers=bool(block.get("RequireNumbers", cls.require_numbers)),
            require_symbols=bool(block.get("RequireSymbols", cls.require_symbols)),
        )


def _is_digit(character: str) -> bool:
    return "0" <= character <= "9"


def _is_symbol(character: str) -> bool:
    return character in SYMBOLS


# (policy flag, what satisfies it, Cognito's message when nothing does), in the order checked.
_CHARACTER_RULES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("require_lowercase", str.islower, "Password must have lowercase characters"),
    ("require_uppercase", str.isupper, "Password must have uppercase characters"),
    ("require_numbers", _is_digit, "Password must have numeric characters"),
    ("require_symbols", _is_symbol, "Password must have symbol characters"),
)


def policy_violation(policy: PasswordPolicy, password: str) -> str | None:
    """Cognito's reason for refusing `password` under `policy`, or None when it conforms."""
    if len(password) < policy.minimum_length:
        return "Password not long enough"
    for flag, satisfies, message in _CHARACTER_RULES:
        if getattr(policy, flag) and not any(satisfies(character) for character in password):
            return message
    return None


def generate_temporary_password(policy: PasswordPolicy) -> str:
    """A random password with every character class, long enough for `policy`."""
    length = max(policy.minimum_length, TEMPORARY_PASSWORD_LENGTH)
    every_class = "".join(_GENERATED_CLASSES)
    characters = [secrets.choice(alphabet) for alphabet in _GENERATED_CLASSES]
    characters += [secrets.choice(every_class) for _ in range(length - len(characters))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)
