"""Exact money in integer minor units.

Amounts are ints (fen for CNY, cents for USD); every computation that can produce a
fraction goes through :class:`fractions.Fraction` and an explicit rounding rule, so
two engines replaying the same events always arrive at the same fen. Floats are
rejected at every entry point because ``0.1 + 0.2`` is not a compensation policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from anxin.domain.currencies import MINOR_UNITS

__all__ = [
    "CurrencyError",
    "Money",
    "MoneyError",
    "is_known_currency",
    "minor_unit_exponent",
    "percent_of",
    "round_half_up",
]


class CurrencyError(ValueError):
    """Unknown or malformed currency code."""


class MoneyError(ValueError):
    """Invalid amount or an operation mixing currencies."""


def is_known_currency(code: str) -> bool:
    """True for an active ISO 4217 code in canonical upper case."""
    return isinstance(code, str) and code in MINOR_UNITS


def minor_unit_exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for CNY, 0 for JPY, 3 for KWD)."""
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown currency {currency!r}") from None


def _exact(value: object, what: str) -> Fraction:
    """Convert an int / Decimal / decimal string / Fraction to an exact Fraction.

    bool and float are refused: bool is an int by accident, float is inexact.
    """
    if isinstance(value, bool | float):
        raise MoneyError(f"{what} must be exact (int, Decimal or str), got {value!r}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what} is not a decimal number: {value!r}") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{what} must be finite, got {value!r}")
        return Fraction(value)
    raise MoneyError(f"{what} must be int, Decimal or str, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of one currency.

    There is deliberately no ``__bool__``: "is there money?" must be spelled
    ``m.amount > 0`` so that negative amounts are never silently truthy.
    """

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError(f"amount must be an int number of minor units, got {self.amount!r}")
        minor_unit_exponent(self.currency)

    # -- construction -------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of_major(cls, major: int | str | Decimal, currency: str) -> Money:
        """Exact conversion from major units: ``of_major("12.34", "CNY") == Money(1234, "CNY")``.

        Values with more decimals than the currency has are refused, not rounded:
        silently dropping a fraction of a fen is a bug, not a convenience.
        """
        exact = _exact(major, "major amount") * 10 ** minor_unit_exponent(currency)
        if exact.denominator != 1:
            raise MoneyError(
                f"{major!r} has more decimals than {currency} allows "
                f"({minor_unit_exponent(currency)})"
            )
        return cls(exact.numerator, currency)

    # -- helpers ------------------------------------------------------------------

    def unit(self) -> int:
        """Minor units per whole unit (100 for CNY, 1 for JPY, 1000 for KWD)."""
        return int(10 ** minor_unit_exponent(self.currency))

    def _same(self, other: object, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot {op} {self.currency} and {other.currency}")
        return other

    def to_dict(self) -> dict[str, int | str]:
        return {"amount": self.amount, "currency": self.currency}

    # -- arithmetic ---------------------------------------------------------------

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other, "subtract").amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    # -- ordering (same currency only; 1 USD vs 1 CNY has no answer) --------------

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    def __str__(self) -> str:
        exponent = minor_unit_exponent(self.currency)
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), self.unit())
        if exponent == 0:
            return f"{sign}{whole} {self.currency}"
        return f"{sign}{whole}.{frac:0{exponent}d} {self.currency}"


def round_half_up(value: Fraction | Decimal | int, unit: int = 1) -> int:
    """Round an exact minor-unit amount to the nearest multiple of ``unit``.

    Halves go away from zero (commercial rounding: 2.5 -> 3, -2.5 -> -3), so a
    refund of a compensation rounds to exactly the negated compensation.
    """
    if isinstance(unit, bool) or not isinstance(unit, int) or unit <= 0:
        raise MoneyError(f"unit must be a positive int, got {unit!r}")
    exact = _exact(value, "value")
    steps = abs(exact) / unit
    # floor(steps + 1/2) rounds halves up in magnitude; sign is restored afterwards.
    rounded = (steps.numerator * 2 + steps.denominator) // (steps.denominator * 2)
    return -rounded * unit if exact < 0 else rounded * unit


def percent_of(
    base: Money,
    percent: Decimal | str | int,
    *,
    minimum: Money | None = None,
    maximum: Money | None = None,
    round_to_whole_units: bool = True,
) -> Money:
    """``percent`` % of ``base``, rounded and clamped, computed exactly.

    Order of operations:

    1. exact value ``base.amount * percent / 100`` (a Fraction, never a float);
    2. round half-up (away from zero) to whole currency units (multiples of
       ``base.unit()``), or to minor units when ``round_to_whole_units`` is False;
    3. clamp to ``[minimum, maximum]``.

    Rounding is monotone and leaves multiples of the unit unchanged, so whenever
    ``minimum`` and ``maximum`` are whole units this equals clamp-then-round.
    Example: 1 % of 123.45 CNY, min 2, max 50 -> 1.2345 -> 1 -> 2.00 CNY.
    """
    pct = _exact(percent, "percent")
    if pct < 0:
        raise MoneyError(f"percent must be >= 0, got {percent!r}")
    for bound in (minimum, maximum):
        if bound is not None:
            base._same(bound, "clamp")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise MoneyError(f"minimum {minimum} is greater than maximum {maximum}")
    unit = base.unit() if round_to_whole_units else 1
    result = Money(round_half_up(Fraction(base.amount) * pct / 100, unit), base.currency)
    if minimum is not None and result < minimum:
        result = minimum
    if maximum is not None and result > maximum:
        result = maximum
    return result
