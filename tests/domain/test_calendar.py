from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.domain.calendar import BusinessCalendar, Period, TimeWindow

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
SP = ZoneInfo("America/Sao_Paulo")

# Test data only (shaped like the 2025 Spring Festival): real dates come from policy packs.
# 2025-01-06 is a Monday; 01-28..02-04 are holidays; Sun 01-26 and Sat 02-08 are make-up days.
HOLIDAYS = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
MAKE_UP = [date(2025, 1, 26), date(2025, 2, 8)]
CAL = BusinessCalendar.simple("Asia/Shanghai", holidays=HOLIDAYS, extra_working_days=MAKE_UP)
SPLIT = BusinessCalendar(
    timezone="Asia/Shanghai",
    working_hours=((TimeWindow(time(9), time(12)), TimeWindow(time(13), time(18))),) * 5 + ((), ()),
)
NYC = BusinessCalendar.simple("America/New_York", hours=("09:00", "17:00"))
ALWAYS_NY = BusinessCalendar.simple(
    "America/New_York", workdays="Mon-Sun", hours=("00:00", "24:00")
)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=SH)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def assert_same_instant_in_zone(actual: datetime, expected: datetime, zone: ZoneInfo) -> None:
    assert actual == expected
    assert actual.tzinfo == zone
    assert actual.utcoffset() == expected.utcoffset()


# -- value objects ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "t", "inside"),
    [
        (TimeWindow(time(9), time(18)), time(9), True),
        (TimeWindow(time(9), time(18)), time(17, 59, 59), True),
        (TimeWindow(time(9), time(18)), time(18), False),
        (TimeWindow(time(9), time(18)), time(8, 59, 59), False),
        (TimeWindow(time(18), time(6)), time(18), True),
        (TimeWindow(time(18), time(6)), time(23, 59, 59), True),
        (TimeWindow(time(18), time(6)), time(0), True),
        (TimeWindow(time(18), time(6)), time(5, 59, 59), True),
        (TimeWindow(time(18), time(6)), time(6), False),
        (TimeWindow(time(18), time(6)), time(12), False),
        (TimeWindow(time(22), time(0)), time(23), True),
        (TimeWindow(time(22), time(0)), time(0), False),
    ],
)
def test_time_window_contains(window: TimeWindow, t: time, inside: bool) -> None:
    assert window.contains(t) is inside


def test_time_window_rejects_aware_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        TimeWindow(time(9, tzinfo=UTC), time(18))
    with pytest.raises(ValueError, match="naive"):
        TimeWindow(time(9), time(18)).contains(time(10, tzinfo=UTC))


def test_period() -> None:
    p = Period(sh(2025, 11, 1), sh(2025, 11, 12), "double-11")
    assert p.contains(sh(2025, 11, 1))
    assert p.contains(utc(2025, 10, 31, 16))  # same instant as 11-01 00:00 Shanghai
    assert not p.contains(utc(2025, 10, 31, 15, 59, 59))
    assert p.contains(sh(2025, 11, 11, 23, 59, 59))
    assert not p.contains(sh(2025, 11, 12))
    with pytest.raises(ValueError, match="start must be before end"):
        Period(sh(2025, 1, 2), sh(2025, 1, 1))
    with pytest.raises(ValueError, match="start must be before end"):
        Period(sh(2025, 1, 1), sh(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        Period(datetime(2025, 1, 1), sh(2025, 1, 2))  # noqa: DTZ001


def test_promotion_and_exemption_lookup() -> None:
    promo = Period(sh(2025, 11, 1), sh(2025, 11, 12), "double-11")
    storm = Period(sh(2025, 7, 1, 12), sh(2025, 7, 3), "typhoon")
    cal = BusinessCalendar.simple("Asia/Shanghai", promotions=[promo], exemption_periods=[storm])
    assert cal.promotion_at(sh(2025, 11, 5)) == promo
    assert cal.promotion_at(sh(2025, 11, 12)) is None
    assert cal.exemption_at(utc(2025, 7, 1, 4)) == storm
    assert cal.exemption_at(utc(2025, 7, 1, 3, 59, 59)) is None
    assert CAL.promotion_at(sh(2025, 11, 5)) is None


# -- construction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown IANA timezone"),
        ({"timezone": ""}, "unknown IANA timezone"),
        ({"working_hours": ((),) * 6}, "7 weekdays"),
        (
            {"working_hours": ((TimeWindow(time(18), time(6)),),) + ((),) * 6},
            "wraps midnight",
        ),
        (
            {
                "working_hours": ((TimeWindow(time(9), time(12)), TimeWindow(time(11), time(18))),)
                + ((),) * 6
            },
            "overlapping",
        ),
        (
            {"holidays": frozenset({date(2025, 1, 1)}), "extra_working_days": {date(2025, 1, 1)}},
            "both holiday and extra",
        ),
    ],
)
def test_calendar_validation(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"timezone": "Asia/Shanghai", "working_hours": ((),) * 7}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**args)  # type: ignore[arg-type]


