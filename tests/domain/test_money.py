from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anxin.domain.currencies import MINOR_UNITS
from anxin.domain.money import (
    CurrencyError,
    Money,
    MoneyError,
    is_known_currency,
    minor_unit_exponent,
    percent_of,
    round_half_up,
)


def cny(fen: int) -> Money:
    return Money(fen, "CNY")


# -- currencies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("CNY", 2),
        ("USD", 2),
        ("EUR", 2),
        ("BRL", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("CLP", 0),
        ("ISK", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
        ("XCD", 2),
        ("BHD", 3),
        ("KWD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("IQD", 3),
        ("LYD", 3),
        ("CLF", 4),
        ("UYW", 4),
    ],
)
def test_minor_unit_exponent(code: str, exponent: int) -> None:
    assert minor_unit_exponent(code) == exponent
    assert is_known_currency(code)


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "cny", "", "CN", "CNYY"])
def test_unknown_currency(code: str) -> None:
    assert not is_known_currency(code)
    with pytest.raises(CurrencyError, match=f"unknown currency {code!r}"):
        minor_unit_exponent(code)


def test_currency_table_is_large_and_sane() -> None:
    assert len(MINOR_UNITS) >= 150
    assert all(len(c) == 3 and c.isupper() for c in MINOR_UNITS)
    assert set(MINOR_UNITS.values()) <= {0, 2, 3, 4}


# -- construction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "error"),
    [
        (1.0, "CNY", MoneyError),
        (True, "CNY", MoneyError),
        (False, "CNY", MoneyError),
        (Decimal(1), "CNY", MoneyError),
        ("100", "CNY", MoneyError),
        (100, "XXX", CurrencyError),
        (100, "usd", CurrencyError),
    ],
)
def test_construction_errors(amount: object, currency: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        Money(amount, currency)  # type: ignore[arg-type]


def test_currency_error_is_value_error() -> None:
    assert issubclass(CurrencyError, ValueError)
    assert issubclass(MoneyError, ValueError)


# -- arithmetic ---------------------------------------------------------------------


def test_arithmetic_same_currency() -> None:
    assert cny(100) + cny(25) == cny(125)
    assert cny(100) - cny(125) == cny(-25)
    assert -cny(5) == cny(-5)
    assert Money.zero("JPY") == Money(0, "JPY")


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_currency_mismatch_names_both(op: object) -> None:
    with pytest.raises(MoneyError, match="CNY and USD"):
        op(cny(1), Money(1, "USD"))  # type: ignore[operator]


def test_arithmetic_with_non_money_is_type_error() -> None:
    with pytest.raises(TypeError):
        cny(1) + 1  # type: ignore[operator]


def test_equality_and_ordering() -> None:
    assert cny(1) != Money(1, "USD")
    assert cny(1) < cny(2) <= cny(2) < cny(3)
    assert cny(3) > cny(2) >= cny(2)
    assert len({cny(1), cny(1), Money(1, "USD")}) == 2


# -- of_major / str / to_dict -------------------------------------------------------


@pytest.mark.parametrize(
    ("major", "currency", "expected"),
    [
        ("12.34", "CNY", Money(1234, "CNY")),
        ("12.3", "CNY", Money(1230, "CNY")),
        ("12", "CNY", Money(1200, "CNY")),
        (12, "CNY", Money(1200, "CNY")),
        (Decimal("0.01"), "CNY", Money(1, "CNY")),
        ("-0.05", "CNY", Money(-5, "CNY")),
        ("12.340000", "CNY", Money(1234, "CNY")),
        ("500", "JPY", Money(500, "JPY")),
        ("1.234", "KWD", Money(1234, "KWD")),
        ("0.0001", "CLF", Money(1, "CLF")),
        (
            "123456789012345678901234567890.12",
            "USD",
            Money(12345678901234567890123456789012, "USD"),
        ),
    ],
)
def test_of_major_exact(major: int | str | Decimal, currency: str, expected: Money) -> None:
    assert Money.of_major(major, currency) == expected


@pytest.mark.parametrize(
    ("major", "currency"),
    [
        ("12.345", "CNY"),
        ("0.5", "JPY"),
        ("1.2345", "KWD"),
        (12.34, "CNY"),
        (True, "CNY"),
        ("abc", "CNY"),
        ("NaN", "CNY"),
        ("Infinity", "CNY"),
    ],
)
def test_of_major_rejects(major: object, currency: str) -> None:
    with pytest.raises(MoneyError):
        Money.of_major(major, currency)  # type: ignore[arg-type]


def test_of_major_unknown_currency() -> None:
    with pytest.raises(CurrencyError):
        Money.of_major("1", "XXX")


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(1234, "CNY"), "12.34 CNY"),
        (Money(-5, "CNY"), "-0.05 CNY"),
        (Money(0, "CNY"), "0.00 CNY"),
        (Money(100, "CNY"), "1.00 CNY"),
        (Money(-1234, "CNY"), "-12.34 CNY"),
        (Money(500, "JPY"), "500 JPY"),
        (Money(-500, "JPY"), "-500 JPY"),
        (Money(1, "KWD"), "0.001 KWD"),
        (Money(12345, "CLF"), "1.2345 CLF"),
    ],
)
def test_str(money: Money, text: str) -> None:
    assert str(money) == text


