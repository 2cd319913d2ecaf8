"""What consumers see: a formal-stage score as a 5-point display and star icons (§1.3)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from anxin.score.config import StarDisplay

_TENTH = Decimal("0.1")


def stars(score: float | int | Decimal, display: StarDisplay) -> tuple[str, float]:
    """The displayed score ("4.7") and the number of star icons (4.5) for a formal score.

    The published table is by whole points, so a fractional score shows the row of its
    whole part: 96.99 has not reached 97 and displays 4.9.
    """
    exact = Decimal(str(score))
    points = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    for r in display.ranges:
        if r.from_ <= points <= r.to and exact <= max(x.to for x in display.ranges):
            shown = Decimal(r.first) + _TENTH * ((points - r.from_) // r.per_points)
            break
    else:
        raise ValueError(f"score {score} is outside the star display's ranges")
    # The icon row is the last whose display the score reaches (check() sorts and covers them).
    icons = [i.icons for i in display.icons if Decimal(i.from_display) <= shown]
    return f"{shown:.1f}", icons[-1]