def test_adjacent_windows_and_window_to_midnight_are_allowed() -> None:
    day = (TimeWindow(time(9), time(12)), TimeWindow(time(12), time(0)))
    cal = BusinessCalendar("Asia/Shanghai", (day,) * 7)
    assert cal.working_seconds_between(sh(2025, 1, 6), sh(2025, 1, 7)) == 15 * 3600


@pytest.mark.parametrize(
    ("workdays", "expected"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("Mon-Sat", {0, 1, 2, 3, 4, 5}),
        ("mon,wed,FRI", {0, 2, 4}),
        ("Fri-Mon", {4, 5, 6, 0}),
        ("Sun", {6}),
        ("Monday-Tuesday", {0, 1}),
        ([0, 6], {0, 6}),
        ("", set()),
    ],
)
def test_simple_workdays(workdays: str | list[int], expected: set[int]) -> None:
    cal = BusinessCalendar.simple("UTC", workdays=workdays)
    monday = date(2025, 1, 6)
    working = {i for i in range(7) if cal.is_working_day(monday + timedelta(days=i))}
    assert working == expected


@pytest.mark.parametrize("workdays", ["Mon-Funday", [7], [-1]])
def test_simple_rejects_bad_workdays(workdays: str | list[int]) -> None:
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar.simple("UTC", workdays=workdays)


def test_simple_accepts_iso_date_strings_and_is_hashable() -> None:
    cal = BusinessCalendar.simple("Asia/Shanghai", holidays=["2025-01-28"])
    assert not cal.is_working_day(date(2025, 1, 28))
    assert cal == BusinessCalendar.simple("Asia/Shanghai", holidays=[date(2025, 1, 28)])
    assert hash(cal) == hash(BusinessCalendar.simple("Asia/Shanghai", holidays=["2025-01-28"]))


# -- working days / time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "working"),
    [
        (date(2025, 1, 6), True),  # Monday
        (date(2025, 1, 10), True),  # Friday
        (date(2025, 1, 11), False),  # Saturday
        (date(2025, 1, 12), False),  # Sunday
        (date(2025, 1, 26), True),  # make-up Sunday
        (date(2025, 1, 28), False),  # holiday Tuesday
        (date(2025, 2, 4), False),  # last holiday
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # make-up Saturday
    ],
)
def test_is_working_day(d: date, working: bool) -> None:
    assert CAL.is_working_day(d) is working


@pytest.mark.parametrize(
    ("t", "working"),
    [
        (sh(2025, 1, 6, 9), True),
        (sh(2025, 1, 6, 8, 59, 59), False),
        (sh(2025, 1, 6, 17, 59, 59), True),
        (sh(2025, 1, 6, 18), False),
        (utc(2025, 1, 6, 1), True),  # 09:00 Shanghai
        (utc(2025, 1, 6, 0, 59, 59), False),
        (sh(2025, 1, 11, 10), False),  # Saturday
        (sh(2025, 1, 26, 10), True),  # make-up Sunday uses Monday hours
        (sh(2025, 1, 28, 10), False),  # holiday
    ],
)
def test_is_working_time(t: datetime, working: bool) -> None:
    assert CAL.is_working_time(t) is working


