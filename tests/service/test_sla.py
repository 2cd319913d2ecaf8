"""Service SLA clocks at their boundaries: the service-hours window (08:00-22:59:59), the night,
holidays when the pack pauses on them, exactly at the due and one second after, unanswered
rounds, and the complaint's 24 hours (douyin 2026-08-10 numbers)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from anxin.application import load_policy
from anxin.service.sla import (
    Line,
    Round,
    ServiceSla,
    complaint_sla,
    reply_sla,
    round_seconds,
    rounds,
    service_calendar,
)

PACK = load_policy("douyin").latest
SLA: ServiceSla = PACK.rule("service_sla")
HOURS = service_calendar(SLA, PACK.calendar)
CST = PACK.calendar.zone
S = dt.timedelta(seconds=1)


def at(day: int, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, ss, tzinfo=CST)


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (at(3, 10, 0), at(3, 10, 3)),  # in hours: 3 minutes later
        (at(3, 8, 0), at(3, 8, 3)),  # the first instant of the window
        (at(3, 7, 59, 59), at(3, 8, 3)),  # one second before: the clock waits for 08:00
        (at(3, 22, 56, 59), at(3, 22, 59, 59)),  # 3 minutes fit before 23:00
        (at(3, 22, 58), at(4, 8, 1)),  # 2 minutes tonight, 1 tomorrow morning
        (at(3, 23, 0), at(4, 8, 3)),  # 23:00 is outside (the window ends at 22:59:59)
        (at(4, 3, 0), at(4, 8, 3)),  # the night
    ],
)
def test_a_reply_is_due_three_service_minutes_after_the_question(
    asked: dt.datetime, due: dt.datetime
) -> None:
    got = reply_sla(Round(asked, None, True), SLA, HOURS, asked)
    assert (got.kind, got.due_at, got.status) == ("first_reply", due, "active")


@pytest.mark.parametrize(
    ("answered", "now", "status"),
    [
        (at(3, 10, 3), at(3, 12), "hit"),  # exactly at the due
        (at(3, 10, 3) + S, at(3, 12), "missed"),  # one second after
        (None, at(3, 10, 3), "active"),  # unanswered, the due not passed
        (None, at(3, 10, 3) + S, "missed"),  # unanswered one second after the due
        (at(3, 10, 2), at(3, 10, 1), "active"),  # an answer after ``now`` is not known yet
    ],
)
def test_states_at_the_due(answered: dt.datetime | None, now: dt.datetime, status: str) -> None:
    got = reply_sla(Round(at(3, 10, 0), answered, False), SLA, HOURS, now)
    assert (got.kind, got.status) == ("next_reply", status)
    assert got.answered_at == (answered if answered is not None and answered <= now else None)


def test_holidays_stop_the_clock_only_where_the_pack_says_so() -> None:
    holiday = dt.date(2026, 10, 1)  # a douyin calendar holiday
    eve = dt.datetime(2026, 9, 30, 22, 59, tzinfo=CST)
    assert holiday in PACK.calendar.holidays
    assert reply_sla(Round(eve, None, True), SLA, HOURS, eve).due_at == dt.datetime(
        2026, 10, 1, 8, 2, tzinfo=CST
    )
    paused = msgspec.structs.replace(SLA, pause_on_holidays=True)
    hours = service_calendar(paused, PACK.calendar)
    # 1 minute on the eve; 1 and 2 October are holidays; the clock resumes on 3 October.
    got = reply_sla(Round(eve, None, True), paused, hours, eve)
    assert got.due_at == dt.datetime(2026, 10, 3, 8, 2, tzinfo=CST)


@pytest.mark.parametrize(
    ("responded", "now", "status"),
    [
        (at(4, 9, 0), at(5, 0), "hit"),  # exactly 24 h after the complaint
        (at(4, 9, 0) + S, at(5, 0), "missed"),
        (None, at(4, 9, 0), "active"),
        (None, at(4, 9, 0) + S, "missed"),
    ],
)
def test_a_complaint_needs_a_response_within_24_hours(
    responded: dt.datetime | None, now: dt.datetime, status: str
) -> None:
    got = complaint_sla(at(3, 9, 0), responded, SLA, now)
    assert (got.kind, got.due_at, got.status) == ("complaint_response", at(4, 9, 0), status)


def test_rounds_and_their_seconds() -> None:
    lines = [
        Line(at(3, 22, 58), "consumer"),
        Line(at(3, 22, 58, 30), "consumer"),  # the same turn
        Line(at(4, 8, 1), "agent"),
        Line(at(4, 9, 0), "agent"),  # no question open: not a round
        Line(at(4, 10, 0), "bot"),
        Line(at(4, 10, 5), "consumer"),  # never answered
    ]
    got = rounds(lines[::-1])  # any order in
    assert got == [Round(at(3, 22, 58), at(4, 8, 1), True), Round(at(4, 10, 5), None, False)]
    now = at(4, 12)
    # Service time only: 2 minutes before 23:00 and 1 after 08:00; unanswered counts 10 min.
    assert [round_seconds(r, SLA, HOURS, now) for r in got] == [180, 600]
    assert [reply_sla(r, SLA, HOURS, now).status for r in got] == ["hit", "missed"]


def test_a_pack_with_bad_hours_is_refused() -> None:
    bad = msgspec.structs.replace(SLA, service_hours=("25:00", "23:00"))
    with pytest.raises(ValueError, match="25:00"):
        bad.check("CNY")
    with pytest.raises(ValueError, match="first_reply_minutes"):
        msgspec.structs.replace(SLA, first_reply_minutes=0).check("CNY")
