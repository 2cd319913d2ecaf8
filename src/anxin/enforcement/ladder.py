"""Counting violations: which number a violation is in its period, so which rung applies.

Douyin counts each violation type per natural year (§7.1: "counted per natural year"); other
platforms reset per quarter (Shopee) or let points expire after a rolling window (TikTok,
Amazon's account-health windows). Reverted violations (an upheld appeal) are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from anxin.enforcement.config import Counting


def period_of(day: dt.date, counting: Counting) -> str:
    """The counting period's name: "2026", "2026Q3", or "rolling-180d"."""
    if counting.period == "natural_year":
        return str(day.year)
    if counting.period == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"rolling-{counting.days}d"


def counted(day: dt.date, earlier: Iterable[dt.date], counting: Counting) -> int:
    """This violation's number: 1 + the same type's earlier (active) violations that count
    with it: same natural year or quarter, or within the rolling window ending on ``day``."""
    if counting.period == "rolling":
        assert counting.days is not None
        start = day - dt.timedelta(days=counting.days - 1)
        return 1 + sum(1 for d in earlier if start <= d <= day)
    key = period_of(day, counting)
    return 1 + sum(1 for d in earlier if d <= day and period_of(d, counting) == key)
