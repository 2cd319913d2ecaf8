"""Pre-identification (issue 14): the schedule's ticks at their boundaries, the first contact
found in closed form (and the same as scoring every tick), facts after a tick never reaching
it, and the evaluator's arithmetic."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anxin.domain.order import OrderState, Parcel, Scan
from anxin.service.proactive import (
    FEATURES,
    ProactiveModel,
    ProactiveSettings,
    _Ticks,
    features,
    first_contact,
    packaged_model,
    watched,
)
from anxin.service.proactive_eval import compare
from anxin.sim.truth import HelpTruth

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = ProactiveSettings(min_probability=0.5, every_minutes=60, send_hours=("08:00", "22:00"))


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


def ts(t: dt.datetime) -> int:
    return int(t.timestamp())


@pytest.mark.parametrize(
    ("at", "tick"),
    [
        (local(2026, 10, 5, 9, 0, 0), local(2026, 10, 5, 9, 0, 0)),  # on a tick: that tick
        (local(2026, 10, 5, 9, 0, 1), local(2026, 10, 5, 10, 0, 0)),  # one second after
        (local(2026, 10, 5, 7, 59, 59), local(2026, 10, 5, 8, 0, 0)),  # before the sending hours
        (local(2026, 10, 5, 21, 0, 0), local(2026, 10, 5, 21, 0, 0)),  # the last tick
        (local(2026, 10, 5, 21, 0, 1), local(2026, 10, 6, 8, 0, 0)),  # 22:00 is not a tick
        (local(2026, 10, 5, 22, 0, 0), local(2026, 10, 6, 8, 0, 0)),
        (local(2026, 10, 5, 23, 59, 59), local(2026, 10, 6, 8, 0, 0)),
        (local(2026, 10, 6, 0, 0, 0), local(2026, 10, 6, 8, 0, 0)),  # midnight
    ],
)
def test_ticks_fall_on_the_schedule_inside_the_sending_hours(
    at: dt.datetime, tick: dt.datetime
) -> None:
    assert _Ticks(SETTINGS, SH).first_at_or_after(ts(at)) == ts(tick)


def _model(**coef: float) -> ProactiveModel:
    """A model with the given coefficients; the intercept puts the line where a test wants."""
    intercept = coef.pop("intercept", 0.0)
    return ProactiveModel(FEATURES, tuple(coef.get(f, 0.0) for f in FEATURES), intercept)


PAID = local(2026, 10, 5, 10, 30)
DUE = local(2026, 10, 6, 23, 59, 59)


def _order(*scans: tuple[dt.datetime, str], delivered: dt.datetime | None = None) -> OrderState:
    s = OrderState(order_id="O1", merchant_id="M1", consumer_id="C1")
    s.placed_at, s.paid_at = PAID - dt.timedelta(minutes=1), PAID
    if scans or delivered:
        found = [Scan(at, f"s{i}", status=status) for i, (at, status) in enumerate(scans)]
        if delivered is not None:
            found.append(Scan(delivered, "sd", status="delivered"))
        s.parcels = [Parcel("S1", "SF", "SF1", scans[0][0] if scans else PAID, scans=found)]
    return s


# Log-odds = days_overdue * 24 - 2: over the 0.5 line from two hours past the ship-by.
OVERDUE = _model(days_overdue=24.0, intercept=-2.0)


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        (None, local(2026, 10, 7, 8, 0)),  # crosses at 01:59:59, at night: the 08:00 tick
        (local(2026, 10, 7, 8, 0, 0), None),  # contact strictly before ``until``
        (local(2026, 10, 7, 8, 0, 1), local(2026, 10, 7, 8, 0)),
    ],
)
def test_the_first_contact_is_the_first_tick_over_the_line(
    until: dt.datetime | None, expected: dt.datetime | None
) -> None:
    got = first_contact(_order(), DUE, OVERDUE, SETTINGS, SH, until)
    assert (got.at if got else None) == expected
    if got is not None:
        assert got.probability > 0.5
        assert got.features["days_overdue"] == pytest.approx((ts(expected) - ts(DUE)) / 86_400,
                                                             abs=1e-4)  # fmt: skip


def test_a_pickup_before_the_line_means_no_contact_and_a_later_scan_changes_nothing() -> None:
    picked = _order((local(2026, 10, 7, 1, 0), "picked_up"))
    assert first_contact(picked, DUE, OVERDUE, SETTINGS, SH) is None
    late = _order((local(2026, 10, 7, 9, 30), "picked_up"))  # after the 08:00 contact
    got = first_contact(late, DUE, OVERDUE, SETTINGS, SH)
    assert got is not None
    assert got.at == local(2026, 10, 7, 8, 0)


def test_a_stall_is_found_half_a_day_after_the_last_scan() -> None:
    model = _model(days_stalled=48.0, intercept=-1.0)  # over the line 30 min into the stall
    order = _order((local(2026, 10, 5, 14, 0), "picked_up"), (local(2026, 10, 5, 20, 0), "at_hub"))
    got = first_contact(order, DUE, model, SETTINGS, SH)
    # 20:00 + 12 h = 08:00 next day; + 30 min = 08:30 → the 09:00 tick
    assert got is not None
    assert got.at == local(2026, 10, 6, 9, 0)
    # Picked up at 14:00 with no scan after: stalled from 02:00, over the line at 02:30, at
    # night: the 08:00 tick; delivered at 07:45, nobody is reached.
    delivered = _order((local(2026, 10, 5, 14, 0), "picked_up"),
                       delivered=local(2026, 10, 6, 7, 45))  # fmt: skip
    assert first_contact(delivered, DUE, model, SETTINGS, SH) is None


def test_an_unpaid_order_is_never_contacted() -> None:
    s = OrderState(order_id="O2")
    assert first_contact(s, DUE, OVERDUE, SETTINGS, SH) is None


_HOURS = st.integers(min_value=1, max_value=24 * 12)


@given(
    scans=st.lists(_HOURS, max_size=6, unique=True),
    deliver=st.one_of(st.none(), _HOURS),
    request=st.one_of(st.none(), st.tuples(_HOURS, st.one_of(st.none(), _HOURS))),
)
def test_closed_form_matches_scoring_every_tick(
    scans: list[int], deliver: int | None, request: tuple[int, int | None] | None
) -> None:
    """The closed form per interval finds exactly the first tick a brute-force scan finds."""
    statuses = ("picked_up", "at_hub", "in_transit", "exception")
    found = [(PAID + dt.timedelta(hours=h, minutes=7), statuses[i % 4])
             for i, h in enumerate(sorted(scans))]  # fmt: skip
    signed = None if deliver is None else PAID + dt.timedelta(hours=deliver)
    order = _order(*found, delivered=signed)
    if request is not None:
        from anxin.domain.order import AfterSale

        asked, closed = request
        a = AfterSale("A1", "refund_only", "not_received", PAID + dt.timedelta(hours=asked), 100,
                      "CNY")  # fmt: skip
        if closed is not None:
            a.resolved_at = a.requested_at + dt.timedelta(hours=closed)
        order.aftersales = [a]
    model = packaged_model()
    settings = msgspec.structs.replace(SETTINGS, min_probability=0.08)
    got = first_contact(order, DUE, model, settings, SH)
    w = watched(order, DUE, settings.watch_days)
    assert w is not None
    ticks = _Ticks(settings, SH)
    t, brute = ticks.first_at_or_after(w.paid), None
    line = math.log(0.08 / 0.92)
    while t < w.end:
        if model.log_odds(features(w, t)[0]) >= line - 1e-9:
            brute = t
            break
        t = ticks.first_at_or_after(t + 1)
    assert (ts(got.at) if got else None) == brute


def test_the_packaged_model_has_anxins_features_and_says_how_it_was_trained() -> None:
    m = packaged_model()
    assert m.features == FEATURES
    assert m.version
    assert m.trained_on["held_out_auc"] > 0.8  # as measured when it was trained
    # An overdue unshipped order is riskier than one a day before its ship-by.
    w = watched(_order(), DUE, 15)
    assert w is not None
    before, after = ts(DUE) - 86_400, ts(DUE) + 3 * 3600
    assert m.probability(features(w, after)[0]) > m.probability(features(w, before)[0])


def _help(order: str, hour: int, asked: bool = True) -> HelpTruth:
    return HelpTruth(order_id=order, merchant_id="M1", channel="chat",
                     at=PAID + dt.timedelta(hours=hour), asked=asked)  # fmt: skip


def test_compare_counts_reach_before_the_ask_and_requests_per_thousand() -> None:
    without = [_help("A", 10), _help("B", 20), _help("C", 30), _help("D", 40)]
    with_ = [_help("A", 10, False), _help("B", 20), _help("C", 30, False), _help("D", 40)]
    contacts = {
        "A": ts(PAID) + 9 * 3600,  # before its ask: reached
        "B": ts(PAID) + 20 * 3600,  # at its ask: too late
        "C": ts(PAID) + 1,  # reached
        "Z": ts(PAID),  # someone who would never have asked
    }
    got = compare(without, with_, contacts, orders=2_000)
    assert got["reach"] == 0.5
    assert got["help_requests_per_1000_without"] == 2.0
    assert got["help_requests_per_1000_with"] == 1.0
    assert got["reduction"] == 0.5
    assert got["messages_per_1000"] == 2.0
    assert got["precision"] == 0.5  # two of the four messages reached someone before they asked


def test_the_pack_carries_the_schedule() -> None:
    from anxin.application import load_policy
    from anxin.service.outreach import settings_of

    s = settings_of(load_policy("douyin").latest)
    assert s.every_minutes == 60
    assert s.send_hours == ("08:00", "22:00")
    assert 0 < s.min_probability < 1
    assert s.help_topics


def test_settings_refuse_a_schedule_that_does_not_divide_a_day() -> None:
    with pytest.raises(ValueError, match="every_minutes"):
        ProactiveSettings(min_probability=0.1, every_minutes=7).check("CNY")
    with pytest.raises(ValueError, match="send_hours"):
        ProactiveSettings(min_probability=0.1, send_hours=("22:00", "08:00")).check("CNY")


@pytest.mark.parametrize(
    ("scans", "until_hours", "situation", "zh", "en"),
    [
        ((), 40, "overdue", "已超过商家承诺的发货时间", "past the merchant's promised ship-by"),
        ((), 20, "not_shipped", "还未发货", "has not shipped yet"),
        (
            ((2, "picked_up", "【济南】快件已揽收"),),
            40,
            "stalled",
            "快件已揽收",
            "no new scan for",
        ),
        (
            ((2, "exception", "快件异常，联系不上收件人"),),
            10,
            "exception",
            "快件异常",
            "held up by an incident",
        ),
    ],
)
def test_the_message_says_the_situation_in_both_languages(
    scans: tuple[tuple[int, str, str], ...], until_hours: int, situation: str, zh: str, en: str
) -> None:
    from anxin.domain.money import Money
    from anxin.service.proactive import Contact
    from anxin.service.proactive_run import message_text
    from anxin.service.proactive_run import situation as situation_of

    order = _order()
    if scans:
        order.parcels = [Parcel("S1", "SF", "SF1", PAID, scans=[
            Scan(PAID + dt.timedelta(hours=h), f"s{h}", text=text, status=status)
            for h, status, text in scans])]  # fmt: skip
    at = PAID + dt.timedelta(hours=until_hours)
    w = watched(order, DUE, 15)
    assert w is not None
    x = dict(zip(FEATURES, features(w, ts(at))[0], strict=True))
    c = Contact("O1", at, 0.5, x)
    assert situation_of(c) == situation
    text = message_text(order, c, DUE, Money(300, "CNY"), SH)
    assert zh in text.zh
    assert en in text.en
    assert "¥3.00" in text.zh
    assert "¥3.00" in text.en
    assert all(ord(ch) < 0x3000 for ch in text.en)  # no Chinese in the English message