# -- end_of_day ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "days_after", "expected"),
    [
        (sh(2025, 1, 6, 0, 0), 0, sh(2025, 1, 6, 23, 59, 59)),
        (sh(2025, 1, 6, 23, 59, 59), 0, sh(2025, 1, 6, 23, 59, 59)),
        (sh(2025, 1, 6, 10), 1, sh(2025, 1, 7, 23, 59, 59)),
        (sh(2025, 1, 31, 10), 1, sh(2025, 2, 1, 23, 59, 59)),
        (sh(2025, 1, 6, 10), -1, sh(2025, 1, 5, 23, 59, 59)),
        # UTC inputs crossing local midnight (Shanghai is UTC+8)
        (utc(2025, 1, 6, 15, 59, 59), 0, sh(2025, 1, 6, 23, 59, 59)),
        (utc(2025, 1, 6, 16, 0, 0), 0, sh(2025, 1, 7, 23, 59, 59)),
        (utc(2025, 1, 6, 16, 0, 0), 1, sh(2025, 1, 8, 23, 59, 59)),
        (datetime(2025, 1, 6, 12, tzinfo=NY), 0, sh(2025, 1, 7, 23, 59, 59)),
    ],
)
def test_end_of_day(t: datetime, days_after: int, expected: datetime) -> None:
    assert_same_instant_in_zone(CAL.end_of_day(t, days_after), expected, SH)


@pytest.mark.parametrize(
    ("event", "on_time"),
    [
        (sh(2025, 1, 7, 23, 59, 59), True),  # exactly at the deadline
        (utc(2025, 1, 7, 15, 59, 59), True),  # same instant, other zone
        (sh(2025, 1, 7, 12), True),
        (sh(2025, 1, 8, 0, 0, 0), False),  # one second late
        (utc(2025, 1, 7, 16), False),
        (sh(2025, 1, 7, 23, 59, 59, 1), False),  # sub-second past the deadline is late
    ],
)
def test_end_of_day_deadline_is_inclusive(event: datetime, on_time: bool) -> None:
    deadline = CAL.end_of_day(sh(2025, 1, 6, 20, 15), 1)  # "by 23:59:59 the day after"
    assert (event <= deadline) is on_time


# -- add_hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "t", "hours", "expected", "zone"),
    [
        (CAL, sh(2025, 1, 6, 20), 48, sh(2025, 1, 8, 20), SH),
        (CAL, utc(2025, 1, 6, 20), 1.5, sh(2025, 1, 7, 5, 30), SH),
        (CAL, sh(2025, 1, 6, 20), timedelta(minutes=90), sh(2025, 1, 6, 21, 30), SH),
        (CAL, sh(2025, 1, 6, 20), -2, sh(2025, 1, 6, 18), SH),
        # New York spring forward 2024-03-10 02:00 -> 03:00: 24 h later is 13:00 EDT
        (NYC, datetime(2024, 3, 9, 12, tzinfo=NY), 24, datetime(2024, 3, 10, 13, tzinfo=NY), NY),
        # fall back 2024-11-03 02:00 -> 01:00: 24 h later is 11:00 EST
        (NYC, datetime(2024, 11, 2, 12, tzinfo=NY), 24, datetime(2024, 11, 3, 11, tzinfo=NY), NY),
        # Sao Paulo's last DST start, 2018-11-04 00:00 -> 01:00 (abolished in 2019)
        (
            BusinessCalendar.simple("America/Sao_Paulo"),
            datetime(2018, 11, 3, 12, tzinfo=SP),
            24,
            datetime(2018, 11, 4, 13, tzinfo=SP),
            SP,
        ),
    ],
)
def test_add_hours(
    cal: BusinessCalendar,
    t: datetime,
    hours: int | float | timedelta,
    expected: datetime,
    zone: ZoneInfo,
) -> None:
    assert_same_instant_in_zone(cal.add_hours(t, hours), expected, zone)


def test_add_hours_sao_paulo_offset_changes() -> None:
    cal = BusinessCalendar.simple("America/Sao_Paulo")
    result = cal.add_hours(datetime(2018, 11, 3, 12, tzinfo=SP), 24)
    assert result.utcoffset() == timedelta(hours=-2)
    assert (result - datetime(2018, 11, 3, 15, tzinfo=UTC)) == timedelta(hours=24)


