"""Indicator clocks: night windows (pickup 18:00-06:00, review 23:00-08:00), chat hours, the
unanswered round, and the per-order pickup ladder with its anomaly/fraud override."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import msgspec
import pytest

from anxin.score.config import Window
from anxin.score.formula import (
    chat_session_counts,
    pickup_clock_start,
    pickup_order_score,
    review_clock_start,
    round_minutes,
)
from tests.score.cases import CONFIG, SHANGHAI


def at(day: int, h: int, m: int = 0, s: int = 0, us: int = 0) -> dt.datetime:
    return dt.datetime(2026, 9, day, h, m, s, us, tzinfo=SHANGHAI)


CLOCKS = CONFIG.clocks


@pytest.mark.parametrize(
    ("paid", "starts"),
    [
        pytest.param(at(1, 17, 59, 59), at(1, 17, 59, 59), id="17:59:59-day"),
        pytest.param(at(1, 18), at(2, 6), id="18:00-night-next-morning"),
        pytest.param(at(1, 23, 30), at(2, 6), id="23:30-next-morning"),
        pytest.param(at(2, 0), at(2, 6), id="midnight-same-morning"),
        pytest.param(at(2, 5, 59, 59, 999999), at(2, 6), id="05:59:59.999999-same-morning"),
        pytest.param(at(2, 6), at(2, 6), id="06:00-day"),
        pytest.param(at(2, 6, 0, 1), at(2, 6, 0, 1), id="06:00:01-day"),
    ],
)
def test_pickup_clock_start(paid: dt.datetime, starts: dt.datetime) -> None:
    assert pickup_clock_start(paid, SHANGHAI, CLOCKS) == starts


@pytest.mark.parametrize(
    ("requested", "starts"),
    [
        pytest.param(at(1, 22, 59, 59), at(1, 22, 59, 59), id="22:59:59-day"),
        pytest.param(at(1, 23), at(2, 8), id="23:00-next-morning"),
        pytest.param(at(2, 3), at(2, 8), id="03:00-same-morning"),
        pytest.param(at(2, 7, 59, 59), at(2, 8), id="07:59:59-same-morning"),
        pytest.param(at(2, 8), at(2, 8), id="08:00-day"),
    ],
)
def test_review_clock_start(requested: dt.datetime, starts: dt.datetime) -> None:
    assert review_clock_start(requested, SHANGHAI, CLOCKS) == starts


def test_clock_start_reads_local_time_whatever_the_input_zone() -> None:
    paid_utc = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai
    start = pickup_clock_start(paid_utc, SHANGHAI, CLOCKS)
    assert start == at(2, 6)
    assert start.tzinfo == SHANGHAI
    day = dt.datetime(2026, 9, 1, 9, 59, 59, tzinfo=dt.UTC)  # 17:59:59 in Shanghai
    assert pickup_clock_start(day, SHANGHAI, CLOCKS) == day


def test_clock_start_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        pickup_clock_start(dt.datetime(2026, 9, 1, 20, 0), SHANGHAI, CLOCKS)  # noqa: DTZ001


def test_clock_start_skipped_by_daylight_saving_lands_on_a_real_instant() -> None:
    ny = ZoneInfo("America/New_York")  # 2026-03-08 02:00 EST jumps to 03:00 EDT
    clocks = msgspec.structs.replace(CLOCKS, pickup_night=Window("01:00", "02:30"))
    start = pickup_clock_start(dt.datetime(2026, 3, 8, 1, 30, tzinfo=ny), ny, clocks)
    assert start == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)
    assert start.utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize(
    ("started", "counts"),
    [
        pytest.param(at(1, 7, 59, 59), False, id="07:59:59"),
        pytest.param(at(1, 8, 0, 0), True, id="08:00:00"),
        pytest.param(at(1, 12), True, id="noon"),
        pytest.param(at(1, 22, 59, 59), True, id="22:59:59"),
        pytest.param(at(1, 22, 59, 59, 999999), True, id="22:59:59.999999"),
        pytest.param(at(1, 23, 0, 0), False, id="23:00:00"),
        pytest.param(at(2, 0), False, id="midnight"),
    ],
)
def test_chat_session_counts(started: dt.datetime, counts: bool) -> None:
    assert chat_session_counts(started, SHANGHAI, CLOCKS) is counts


def test_round_minutes_unanswered_counts_as_ten() -> None:
    assert round_minutes(None, CLOCKS) == 10
    assert round_minutes(dt.timedelta(seconds=90), CLOCKS) == 1.5
    with pytest.raises(ValueError, match="before the question"):
        round_minutes(dt.timedelta(seconds=-1), CLOCKS)


@pytest.mark.parametrize(
    ("hours", "score"),
    [
        (0, 100),
        (24, 100),
        (24.0001, 90),
        (36, 90),
        (36.01, 80),
        (48, 80),
        (math.nextafter(48, math.inf), 70),
        (72, 70),
        (72.1, 60),
        (96, 60),
        (96.01, 50),
        (500, 50),
    ],
)
def test_pickup_ladder_boundaries(hours: float, score: int) -> None:
    assert pickup_order_score(hours, False, CONFIG.pickup) == score


@pytest.mark.parametrize("hours", [0, 10, 24, 96.01])
def test_a_fraud_or_anomaly_payout_scores_50(hours: float) -> None:
    assert pickup_order_score(hours, True, CONFIG.pickup) == 50


@pytest.mark.parametrize("hours", [-0.001, math.nan])
def test_pickup_hours_must_be_a_non_negative_number(hours: float) -> None:
    with pytest.raises(ValueError, match="≥ 0"):
        pickup_order_score(hours, False, CONFIG.pickup)
