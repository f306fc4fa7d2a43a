"""The pure password-policy rules and the temporary-password generator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from userpool.domain.password_policy import (
    SYMBOLS,
    PasswordPolicy,
    generate_temporary_password,
    policy_violation,
)

policies = st.builds(
    PasswordPolicy,
    minimum_length=st.integers(min_value=6, max_value=99),
    require_uppercase=st.booleans(),
    require_lowercase=st.booleans(),
    require_numbers=st.booleans(),
    require_symbols=st.booleans(),
)


@given(policies)
def test_generated_passwords_conform(policy: PasswordPolicy) -> None:
    password = generate_temporary_password(policy)
    assert policy_violation(policy, password) is None
    assert len(password) >= policy.minimum_length
    assert any(character in SYMBOLS for character in password)


def test_generated_passwords_differ() -> None:
    policy = PasswordPolicy()
    assert len({generate_temporary_password(policy) for _ in range(50)}) == 50


@pytest.mark.parametrize(
    ("policy", "password", "problem"),
    [
        (PasswordPolicy(), "Aa1!", "Password not long enough"),
        (PasswordPolicy(minimum_length=4), "Aa1!", None),
        (PasswordPolicy(require_lowercase=False), "ABCDEFG1!", None),
        (PasswordPolicy(require_uppercase=False), "abcdefg1!", None),
        (PasswordPolicy(require_numbers=False), "Abcdefgh!", None),
        (PasswordPolicy(require_symbols=False), "Abcdefgh1", None),
        (PasswordPolicy(), "Abcdefgh1é", "Password must have symbol characters"),
        (PasswordPolicy(), "Ábcdefgh1!", None),
    ],
)
def test_policy_violation(policy: PasswordPolicy, password: str, problem: str | None) -> None:
    assert policy_violation(policy, password) == problem


def test_policy_from_settings_fills_cognito_defaults() -> None:
    policy = PasswordPolicy.from_settings({"MinimumLength": 10, "RequireSymbols": False})
    assert policy == PasswordPolicy(minimum_length=10, require_symbols=False)