# -- add_working_hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "t", "hours", "expected"),
    [
        (CAL, sh(2025, 1, 6, 8), 1, sh(2025, 1, 6, 10)),  # before the window
        (CAL, sh(2025, 1, 6, 10), 2, sh(2025, 1, 6, 12)),  # inside
        (CAL, sh(2025, 1, 6, 19), 1, sh(2025, 1, 7, 10)),  # after
        (CAL, sh(2025, 1, 6, 17), 1, sh(2025, 1, 6, 18)),  # completes exactly at window end
        (CAL, sh(2025, 1, 6, 18), 1, sh(2025, 1, 7, 10)),  # starts exactly at window end
        (CAL, sh(2025, 1, 6, 9), 9, sh(2025, 1, 6, 18)),
        (CAL, sh(2025, 1, 6, 9), 10, sh(2025, 1, 7, 10)),
        (CAL, sh(2025, 1, 6, 17, 45), timedelta(minutes=30), sh(2025, 1, 7, 9, 15)),
        (CAL, sh(2025, 1, 6, 9), 0.5, sh(2025, 1, 6, 9, 30)),
        (CAL, utc(2025, 1, 6, 1), 1, sh(2025, 1, 6, 10)),  # UTC input, Shanghai result
        (CAL, sh(2025, 1, 10, 17), 2, sh(2025, 1, 13, 10)),  # across a weekend
        (CAL, sh(2025, 1, 11, 10), 1, sh(2025, 1, 13, 10)),  # starts on Saturday
        (CAL, sh(2025, 1, 24, 17), 2, sh(2025, 1, 26, 10)),  # make-up Sunday
        (CAL, sh(2025, 1, 27, 17), 2, sh(2025, 2, 5, 10)),  # across the holiday
        (CAL, sh(2025, 2, 7, 17), 2, sh(2025, 2, 8, 10)),  # make-up Saturday
        (CAL, sh(2025, 1, 6, 9), 45, sh(2025, 1, 10, 18)),  # a whole working week
        (CAL, sh(2025, 1, 11, 10), 0, sh(2025, 1, 11, 10)),  # zero: unchanged
        (SPLIT, sh(2025, 1, 6, 11, 30), 1, sh(2025, 1, 6, 13, 30)),  # across lunch
        (SPLIT, sh(2025, 1, 6, 12, 30), 1, sh(2025, 1, 6, 14)),  # starts at lunch
        (SPLIT, sh(2025, 1, 6, 9), 3, sh(2025, 1, 6, 12)),
        # New York DST weekend: Fri 16:00 EST + 2 h -> Mon 10:00 EDT
        (NYC, datetime(2024, 3, 8, 16, tzinfo=NY), 2, datetime(2024, 3, 11, 10, tzinfo=NY)),
    ],
)
def test_add_working_hours(
    cal: BusinessCalendar, t: datetime, hours: int | float | timedelta, expected: datetime
) -> None:
    assert_same_instant_in_zone(cal.add_working_hours(t, hours), expected, cal.zone)


def test_add_working_hours_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_hours(sh(2025, 1, 6, 9), -1)


def test_add_working_hours_no_working_time() -> None:
    never = BusinessCalendar.simple("Asia/Shanghai", workdays="")
    with pytest.raises(ValueError, match="no working hours"):
        never.add_working_hours(sh(2025, 1, 6, 9), 1)
    with pytest.raises(ValueError, match="no working hours"):
        never.add_working_days(sh(2025, 1, 6, 9), 1)


def test_add_working_hours_gives_up_after_scan_limit() -> None:
    mondays = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(600)]
    cal = BusinessCalendar.simple("Asia/Shanghai", workdays="Mon", holidays=mondays)
    with pytest.raises(ValueError, match="not enough working time"):
        cal.add_working_hours(sh(2025, 1, 6, 9), 1)
    with pytest.raises(ValueError, match="not enough working days"):
        cal.add_working_days(sh(2025, 1, 6, 9), 1)


