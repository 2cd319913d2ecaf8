"""Every clock of every built-in pack at its boundary: an act exactly at the deadline is on time,
one second later the pack's timeout has already decided the case."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec
import pytest

from anxin.aftersales.config import NightWindow, TimerName
from anxin.aftersales.facts import (
    Escalated,
    Fact,
    Responded,
    ReturnReceived,
    ReturnShipped,
    TimerFired,
)
from anxin.aftersales.flows import Policy, apply

from .helpers import SECOND, grants, policy, rejections, request, walk

CN = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
T0_CN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN)  # a Monday
T0_US = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
PACKS = [("douyin", "2025-09-29"), ("douyin", "2026-08-10"), ("tmall", None)]


def _setup(timer: str, t0: dt.datetime, start: dt.datetime) -> list[Fact]:
    """Facts that leave the case with ``timer`` started at ``start``."""
    if timer == "merchant_response":
        return [request(start)]
    if timer == "consumer_ships_return":
        return [request(t0, "return_refund"), Responded(start, "merchant", "agree")]
    if timer == "return_confirmation":
        return [
            request(t0, "return_refund"),
            Responded(t0 + HOUR, "merchant", "agree"),
            ReturnShipped(t0 + 2 * HOUR),
            ReturnReceived(start, "ok"),
        ]
    return [request(t0), Responded(start, "merchant", "refuse")]  # escalation_window


def _act(timer: str, at: dt.datetime) -> Fact:
    """What beats ``timer`` when it comes in time."""
    if timer == "consumer_ships_return":
        return ReturnShipped(at)
    if timer == "escalation_window":
        return Escalated(at, "consumer")
    return Responded(at, "merchant", "agree")


# (pack, version, timer, start, due) with the pack's numbers spelt out, so a pack edit that
# moves a deadline fails here.
CASES = [
    *[
        (name, version, timer, T0_CN, T0_CN + dt.timedelta(hours=hours))
        for name, version in PACKS
        for timer, hours in (
            ("merchant_response", 48),
            ("consumer_ships_return", 168),
            ("return_confirmation", 240),
            ("escalation_window", 168),
        )
    ],
    ("amazon", None, "merchant_response", T0_US, T0_US + 48 * HOUR),
    ("amazon", None, "consumer_ships_return", T0_US, T0_US + 168 * HOUR),
    # 2 business days after a Friday afternoon receipt: the next Tuesday, same time (§4.6)
    (
        "amazon",
        None,
        "return_confirmation",
        dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
        dt.datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    ),
    ("amazon", None, "escalation_window", T0_US, T0_US + dt.timedelta(days=90)),
]
IDS = [f"{c[0]}-{c[1] or 'latest'}-{c[2]}" for c in CASES]
# On time / one second late: the state the act leaves, and who decided a grant (if any).
ON_TIME = {
    "merchant_response": ("refunded", "merchant"),
    "consumer_ships_return": ("return_shipped", None),
    "return_confirmation": ("refunded", "merchant"),
    "escalation_window": ("arbitration", None),
}
LATE = {
    "merchant_response": ("refunded", "system"),  # silence approves (on_timeout: approve)
    "consumer_ships_return": ("closed", None),  # the request lapses
    "return_confirmation": ("refunded", "system"),  # silence confirms
    "escalation_window": ("closed", None),  # the refusal stands
}


def _t0(start: dt.datetime) -> dt.datetime:
    return T0_US if start.tzinfo is UTC else T0_CN


@pytest.mark.parametrize(("pack", "version", "timer", "start", "due"), CASES, ids=IDS)
def test_the_deadline_is_computed_on_the_pack_calendar(
    pack: str, version: str | None, timer: TimerName, start: dt.datetime, due: dt.datetime
) -> None:
    case, _ = walk(policy(pack, version), _setup(timer, _t0(start), start))
    assert case is not None
    assert case.deadline is not None
    assert (case.deadline.timer, case.deadline.due) == (timer, due)


@pytest.mark.parametrize(("pack", "version", "timer", "start", "due"), CASES, ids=IDS)
@pytest.mark.parametrize("late", [False, True], ids=["at-deadline", "one-second-late"])
def test_an_act_at_the_deadline_is_on_time_one_second_later_is_not(
    pack: str,
    version: str | None,
    timer: TimerName,
    start: dt.datetime,
    due: dt.datetime,
    late: bool,
) -> None:
    p = policy(pack, version)
    case, _ = walk(p, _setup(timer, _t0(start), start))
    at = due + SECOND if late else due
    case, effects = apply(case, _act(timer, at), p)
    state, decided_by = (LATE if late else ON_TIME)[timer]
    assert case is not None
    assert case.state == state
    assert [g.decided_by for g in grants(effects)] == ([decided_by] if decided_by else [])
    if decided_by:
        assert grants(effects)[0].at == due if late else at
    assert bool(rejections(effects)) == late


@pytest.mark.parametrize(("pack", "version", "timer", "start", "due"), CASES, ids=IDS)
def test_a_timer_fires_at_its_deadline_and_not_a_second_before(
    pack: str, version: str | None, timer: TimerName, start: dt.datetime, due: dt.datetime
) -> None:
    p = policy(pack, version)
    case, _ = walk(p, _setup(timer, _t0(start), start))
    early, effects = apply(case, TimerFired(due - SECOND, timer), p)
    assert early == case
    assert "before" in rejections(effects)[0]
    fired, effects = apply(case, TimerFired(due, timer), p)
    assert fired is not None
    assert fired.state == LATE[timer][0]
    assert not rejections(effects)
    again, effects = apply(fired, TimerFired(due, timer), p)
    assert again == fired
    assert "not running" in rejections(effects)[0]


def _night_policy() -> Policy:
    base = policy("douyin")
    night = NightWindow(
        start="23:00", end="08:00", resume_at="08:00", applies_to=["merchant_response"]
    )
    config = msgspec.structs.replace(base.config, night_window=night)
    config.check("CNY")
    return Policy(config, base.calendar)


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        # inside the window: the merchant's clock starts at 08:00, then runs 48 h
        (dt.datetime(2026, 11, 23, 23, 30, tzinfo=CN), dt.datetime(2026, 11, 26, 8, 0, tzinfo=CN)),
        (
            dt.datetime(2026, 11, 24, 7, 59, 59, tzinfo=CN),
            dt.datetime(2026, 11, 26, 8, 0, tzinfo=CN),
        ),
        # the window is half-open: 08:00 and 22:59:59 start at once
        (dt.datetime(2026, 11, 24, 8, 0, tzinfo=CN), dt.datetime(2026, 11, 26, 8, 0, tzinfo=CN)),
        (
            dt.datetime(2026, 11, 23, 22, 59, 59, tzinfo=CN),
            dt.datetime(2026, 11, 25, 22, 59, 59, tzinfo=CN),
        ),
    ],
)
def test_a_night_window_postpones_the_start_of_the_clocks_it_names(
    requested: dt.datetime, due: dt.datetime
) -> None:
    p = _night_policy()
    case, _ = walk(p, [request(requested)])
    assert case is not None
    assert case.deadline is not None
    assert case.deadline.due == due
    # the consumer's clocks are not shifted: a refusal at night starts the window at once
    case, _ = apply(case, Responded(requested + HOUR, "merchant", "refuse"), p)
    assert case is not None
    assert case.deadline is not None
    assert case.deadline.due == requested + HOUR + 168 * HOUR