def test_unit_and_to_dict() -> None:
    assert cny(1).unit() == 100
    assert Money(1, "JPY").unit() == 1
    assert Money(1, "KWD").unit() == 1000
    assert cny(1234).to_dict() == {"amount": 1234, "currency": "CNY"}


# -- round_half_up ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0, 1, 0),
        (5, 1, 5),
        (Fraction(5, 2), 1, 3),
        (Fraction(-5, 2), 1, -3),
        (Fraction(3, 2), 1, 2),
        (Fraction(-3, 2), 1, -2),
        (Fraction(249, 100), 1, 2),
        (Fraction(251, 100), 1, 3),
        (Decimal("2.5"), 1, 3),
        (Decimal("-2.5"), 1, -3),
        (Decimal("2.4999999999999999999999999999999"), 1, 2),
        (150, 100, 200),
        (-150, 100, -200),
        (149, 100, 100),
        (Fraction(14999, 100), 100, 100),
        (250, 100, 300),
        (49, 100, 0),
        (50, 100, 100),
        (-50, 100, -100),
        (-49, 100, 0),
        (12345, 100, 12300),
        (Fraction(12345, 100), 100, 100),
        (Fraction(4999, 100), 100, 0),
    ],
)
def test_round_half_up(value: Fraction | Decimal | int, unit: int, expected: int) -> None:
    assert round_half_up(value, unit) == expected


@pytest.mark.parametrize(("value", "unit"), [(1, 0), (1, -100), (1, True), (1.5, 1), (1, 1.0)])
def test_round_half_up_rejects(value: object, unit: object) -> None:
    with pytest.raises(MoneyError):
        round_half_up(value, unit)  # type: ignore[arg-type]


# -- percent_of ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "percent", "minimum", "maximum", "whole", "expected"),
    [
        # worked examples from the policy docs
        (cny(12345), "1", cny(200), cny(5000), True, cny(200)),
        (cny(1000), 25, None, None, True, cny(300)),
        (cny(1000), "25", None, None, False, cny(250)),
        (cny(12345), 1, None, None, False, cny(123)),
        (cny(12350), Decimal(1), None, None, False, cny(124)),  # 123.5 fen -> 124
        (cny(0), 30, None, None, True, cny(0)),
        (cny(1000), 0, None, None, True, cny(0)),
        (cny(1000), "0.5", None, None, False, cny(5)),
        (Money(1000, "JPY"), 15, None, None, True, Money(150, "JPY")),
        (Money(1005, "JPY"), 10, None, None, True, Money(101, "JPY")),  # 100.5 -> 101
        # max clamp: exactly at, one fen below, one fen above the maximum
        (cny(500_000), 1, None, cny(5000), True, cny(5000)),
        (cny(500_000), 1, None, cny(4999), True, cny(4999)),
        (cny(500_000), 1, None, cny(5001), True, cny(5000)),
        # min clamp: exactly at, one fen below, one fen above the minimum
        (cny(20_000), 1, cny(200), None, True, cny(200)),
        (cny(20_000), 1, cny(199), None, True, cny(200)),
        (cny(20_000), 1, cny(201), None, True, cny(201)),
        # rounding boundary straddling the minimum (1.49 -> 1, 1.50 -> 2)
        (cny(14_900), 1, cny(100), None, True, cny(100)),
        (cny(15_000), 1, cny(100), None, True, cny(200)),
        (cny(25_000), 1, cny(200), cny(5000), True, cny(300)),
        (cny(24_900), 1, cny(200), cny(5000), True, cny(200)),
        # min == max pins the result
        (cny(99_999), 3, cny(1000), cny(1000), True, cny(1000)),
    ],
)
def test_percent_of(
    base: Money,
    percent: Decimal | str | int,
    minimum: Money | None,
    maximum: Money | None,
    whole: bool,
    expected: Money,
) -> None:
    result = percent_of(base, percent, minimum=minimum, maximum=maximum, round_to_whole_units=whole)
    assert result == expected


