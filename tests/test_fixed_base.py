"""The fixed-base table gives exactly what modular exponentiation gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from userpool.crypto import srp
from userpool.crypto.fixed_base import FixedBasePower

calls: list[int] = []


def _counting_pow(base: int, exponent: int, modulus: int) -> int:
    calls.append(exponent)
    return pow(base, exponent, modulus)


SMALL = FixedBasePower(7, 1_000_003, 20, _counting_pow)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=(1 << srp.EXPONENT_BITS) - 1))
def test_powers_of_g_match_pow(exponent: int) -> None:
    assert srp.power_of_g(exponent) == pow(srp.G, exponent, srp.N)


@given(st.integers(min_value=0, max_value=(1 << 20) - 1))
def test_a_small_table_matches_pow_for_every_digit_pattern(exponent: int) -> None:
    assert SMALL(exponent) == pow(7, exponent, 1_000_003)


def test_exponents_beyond_the_table_fall_back_to_modexp() -> None:
    calls.clear()
    big = (1 << 20) | 12345
    assert SMALL(big) == pow(7, big, 1_000_003)
    assert SMALL((1 << 20) - 1) == pow(7, (1 << 20) - 1, 1_000_003)
    assert calls == [big]
    assert srp.power_of_g(1 << 300) == pow(srp.G, 1 << 300, srp.N)


def test_edge_exponents() -> None:
    assert SMALL(0) == 1
    assert SMALL(1) == 7
    assert srp.power_of_g(0) == 1
    assert srp.power_of_g(1 << 255) == pow(srp.G, 1 << 255, srp.N)