# -- add_working_days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "days", "expected"),
    [
        (sh(2025, 1, 6, 15), 0, sh(2025, 1, 6, 15)),
        (sh(2025, 1, 6, 15), 1, sh(2025, 1, 7, 15)),
        (sh(2025, 1, 6, 15), 5, sh(2025, 1, 13, 15)),
        (sh(2025, 1, 10, 15), 1, sh(2025, 1, 13, 15)),  # Friday -> Monday
        (sh(2025, 1, 11, 15), 1, sh(2025, 1, 13, 15)),  # Saturday -> Monday
        (sh(2025, 1, 24, 10), 1, sh(2025, 1, 26, 10)),  # make-up Sunday counts
        (sh(2025, 1, 27, 10), 1, sh(2025, 2, 5, 10)),  # holiday skipped
        (sh(2025, 1, 27, 23, 30), 2, sh(2025, 2, 6, 23, 30)),  # time of day kept, off hours
        (utc(2025, 1, 10, 16, 30), 1, sh(2025, 1, 13, 0, 30)),  # Sat 00:30 local -> Mon
    ],
)
def test_add_working_days(t: datetime, days: int, expected: datetime) -> None:
    assert_same_instant_in_zone(CAL.add_working_days(t, days), expected, SH)


def test_add_working_days_keeps_local_time_across_dst() -> None:
    result = NYC.add_working_days(datetime(2024, 3, 8, 10, tzinfo=NY), 1)
    assert_same_instant_in_zone(result, datetime(2024, 3, 11, 10, tzinfo=NY), NY)
    assert result.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize("days", [-1, True, 1.5])
def test_add_working_days_rejects(days: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        CAL.add_working_days(sh(2025, 1, 6), days)  # type: ignore[arg-type]


# -- shift_start --------------------------------------------------------------------

NIGHT = TimeWindow(time(18), time(6))
LATE = TimeWindow(time(23), time(8))


@pytest.mark.parametrize(
    ("t", "window", "resume", "expected"),
    [
        (sh(2025, 1, 6, 18, 0, 0), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 6, 17, 59, 59), NIGHT, time(6), sh(2025, 1, 6, 17, 59, 59)),
        (sh(2025, 1, 7, 5, 59, 59), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 7, 6, 0, 0), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 6, 20), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 6, 23, 30), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 7, 0, 0), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 7, 3), NIGHT, time(6), sh(2025, 1, 7, 6)),
        (sh(2025, 1, 31, 22), NIGHT, time(6), sh(2025, 2, 1, 6)),  # month end
        (utc(2025, 1, 6, 10), NIGHT, time(6), sh(2025, 1, 7, 6)),  # 18:00 Shanghai
        (utc(2025, 1, 6, 9, 59, 59), NIGHT, time(6), sh(2025, 1, 6, 17, 59, 59)),
        (sh(2025, 1, 6, 22, 59, 59), LATE, time(8), sh(2025, 1, 6, 22, 59, 59)),
        (sh(2025, 1, 6, 23, 0, 0), LATE, time(8), sh(2025, 1, 7, 8)),
        (sh(2025, 1, 6, 23, 30), LATE, time(8), sh(2025, 1, 7, 8)),
        (sh(2025, 1, 7, 0, 0), LATE, time(8), sh(2025, 1, 7, 8)),
        (sh(2025, 1, 7, 7, 59, 59), LATE, time(8), sh(2025, 1, 7, 8)),
        (sh(2025, 1, 7, 8, 0, 0), LATE, time(8), sh(2025, 1, 7, 8)),
    ],
)
def test_shift_start(t: datetime, window: TimeWindow, resume: time, expected: datetime) -> None:
    assert_same_instant_in_zone(CAL.shift_start(t, window, resume), expected, SH)


# -- working_seconds_between --------------------------------------------------------