@pytest.mark.parametrize(
    ("percent", "minimum", "maximum", "error"),
    [
        (-1, None, None, MoneyError),
        ("-0.01", None, None, MoneyError),
        (1.5, None, None, MoneyError),
        (True, None, None, MoneyError),
        (1, Money(100, "USD"), None, MoneyError),
        (1, None, Money(100, "USD"), MoneyError),
        (1, cny(500), cny(400), MoneyError),
    ],
)
def test_percent_of_rejects(
    percent: object, minimum: Money | None, maximum: Money | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        percent_of(cny(1000), percent, minimum=minimum, maximum=maximum)  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------------

CURRENCIES = st.sampled_from(["CNY", "JPY", "KWD", "USD", "CLF"])
PERCENTS = st.decimals(min_value=0, max_value=200, places=3, allow_nan=False)


@st.composite
def percent_cases(draw: st.DrawFn) -> tuple[Money, Decimal, Money | None, Money | None, bool]:
    currency = draw(CURRENCIES)
    base = Money(draw(st.integers(-(10**9), 10**9)), currency)
    bounds = sorted(draw(st.lists(st.integers(-(10**7), 10**7), min_size=2, max_size=2)))
    minimum = draw(st.sampled_from([None, Money(bounds[0], currency)]))
    maximum = draw(st.sampled_from([None, Money(bounds[1], currency)]))
    return base, draw(PERCENTS), minimum, maximum, draw(st.booleans())


@given(percent_cases())
def test_percent_of_properties(
    case: tuple[Money, Decimal, Money | None, Money | None, bool],
) -> None:
    base, pct, minimum, maximum, whole = case
    result = percent_of(base, pct, minimum=minimum, maximum=maximum, round_to_whole_units=whole)
    assert result.currency == base.currency
    if minimum is not None:
        assert result >= minimum
    if maximum is not None:
        assert result <= maximum
    unit = base.unit() if whole else 1
    exact = Fraction(base.amount) * Fraction(pct) / 100
    rounded = round_half_up(exact, unit)
    clamped_low = minimum is not None and rounded < minimum.amount
    clamped_high = maximum is not None and rounded > maximum.amount
    if not (clamped_low or clamped_high):
        assert result.amount == rounded
        assert result.amount % unit == 0
        assert abs(result.amount - exact) <= Fraction(unit, 2)


@given(st.integers(0, 10**9), PERCENTS, CURRENCIES)
def test_percent_of_whole_units_is_multiple_of_unit(
    amount: int, pct: Decimal, currency: str
) -> None:
    base = Money(amount, currency)
    assert percent_of(base, pct).amount % base.unit() == 0


@given(st.fractions(), st.integers(1, 10_000))
def test_round_half_up_properties(value: Fraction, unit: int) -> None:
    rounded = round_half_up(value, unit)
    assert rounded % unit == 0
    assert abs(rounded - value) <= Fraction(unit, 2)
    assert round_half_up(-value, unit) == -rounded  # symmetric: halves away from zero


@given(st.integers(-(10**12), 10**12), CURRENCIES)
def test_str_of_major_round_trip(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    assert Money.of_major(str(money).split()[0], currency) == money
