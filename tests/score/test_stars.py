"""The consumer display (§1.3): every score row, fractional scores and the star icons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anxin.score.stars import stars
from tests.score.cases import CONFIG

assert CONFIG.stars is not None
DISPLAY = CONFIG.stars

# §1.3 as published, row by row: (lowest score, highest score, display).
TABLE = [
    (97, 100, "5.0"),
    (93, 96, "4.9"),
    (89, 92, "4.8"),
    (85, 88, "4.7"),
    (81, 84, "4.6"),
    (77, 80, "4.5"),
    (73, 76, "4.4"),
    (69, 72, "4.3"),
    (65, 68, "4.2"),
    (61, 64, "4.1"),
    *[(s, s, f"{s / 10 - 2:.1f}") for s in range(60, 49, -1)],  # 60 = 4.0 … 50 = 3.0
]
EXPECTED = {s: shown for lo, hi, shown in TABLE for s in range(lo, hi + 1)}
ICONS = {"5.0": 5.0, "4.7": 4.5, "4.4": 4.0, "3.9": 3.5, "3.4": 3.0}  # the published examples


def test_the_table_covers_50_to_100() -> None:
    assert sorted(EXPECTED) == list(range(50, 101))
    assert (EXPECTED[60], EXPECTED[59], EXPECTED[54], EXPECTED[50]) == ("4.0", "3.9", "3.4", "3.0")


@pytest.mark.parametrize("score", range(50, 101))
def test_every_score_displays_its_row(score: int) -> None:
    shown, icons = stars(score, DISPLAY)
    assert shown == EXPECTED[score]
    # icons round the display down to the half star
    assert icons == int(Decimal(shown) * 2) / 2


@pytest.mark.parametrize(("shown", "icons"), ICONS.items())
def test_published_icon_examples(shown: str, icons: float) -> None:
    score = min(s for s, d in EXPECTED.items() if d == shown)
    assert stars(score, DISPLAY) == (shown, icons)


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (96.99, "4.9"),  # has not reached 97
        (97.0, "5.0"),
        (60.5, "4.0"),
        (64.99, "4.1"),
        (Decimal("88.37"), "4.7"),
        (50.0, "3.0"),
    ],
)
def test_a_fractional_score_shows_the_row_of_its_whole_part(
    score: float | Decimal, shown: str
) -> None:
    assert stars(score, DISPLAY)[0] == shown


@pytest.mark.parametrize("score", [49.99, 100.01, 0])
def test_outside_the_ranges_refused(score: float) -> None:
    with pytest.raises(ValueError, match="outside the star display"):
        stars(score, DISPLAY)
