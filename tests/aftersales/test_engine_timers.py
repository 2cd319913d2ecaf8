"""Every after-sales clock of every built-in pack (both Douyin versions, Tmall, Amazon) through
the engine: an act exactly at the deadline is on time, one second later the pack's timeout has
decided (a refund granted by the clock, a request lapsed, a refusal standing); the clock fires
at its deadline and not a second before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from anxin.aftersales.rule import RULE
from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.domain.order import OrderState
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook

from .world import HOUR, PAID, SECOND, Events, engine_on, ingest, outcome

CN = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DAY = dt.timedelta(days=1)
# A Monday 10:00 under each pack version (Douyin's first version ran until 2026-08-10).
T0 = {
    ("douyin", "2025-09-29"): dt.datetime(2025, 11, 24, 10, 0, tzinfo=CN),
    ("douyin", "2026-08-10"): dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN),
    ("tmall", "2026-04-09"): dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN),
    ("amazon", "2016-01-01"): dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
}
HOURS = {
    "merchant_response": 48,
    "consumer_ships_return": 168,
    "return_confirmation": 240,
    "escalation_window": 168,
}
# (pack, version, timer, start, due), the pack's numbers spelt out.
CASES = [
    (pack, version, timer, t0, t0 + hours * HOUR)
    for (pack, version), t0 in T0.items()
    for timer, hours in HOURS.items()
    if pack != "amazon" or timer in ("merchant_response", "consumer_ships_return")
] + [
    # 2 business days after a Friday afternoon receipt: the next Tuesday, same time (§4.6)
    ("amazon", "2016-01-01", "return_confirmation",
     dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC), dt.datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
    ("amazon", "2016-01-01", "escalation_window", T0[("amazon", "2016-01-01")],
     T0[("amazon", "2016-01-01")] + 90 * DAY),
]  # fmt: skip
IDS = [f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]


@pytest.fixture(scope="module")
def books() -> dict[str, PolicyBook]:
    return {name: load_policy(name) for name in ("douyin", "tmall", "amazon")}


def _events(
    pack: str, timer: str, start: dt.datetime, at: dt.datetime
) -> tuple[list[ev.Event], list[ev.Event]]:
    """The order with the facts that start ``timer`` at ``start``; and the act that meets it at
    ``at`` (then, for the consumer's return, what follows a return shipped in time)."""
    o = Events(currency="USD" if pack == "amazon" else "CNY")
    out = o.order(start - 10 * HOUR)
    if timer == "merchant_response":
        return [*out, o.requested("A", start)], [o.responded("A", at, "refuse")]
    if timer == "return_confirmation":
        return [
            *out,
            o.requested("A", start - 3 * HOUR, "return_refund"),
            o.responded("A", start - 2 * HOUR, "agree"),
            o.return_shipped("A", start - HOUR),
            o.return_received("A", start),
        ], [o.responded("A", at, "refuse")]
    if timer == "consumer_ships_return":
        return [
            *out,
            o.requested("A", start - HOUR, "return_refund"),
            o.responded("A", start, "agree"),
        ], [o.return_shipped("A", at), o.return_received("A", at + HOUR)]  # then silence
    return [  # escalation_window
        *out,
        o.requested("A", start - HOUR),
        o.responded("A", start, "refuse"),
    ], [o.escalated("A", at)]


def _state(engine: Engine) -> OrderState:
    with engine.store.transaction() as tx:
        return tx.load_orders({"O1"})["O1"]


@pytest.mark.parametrize("store", ["memory", "sqlite"])
@pytest.mark.parametrize(("pack", "version", "timer", "start", "due"), CASES, ids=IDS)
@pytest.mark.parametrize("late", [False, True], ids=["at-deadline", "one-second-late"])
def test_each_clock_at_its_deadline_and_one_second_after(
    books: dict[str, PolicyBook],
    tmp_path: Path,
    store: str,
    pack: str,
    version: str,
    timer: str,
    start: dt.datetime,
    due: dt.datetime,
    late: bool,
) -> None:
    book = books[pack]
    at = due + SECOND if late else due
    assert book.in_force(start).version == version
    setup, act = _events(pack, timer, start, at)
    with engine_on(store, book, tmp_path) as engine:
        ingest(engine, setup)
        state = _state(engine)
        # the case's clock as the hall shows it: running at the deadline, run out a second later
        (right,) = RULE.rights(state, book, due)
        assert (right.facts["clock"], right.due_at, right.status) == (timer, due, "in_force")
        (right,) = RULE.rights(state, book, due + SECOND)
        merchant = timer in ("merchant_response", "return_confirmation")
        assert right.status == ("breached" if merchant else "expired")
        ingest(engine, act)
        engine.tick(due - SECOND)
        assert outcome(engine).decisions == {}  # nothing runs out a second early
        engine.tick(at + 400 * DAY)
        got = outcome(engine)
        state = _state(engine)
    case = RULE.rights(state, book, at + 400 * DAY)[0].facts
    granted = got.decisions.get("order:O1:aftersales:A:granted")
    if timer in ("merchant_response", "return_confirmation"):
        # refused in time: the refusal stands; a second late: the pack approved at the deadline
        if late:
            assert granted is not None
            kind, decided_at, result = granted
            assert (kind, decided_at) == ("refund_granted", due)
            assert result["payout"]["amount"] == PAID
            assert case["state"] == "refunded"
        else:
            assert granted is None
            assert case["state"] == "closed"
    elif timer == "consumer_ships_return":
        # shipped in time: the merchant's silence on the received return then approves it
        assert (granted is not None) != late
        assert case["state"] == ("closed" if late else "refunded")
    else:
        assert granted is None
        assert case["state"] == ("closed" if late else "arbitration")
