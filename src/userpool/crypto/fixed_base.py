"""Powers of one fixed base from a precomputed table (the "fixed-base windowing" method).

SRP raises the generator g to a secret 256-bit exponent for every password check, verifier
and server challenge. With g fixed, the squarings of a general modexp can be done once, at
start-up: row i of the table holds g^(d * 2^(w*i)) for every w-bit digit d, so g^e is the
product of one entry per w-bit digit of e. For a 256-bit exponent and w = 8 that is at most
32 modular multiplications instead of ~256 squarings plus ~50 multiplications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:  # gmpy2's integers multiply about twice as fast as Python's at 3072 bits
    from gmpy2 import mpz as _number
except ImportError:  # pragma: no cover - gmpy2 is a declared dependency
    _number = int

WINDOW_BITS = 8


class FixedBasePower:
    """base^e mod modulus for exponents up to `exponent_bits` bits; `fallback` beyond."""

    def __init__(
        self,
        base: int,
        modulus: int,
        exponent_bits: int,
        fallback: Callable[[int, int, int], int],
    ) -> None:
        self._base = base
        self._modulus = _number(modulus)
        self._fallback = fallback
        self._max_bits = exponent_bits
        self._mask = (1 << WINDOW_BITS) - 1
        self._rows: list[list[Any]] = []
        row_base = _number(base) % self._modulus
        for _ in range(-(-exponent_bits // WINDOW_BITS)):
            row = [_number(1), row_base]
            for _digit in range(2, 1 << WINDOW_BITS):
                row.append(row[-1] * row_base % self._modulus)
            self._rows.append(row)
            row_base = row[-1] * row_base % self._modulus  # base^(2^(w*(i+1)))

    def __call__(self, exponent: int) -> int:
        if exponent < 0 or exponent.bit_length() > self._max_bits:
            return self._fallback(self._base, exponent, int(self._modulus))
        modulus, mask = self._modulus, self._mask
        result = _number(1)
        for row in self._rows:
            if not exponent:
                break
            digit = exponent & mask
            if digit:
                result = result * row[digit] % modulus
            exponent >>= WINDOW_BITS
        return int(result)
