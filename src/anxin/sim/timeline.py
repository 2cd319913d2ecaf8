"""Simulated time: China Standard Time, the marketplace's rhythm, and ship-by deadlines.

Internally every instant is an integer of epoch seconds (cheap to add and compare); it becomes
an aware ``datetime`` in +08:00 only when an event is built. China has had no DST since 1991,
so local days are plain 86,400-second steps offset by 8 hours.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Callable, Mapping
from itertools import accumulate

CST = dt.timezone(dt.timedelta(hours=8))
OFFSET = 8 * 3600
DAY = 86_400
HOUR = 3_600

# Weekly rhythm, Monday first: weekends sell a little more.
WEEKLY: tuple[float, ...] = (0.95, 0.95, 0.97, 1.0, 1.04, 1.1, 1.08)

# Promotion peaks by (month, day): 双11 and its waves, 双12, 618, and a quieter golden week.
PROMOTIONS: Mapping[tuple[int, int], float] = {
    (10, 1): 0.9,
    (10, 2): 0.85,
    (10, 3): 0.85,
    (10, 4): 0.9,
    (10, 5): 0.9,
    (10, 6): 0.9,
    (10, 20): 1.5,
    (10, 21): 1.3,
    (10, 31): 1.4,
    (11, 1): 1.9,
    (11, 2): 1.4,
    (11, 3): 1.3,
    (11, 10): 1.6,
    (11, 11): 4.0,
    (11, 12): 1.3,
    (12, 12): 2.2,
    (6, 1): 1.5,
    (6, 18): 3.0,
}
# Presale campaigns run in the weeks before 双11 and 618: presale is used more then.
PRESALE_SEASONS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((10, 20), (11, 11)),
    ((5, 13), (6, 18)),
)

# Orders by local hour: quiet at night, peaks at lunch and in the evening live-stream slot.
DIURNAL: tuple[float, ...] = (
    1.2,
    0.7,
    0.4,
    0.25,
    0.2,
    0.25,
    0.5,
    1.2,
    2.4,
    3.4,
    4.0,
    4.2,
    4.5,
    4.0,
    4.0,
    4.2,
    4.3,
    4.2,
    4.0,
    4.6,
    5.4,
    6.0,
    5.4,
    3.0,
)
# A peak day opens at midnight (the 双11 countdown) and stays busy late.
PEAK_DIURNAL: tuple[float, ...] = (14.0, 6.0, *DIURNAL[2:20], 6.0, 7.0, 7.5, 5.0)

_CUM_DIURNAL = tuple(accumulate(DIURNAL))
_CUM_PEAK = tuple(accumulate(PEAK_DIURNAL))


def day_factor(day: dt.date) -> float:
    return WEEKLY[day.weekday()] * PROMOTIONS.get((day.month, day.day), 1.0)


def is_peak(day: dt.date) -> bool:
    return PROMOTIONS.get((day.month, day.day), 1.0) >= 3.0


def in_presale_season(day: dt.date) -> bool:
    key = (day.month, day.day)
    return any(a <= key <= b for a, b in PRESALE_SEASONS)


def day_start(day: dt.date) -> int:
    """Epoch seconds of local midnight (+08:00) starting ``day``."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=CST).timestamp())


def local_midnight(ts: int) -> int:
    return (ts + OFFSET) // DAY * DAY - OFFSET


def local_hour(ts: int) -> int:
    return (ts + OFFSET) % DAY // HOUR


def end_of_day(ts: int, days_after: int = 0) -> int:
    """23:59:59 local of the day ``days_after`` the day of ``ts`` (the calendar's rendering)."""
    return local_midnight(ts) + (days_after + 1) * DAY - 1


def at(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, CST)


def order_times(rng: random.Random, day: dt.date, n: int) -> list[int]:
    """``n`` sorted placement instants on ``day`` following the diurnal profile."""
    cum = _CUM_PEAK if is_peak(day) else _CUM_DIURNAL
    top = cum[-1]
    base = day_start(day)
    rand = rng.random
    times = [base + bisect(cum, rand() * top) * HOUR + int(rand() * HOUR) for _ in range(n)]
    times.sort()
    return times


def courier_hours(ts: int, rand: Callable[[], float]) -> int:
    """Couriers pick up between 08:00 and 20:00: a later instant waits for the next round."""
    hour = (ts + OFFSET) % DAY // HOUR
    if 8 <= hour < 20:
        return ts
    morning = local_midnight(ts) + (DAY if hour >= 20 else 0) + 8 * HOUR
    return morning + int(rand() * 2 * HOUR)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's product method for small means, a rounded normal above 30."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit = 2.718281828459045**-mean
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k