@pytest.mark.parametrize(
    ("cal", "a", "b", "seconds"),
    [
        (CAL, sh(2025, 1, 6, 8), sh(2025, 1, 6, 10), 3600),
        (CAL, sh(2025, 1, 6, 10), sh(2025, 1, 7, 10), 9 * 3600),
        (CAL, sh(2025, 1, 10, 17), sh(2025, 1, 13, 10), 2 * 3600),
        (CAL, sh(2025, 1, 27, 9), sh(2025, 2, 5, 9), 9 * 3600),  # only 01-27 works
        (CAL, sh(2025, 1, 24, 9), sh(2025, 1, 27, 9), 18 * 3600),  # Fri + make-up Sun
        (CAL, sh(2025, 1, 6, 10), sh(2025, 1, 6, 10), 0),
        (CAL, sh(2025, 1, 7, 10), sh(2025, 1, 6, 10), 0),  # b before a
        (CAL, utc(2025, 1, 6, 0), utc(2025, 1, 6, 2), 3600),  # 08:00-10:00 Shanghai
        (CAL, sh(2025, 1, 6, 9, 0, 0, 500_000), sh(2025, 1, 6, 9, 0, 2), 1),  # floors
        (SPLIT, sh(2025, 1, 6, 11), sh(2025, 1, 6, 14), 2 * 3600),
        (ALWAYS_NY, datetime(2024, 3, 10, tzinfo=NY), datetime(2024, 3, 11, tzinfo=NY), 23 * 3600),
        (ALWAYS_NY, datetime(2024, 11, 3, tzinfo=NY), datetime(2024, 11, 4, tzinfo=NY), 25 * 3600),
    ],
)
def test_working_seconds_between(
    cal: BusinessCalendar, a: datetime, b: datetime, seconds: int
) -> None:
    assert cal.working_seconds_between(a, b) == seconds


# -- naive input --------------------------------------------------------------------

NAIVE = datetime(2025, 1, 6, 10)  # noqa: DTZ001 - deliberately naive


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.local(NAIVE),
        lambda: CAL.is_working_time(NAIVE),
        lambda: CAL.end_of_day(NAIVE, 1),
        lambda: CAL.add_hours(NAIVE, 1),
        lambda: CAL.add_working_hours(NAIVE, 1),
        lambda: CAL.add_working_days(NAIVE, 1),
        lambda: CAL.shift_start(NAIVE, NIGHT, time(6)),
        lambda: CAL.promotion_at(NAIVE),
        lambda: CAL.exemption_at(NAIVE),
        lambda: CAL.working_seconds_between(NAIVE, sh(2025, 1, 7)),
        lambda: CAL.working_seconds_between(sh(2025, 1, 5), NAIVE),
    ],
)
def test_naive_datetime_raises(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


# -- properties ---------------------------------------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime(2018, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
CALENDARS = st.sampled_from([CAL, SPLIT, NYC, ALWAYS_NY])


@settings(max_examples=200)
@given(CALENDARS, INSTANTS, st.integers(0, 200))
def test_add_working_hours_round_trips(cal: BusinessCalendar, t: datetime, hours: int) -> None:
    result = cal.add_working_hours(t, hours)
    assert result >= t
    assert result.tzinfo == cal.zone
    assert cal.working_seconds_between(t, result) == hours * 3600


@given(CALENDARS, INSTANTS, st.integers(1, 30))
def test_add_working_days_lands_on_working_day(
    cal: BusinessCalendar, t: datetime, days: int
) -> None:
    result = cal.add_working_days(t, days)
    assert result > t
    assert cal.is_working_day(result.date())


@given(CALENDARS, st.lists(INSTANTS, min_size=3, max_size=3))
def test_working_seconds_is_additive(cal: BusinessCalendar, instants: list[datetime]) -> None:
    a, b, c = sorted(t.replace(microsecond=0) for t in instants)
    total = cal.working_seconds_between(a, c)
    assert total == cal.working_seconds_between(a, b) + cal.working_seconds_between(b, c)
    assert 0 <= total <= int((c - a).total_seconds())


@given(INSTANTS, st.sampled_from([NIGHT, LATE]))
def test_shift_start_never_moves_backwards_or_into_window(t: datetime, window: TimeWindow) -> None:
    result = CAL.shift_start(t, window, window.end)
    assert result >= t
    assert not window.contains(result.time())
    assert result - t < timedelta(hours=24)
