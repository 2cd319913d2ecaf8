"""Rights in words: statuses from a deadline's facts, and the sentences a consumer reads."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from anxin.domain.money import Money
from anxin.domain.rights import (
    Decided,
    Paid,
    RecordedOutcome,
    Right,
    clock_status,
    clock_text,
    overlay,
    owner,
    recorded_text,
)
from anxin.domain.wording import Text, days, duration, hours, money, sentences, when

SH = ZoneInfo("Asia/Shanghai")
DUE = dt.datetime(2026, 3, 12, 23, 59, 59, tzinfo=SH)
S = dt.timedelta(seconds=1)
SHIPPED = Text("发货", "shipped")


@pytest.mark.parametrize(
    ("done_at", "now", "void_at", "exempt", "status"),
    [
        pytest.param(DUE - dt.timedelta(hours=5), DUE + S, None, False, "kept", id="kept-before"),
        pytest.param(DUE, DUE + S, None, False, "kept", id="kept-exactly-at-deadline"),
        pytest.param(DUE + S, DUE + S, None, False, "breached", id="done-one-second-late"),
        pytest.param(None, DUE, None, False, "in_force", id="running-at-deadline"),
        pytest.param(None, DUE + S, None, False, "breached", id="undone-one-second-after"),
        pytest.param(None, DUE + S, None, True, "exempt", id="undone-but-exempt"),
        pytest.param(DUE + S, DUE + S, None, True, "exempt", id="late-but-exempt"),
        pytest.param(DUE, DUE + S, None, True, "kept", id="kept-needs-no-exemption"),
        pytest.param(None, DUE + S, DUE, False, "expired", id="cancelled-at-deadline"),
        pytest.param(None, DUE + S, DUE + S, False, "breached", id="cancelled-after-breach"),
        pytest.param(DUE + S, DUE + S, DUE, False, "expired", id="cancelled-then-done-late"),
    ],
)
def test_clock_status(
    done_at: dt.datetime | None,
    now: dt.datetime,
    void_at: dt.datetime | None,
    exempt: bool,
    status: str,
) -> None:
    assert clock_status(DUE, done_at, now, void_at=void_at, exempt=exempt) == status


@pytest.mark.parametrize(
    ("status", "done_at", "zh", "en"),
    [
        ("kept", DUE - dt.timedelta(hours=2), "已于3月12日21:59:59发货，未超时。",
         "Shipped at 21:59:59 on 12 March, in time."),
        ("breached", DUE + dt.timedelta(days=1, hours=6, minutes=3),
         "于3月14日06:02:59发货，超时1天6小时。",
         "Shipped at 06:02:59 on 14 March, 1 day 6 hours late."),
        ("breached", DUE + S, "于3月13日00:00:00发货，超时1秒。",
         "Shipped at 00:00:00 on 13 March, 1 second late."),
        ("breached", None, "截至3月12日23:59:59仍未发货。", "Not shipped by 23:59:59 on 12 March."),
        ("in_force", None, "尚未发货，时限为3月12日23:59:59。",
         "Not shipped yet; the deadline is 23:59:59 on 12 March."),
        ("exempt", None, "截至3月12日23:59:59仍未发货。适用免责（不可抗力），不予赔付。",
         "Not shipped by 23:59:59 on 12 March. An exemption applies (force majeure): no payout."),
        ("expired", None, "订单在时限前已取消，本项保障不再适用。",
         "The order was cancelled before the deadline; this promise no longer applies."),
        ("pending", None, "订单付款后开始计时。", "The clock starts when the order is paid."),
    ],
)  # fmt: skip
def test_clock_text(status: str, done_at: dt.datetime | None, zh: str, en: str) -> None:
    text = clock_text(
        status,  # type: ignore[arg-type]
        due=DUE,
        done_at=done_at,
        done=SHIPPED,
        zone=SH,
        now=DUE,
        exemption=Text("不可抗力", "force majeure"),
    )
    assert (text.zh, text.en) == (zh, en)
    assert "day," not in text.en  # no timedelta str ("1 day, 0:00:00")


@pytest.mark.parametrize(
    ("span", "zh", "en"),
    [
        (dt.timedelta(days=1), "1天", "1 day"),
        (dt.timedelta(hours=48), "2天", "2 days"),
        (dt.timedelta(hours=30), "1天6小时", "1 day 6 hours"),
        (dt.timedelta(minutes=90), "1小时30分钟", "1 hour 30 minutes"),
        (dt.timedelta(seconds=1), "1秒", "1 second"),
        (dt.timedelta(0), "0秒", "0 seconds"),
        (dt.timedelta(days=365, seconds=5), "365天5秒", "365 days 5 seconds"),
    ],
)
def test_durations_are_words(span: dt.timedelta, zh: str, en: str) -> None:
    assert duration(span) == Text(zh, en)
    assert ":" not in duration(span).en


def test_duration_keeps_the_leading_units_asked_for() -> None:
    late = dt.timedelta(days=3, hours=18, minutes=7, seconds=18)
    assert duration(late, units=2) == Text("3天18小时", "3 days 18 hours")
    assert duration(dt.timedelta(seconds=1), units=2) == Text("1秒", "1 second")
    with pytest.raises(ValueError, match="negative"):
        duration(-S)


def test_published_thresholds_keep_their_unit() -> None:
    assert (hours(48), hours(1), days(365), days(1)) == (
        Text("48小时", "48 hours"),
        Text("1小时", "1 hour"),
        Text("365天", "365 days"),
        Text("1天", "1 day"),
    )


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (3500, "CNY", "¥35.00"),
        (5, "CNY", "¥0.05"),
        (123456789, "CNY", "¥1,234,567.89"),
        (-300, "CNY", "-¥3.00"),
        (1999, "USD", "$19.99"),
        (500, "JPY", "JP¥500"),
        (1234, "KWD", "1.234 KWD"),
    ],
)
def test_money_from_minor_units(amount: int, currency: str, text: str) -> None:
    assert money(Money(amount, currency)) == text


def test_instants_in_the_pack_zone_with_the_year_only_when_it_differs() -> None:
    utc = DUE.astimezone(dt.UTC)  # 15:59:59 UTC: the words are in the pack's zone
    assert when(utc, SH, DUE) == Text("3月12日23:59:59", "23:59:59 on 12 March")
    next_year = DUE + dt.timedelta(days=365)
    assert when(next_year, SH, DUE) == Text("2027年3月12日23:59:59", "23:59:59 on 12 March 2027")
    with pytest.raises(ValueError, match="timezone-aware"):
        when(dt.datetime(2026, 3, 12), SH, DUE)  # noqa: DTZ001 (naive on purpose: refused)


def test_sentences_join_in_each_language() -> None:
    one, two = Text("甲。", "One."), Text("乙。", "Two.")
    assert sentences(one, Text("", ""), two) == Text("甲。乙。", "One. Two.")


def right(prefix: str, status: str = "in_force") -> Right:
    return Right("r", "rule", "paid", Text("", ""), status, decision_prefix=prefix)  # type: ignore[arg-type]


def test_a_decision_belongs_to_the_longest_prefix_that_claims_it_whole() -> None:
    rights = [right("order:O:x:SF1"), right("order:O:x:SF1:2"), right("order:O:late:")]
    assert owner(rights, "order:O:x:SF1") == 0
    assert owner(rights, "order:O:x:SF1:episode-9") == 0
    assert owner(rights, "order:O:x:SF1:2:episode-9") == 1
    assert owner(rights, "order:O:x:SF12") is None  # a longer number is another parcel
    assert owner(rights, "order:O:late:0") == 2
    assert owner([right("")], "anything") is None


@pytest.mark.parametrize(
    ("kinds", "paid", "facts", "shown"),
    [
        (set(), 0, "kept", "kept"),
        ({"breach"}, 300, "kept", "compensated"),  # judged on the facts known then: it stands
        ({"breach"}, 0, "in_force", "breached"),
        ({"exempt"}, 0, "breached", "exempt"),
        ({"exempt", "breach"}, 0, "breached", "breached"),
    ],
)
def test_recorded_outcomes_beat_the_facts(
    kinds: set[str], paid: int, facts: str, shown: str
) -> None:
    recorded = RecordedOutcome(frozenset(kinds), paid, "CNY", ())
    assert overlay(right("p", facts), recorded if kinds or paid else None) == shown


def test_what_was_recorded_in_words() -> None:
    at = DUE + S
    paid = [Paid("payout:order:O:late:1", "order:O:late:1", Money(3500, "CNY"), at)]
    decided = [
        Decided("order:O:late:0", "breach", DUE, {"payout": {"amount": 0, "currency": "CNY"}}),
        Decided(
            "order:O:late:1",
            "breach",
            at,
            {
                "paid_as": "coupon",
                "payout": {"amount": 3500, "currency": "CNY"},
                "capped_by": {
                    "limit": {"amount": 50000, "currency": "CNY"},
                    "before": {"amount": 5000, "currency": "CNY"},
                },
            },
        ),
    ]
    text = recorded_text(decided, paid, SH, DUE)
    assert text.en == (
        "You were paid ¥35.00 at 00:00:00 on 13 March, as a no-threshold coupon."
        " A shared cap of ¥500.00 cut it from ¥50.00."
    )
    assert text.zh == (
        "已于3月13日00:00:00获赔¥35.00（无门槛优惠券）。受共同赔付上限¥500.00限制，原应赔¥50.00。"
    )
    unpaid = recorded_text(decided[:1], [], SH, DUE)
    assert unpaid.en == "Breach recorded at 23:59:59 on 12 March, with no payout."
    exempt = recorded_text(
        [Decided("d", "exempt", DUE, {"exemption": "force_majeure"})], [], SH, DUE
    )
    assert exempt == Text("免责（不可抗力），不予赔付。", "Exempt (force majeure): no payout.")
    refund = recorded_text([Decided("d", "breach", DUE, {"refund": "full"})], [], SH, DUE)
    assert refund == Text("订单已关闭并全额退款。", "The order was closed with a full refund.")
