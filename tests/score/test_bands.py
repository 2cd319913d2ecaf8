"""Industry cut points (nearest-rank percentiles, worst first) and the band a value lands in:
a value exactly at a cut gets the better band, in both directions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anxin.score.formula import band, thresholds
from tests.score.cases import CONFIG, CUTS

PCT = CONFIG.bands.percentiles  # 10 / 25 / 45 / 65 / 85


def test_thresholds_higher_is_better_from_a_small_population() -> None:
    # n = 20: ranks ⌈2⌉, ⌈5⌉, ⌈9⌉, ⌈13⌉, ⌈17⌉ of the values sorted ascending
    assert thresholds([float(v) for v in range(20, 0, -1)], PCT, True) == (2, 5, 9, 13, 17)


def test_thresholds_lower_is_better_rank_from_the_worst_end() -> None:
    # sorted worst first is descending: 20, 19, ..., 1 → ranks 2, 5, 9, 13, 17
    assert thresholds([float(v) for v in range(1, 21)], PCT, False) == (19, 16, 12, 8, 4)


def test_thresholds_with_ties_give_equal_cuts_and_an_empty_band() -> None:
    rates = [0.031, 0.012, 0.05, 0.0, 0.02, 0.012, 0.08]
    # descending 0.08 0.05 0.031 0.02 0.012 0.012 0.0; n = 7 → ranks ⌈0.7⌉=1, ⌈1.75⌉=2,
    # ⌈3.15⌉=4, ⌈4.55⌉=5, ⌈5.95⌉=6
    cuts = thresholds(rates, PCT, False)
    assert cuts == (0.08, 0.05, 0.02, 0.012, 0.012)
    assert band(0.012, cuts, False) == 5  # reaches both equal cuts: band 4 is empty
    assert band(0.013, cuts, False) == 3


def test_thresholds_of_one_value() -> None:
    assert thresholds([4.6], PCT, True) == (4.6,) * 5


def test_thresholds_percentile_100_is_the_best_value() -> None:
    assert thresholds([3.0, 1.0, 2.0], [50, 100], True) == (2.0, 3.0)
    assert thresholds([3.0, 1.0, 2.0], [50, 100], False) == (2.0, 1.0)


@pytest.mark.parametrize(
    ("values", "percentiles", "match"),
    [
        pytest.param([], PCT, "at least one value", id="empty"),
        pytest.param([1.0, math.nan], PCT, "NaN", id="nan"),
        pytest.param([1.0], [25, 10], "increase", id="decreasing"),
        pytest.param([1.0], [10, 10], "increase", id="repeated"),
        pytest.param([1.0], [0, 10], "increase", id="zero"),
        pytest.param([1.0], [10, 101], "increase", id="over-100"),
    ],
)
def test_thresholds_refuse(values: list[float], percentiles: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        thresholds(values, percentiles, True)


HIGHER = CUTS["product_rating"]  # (4.0, 4.3, 4.5, 4.7, 4.85)
LOWER = CUTS["quality_return_rate"]  # (0.05, 0.03, 0.02, 0.012, 0.008)


@pytest.mark.parametrize("k", range(5))
def test_higher_is_better_boundaries(k: int) -> None:
    cut = HIGHER[k]
    assert band(cut, HIGHER, True) == k + 1  # exactly at the cut: the better band
    assert band(math.nextafter(cut, math.inf), HIGHER, True) == k + 1
    assert band(math.nextafter(cut, -math.inf), HIGHER, True) == k  # just short of it


@pytest.mark.parametrize("k", range(5))
def test_lower_is_better_boundaries(k: int) -> None:
    cut = LOWER[k]
    assert band(cut, LOWER, False) == k + 1
    assert band(math.nextafter(cut, -math.inf), LOWER, False) == k + 1
    assert band(math.nextafter(cut, math.inf), LOWER, False) == k  # just worse than it


@pytest.mark.parametrize(
    ("value", "higher", "expected"),
    [(1.0, True, 0), (5.0, True, 5), (0.5, False, 0), (0.0, False, 5)],
)
def test_far_from_every_cut(value: float, higher: bool, expected: int) -> None:
    assert band(value, HIGHER if higher else LOWER, higher) == expected


def test_band_refuses_cuts_in_the_wrong_order_and_nan() -> None:
    with pytest.raises(ValueError, match="increase from worst to best"):
        band(4.5, LOWER, True)
    with pytest.raises(ValueError, match="decrease from worst to best"):
        band(0.01, HIGHER, False)
    with pytest.raises(ValueError, match="NaN"):
        band(math.nan, HIGHER, True)


VALUES = st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=1, max_size=60)


@given(values=VALUES, higher=st.booleans(), data=st.data())
def test_thresholds_properties(values: list[float], higher: bool, data: st.DataObject) -> None:
    cuts = thresholds(values, PCT, higher)
    shuffled = data.draw(st.permutations(values))
    assert thresholds(shuffled, PCT, higher) == cuts  # order of the population is irrelevant
    assert all(c in values for c in cuts)  # nearest rank picks members
    assert band(cuts[-1], cuts, higher) == 5  # cuts are ordered worst to best (band accepts)
    # Fewer than p % of the population falls short of the p-th percentile's cut.
    n = len(values)
    for k, p in enumerate(PCT):
        short = sum(band(v, cuts, higher) <= k for v in values)
        assert short < p * n / 100


@given(a=st.floats(0, 10), b=st.floats(0, 10), higher=st.booleans())
def test_band_is_monotone(a: float, b: float, higher: bool) -> None:
    cuts = HIGHER if higher else LOWER
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))
    assert band(worse, cuts, higher) <= band(better, cuts, higher)
