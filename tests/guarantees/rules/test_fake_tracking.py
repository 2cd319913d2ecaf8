"""Fake-tracking signs, exemptions and promotion funding on the logistics rule (pack douyin).

Each sign is dated when it became visible and judged when the parcel's watch fires: a tick one
second before that date finds nothing, a tick at it finds the sign (and pays the trajectory
anomaly family once an order: 25 % of 300.00 = 75 yuan, max 100).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anxin.contract import events as ev
from anxin.domain.address import same_place
from anxin.domain.effects import Decision, Effect
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import Clone, OrderState, OtherOrder, apply
from anxin.engine.processor import remember
from anxin.guarantees.rules.logistics import Logistics
from anxin.policy.pack import PolicyBook
from tests.guarantees.rules.clock import tick_all

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
UPLOAD = PAID + dt.timedelta(hours=2)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)
RULE = Logistics()
STATUS = {
    "pick": ("picked_up", ""),
    "hub": ("at_hub", ""),
    "move": ("in_transit", ""),
    "sign": ("delivered", ""),
    "recall": ("returning", "recalled"),
}


def classify(carrier: str, code: str, text: str) -> tuple[str, str, str]:
    status, reason = STATUS.get(code, ("unknown", ""))
    return status, reason, "merchant" if reason else ""


def region(province: str, city: str = "") -> ev.Region:
    return ev.Region(country="CN", province=province, city=city)


class Scan:
    def __init__(
        self,
        code: str,
        at: dt.datetime,
        text: str = "",
        where: str = "",
        consignee: ev.Region | None = None,
    ) -> None:
        self.code, self.at, self.text, self.where, self.consignee = code, at, text, where, consignee


def events(
    scans: list[Scan], *, extra: list[ev.Event] = (), paid: dt.datetime = PAID
) -> list[ev.Event]:  # type: ignore[assignment]
    money = ev.Money(30000, "CNY")
    upload = paid + 2 * H
    out: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=paid, source="t", payload=ev.OrderPlacedPayload(
            order_id="O", merchant_id="M", consumer_id="C", amount=money,
            items=[ev.Item(sku="s", quantity=1, unit_price=money)],
            destination=region("上海", "上海"))),
        ev.OrderPaid(id="$", occurred_at=paid, source="t",
                     payload=ev.OrderPaidPayload(order_id="O", amount_paid=money)),
        ev.ShipmentCreated(id="ship", occurred_at=upload, source="t",
            payload=ev.ShipmentCreatedPayload(order_id="O", shipment_id="S", carrier="SF",
                tracking_number="SF1", origin=region("浙江"))),
        *extra,
    ]  # fmt: skip
    for i, s in enumerate(scans):
        payload = ev.TrackingScanPayload(
            carrier="SF",
            tracking_number="SF1",
            code=s.code,
            text=s.text or s.code,
            location=s.where,
            consignee=s.consignee,
        )
        out.append(
            ev.TrackingScanned(id=f"scan{i}", occurred_at=s.at, source="sf", payload=payload)
        )
    return out


def judge(
    evs: list[ev.Event], book: PolicyBook, now: dt.datetime | None, state: OrderState | None = None
) -> list[Effect]:
    """Fold the events as one batch, set the watch, then tick at ``now`` (None: the last fact's
    time, so clocks still running — a stall after the last scan — stay quiet)."""
    state = state or OrderState("O")
    out: list[Effect] = []
    for e in evs:
        apply(state, e, classify)
        if isinstance(e, RULE.event_types):
            out += remember(state, RULE.on_event(state, e, book))
    out += RULE.settle(state, book)
    if now is None:
        facts = [e.occurred_at for e in evs] + [s.at for p in state.parcels for s in p.scans]
        now = max(facts)
    return tick_all(RULE, state, out, book, now)


def signs(effects: list[Effect]) -> dict[str, Any]:
    return {
        e.decision_id.split(":")[3]: (e.kind, (e.outcome.get("payout") or {}).get("amount"))
        for e in effects
        if isinstance(e, Decision)
    }


PICK = UPLOAD + H
ROUTE = [Scan("pick", PICK), Scan("hub", PICK + H), Scan("move", PICK + 2 * H)]


def test_same_place_compares_what_both_addresses_name() -> None:
    assert same_place(region("上海", "上海"), region("上海"))
    assert same_place(region("上海"), region("上海", "上海"))
    assert not same_place(region("上海", "上海"), region("北京"))
    assert not same_place(region("浙江", "杭州"), region("浙江", "宁波"))
    assert not same_place(region("上海"), ev.Region(country="US"))


# ------------------------------------------------------------------ repeated identical nodes

REPEAT = [Scan("move", PICK + i * H, "运输中", "杭州") for i in (3, 4, 5)]


@pytest.mark.parametrize(
    ("scans", "now", "expected"),
    [
        pytest.param(ROUTE + REPEAT, PICK + 5 * H - S, {}, id="third-repeat-1s-before"),
        pytest.param(
            ROUTE + REPEAT, PICK + 5 * H, {"repeated_nodes": ("breach", 7500)}, id="at-third"
        ),
        pytest.param(ROUTE + REPEAT[:2], None, {}, id="two-repeats-only"),
        pytest.param(
            [*ROUTE, REPEAT[0], Scan("hub", PICK + 3 * H + 30 * 60 * S), *REPEAT[1:]],
            None,
            {},
            id="interrupted-run",
        ),
        pytest.param(
            ROUTE + [Scan("move", PICK + i * H, "运输中", f"站{i}") for i in (3, 4, 5)],
            None,
            {},
            id="same-text-other-places",
        ),
    ],
)
def test_repeated_identical_nodes(
    book: PolicyBook, scans: list[Scan], now: dt.datetime | None, expected: dict[str, Any]
) -> None:
    assert signs(judge(events(scans), book, now)) == expected


# ------------------------------------------------------------------ consignee mismatch

ELSEWHERE = Scan("move", PICK + 3 * H, consignee=region("北京", "北京"))


def changed_to(destination: ev.Region, at: dt.datetime = PAID + H) -> ev.Event:
    payload = ev.OrderAddressChangedPayload(order_id="O", destination=destination)
    return ev.OrderAddressChanged(id="addr", occurred_at=at, source="t", payload=payload)


@pytest.mark.parametrize(
    ("scans", "extra", "now", "expected"),
    [
        pytest.param([*ROUTE, ELSEWHERE], [], PICK + 3 * H - S, {}, id="1s-before"),
        pytest.param(
            [*ROUTE, ELSEWHERE],
            [],
            PICK + 3 * H,
            {"consignee_mismatch": ("breach", 7500)},
            id="other-city-at-its-scan",
        ),
        pytest.param(
            [*ROUTE, Scan("move", PICK + 3 * H, consignee=region("上海"))],
            [],
            None,
            {},
            id="same-province-no-city",
        ),
        pytest.param(
            [*ROUTE, ELSEWHERE],
            [changed_to(region("北京", "北京"))],
            None,
            {},
            id="address-changed",
        ),
    ],
)
def test_consignee_mismatch(
    book: PolicyBook,
    scans: list[Scan],
    extra: list[ev.Event],
    now: dt.datetime | None,
    expected: dict[str, Any],
) -> None:
    assert signs(judge(events(scans, extra=extra), book, now)) == expected


def test_an_address_change_moves_the_lane_class(book: PolicyBook) -> None:
    # 浙江 → 上海 is one cluster (48 h); changed to 广东 it is cross-province (72 h)
    stalled = [Scan("pick", PICK), Scan("hub", PICK + H), Scan("move", PICK + H + 60 * H)]
    assert "transit_stall" in signs(judge(events(stalled), book, None))
    moved = events(stalled, extra=[changed_to(region("广东", "广州"))])
    assert "transit_stall" not in signs(judge(moved, book, None))


# ------------------------------------------------------------------ unauthorised recall

RECALL = Scan("recall", PICK + 5 * H, "应寄件人要求拦截退回")


def aftersale(at: dt.datetime) -> ev.Event:
    payload = ev.AfterSaleRequestedPayload(
        aftersale_id="A", order_id="O", kind="refund_only", reason="不想要了",
        amount=ev.Money(30000, "CNY"),
    )  # fmt: skip
    return ev.AfterSaleRequested(id="as", occurred_at=at, source="t", payload=payload)


@pytest.mark.parametrize(
    ("extra", "now", "expected"),
    [
        pytest.param([], PICK + 5 * H - S, {}, id="1s-before-the-recall"),
        pytest.param([], PICK + 5 * H, {"unauthorised_recall": ("breach", 7500)}, id="no-consent"),
        pytest.param([aftersale(PICK + 5 * H)], None, {}, id="asked-exactly-then"),
        pytest.param(
            [aftersale(PICK + 5 * H + S)],
            None,
            {"unauthorised_recall": ("breach", 7500)},
            id="asked-1s-after",
        ),
    ],
)
def test_unauthorised_recall(
    book: PolicyBook, extra: list[ev.Event], now: dt.datetime | None, expected: dict[str, Any]
) -> None:
    assert signs(judge(events([*ROUTE, RECALL], extra=extra), book, now)) == expected


# ------------------------------------------------------------------ facts the engine folds in


def test_reused_number_for_another_consumers_address(book: PolicyBook) -> None:
    state = OrderState("O")
    evs = events(ROUTE)
    for e in evs[:3]:
        apply(state, e, classify)
    parcel = state.parcels[0]
    parcel.shared_with.append(OtherOrder("O0", "C0", region("北京", "北京")))
    found = signs(judge(evs[3:], book, UPLOAD, state))
    assert found == {"reused_number": ("breach", 7500)}
    # one consumer's orders shipped together, or the same address: no sign
    for other in (OtherOrder("O0", "C", region("北京")), OtherOrder("O0", "C0", region("上海"))):
        state = OrderState("O")
        for e in evs[:3]:
            apply(state, e, classify)
        state.parcels[0].shared_with.append(other)
        assert signs(judge(evs[3:], book, None, state)) == {}


def test_cloned_trace_is_judged_at_its_last_leg(book: PolicyBook) -> None:
    state = OrderState("O")
    evs = events([*ROUTE, Scan("sign", PICK + 9 * H)])
    for e in evs:
        apply(state, e, classify)
    state.parcels[0].cloned = Clone("O0", "SF", "SF0", PICK + 9 * H)
    assert signs(judge([], book, PICK + 9 * H - S, state)) == {}
    assert signs(judge([], book, PICK + 9 * H, state)) == {"cloned_trace": ("breach", 7500)}


def test_several_signs_pay_the_family_once(book: PolicyBook) -> None:
    scans = [Scan("pick", PAID - H), *ROUTE[1:], ELSEWHERE, RECALL]
    effects = judge(events(scans), book, None)
    assert signs(effects) == {
        "scan_before_payment": ("breach", 7500),
        "consignee_mismatch": ("breach", 0),
        "unauthorised_recall": ("breach", 0),
    }
    assert len([e for e in effects if isinstance(e, LedgerTransaction)]) == 1


# ------------------------------------------------------------------ exemptions, promotions


def exempted(reason: str) -> ev.Event:
    payload = ev.OrderExemptedPayload(order_id="O", reason=reason)  # type: ignore[arg-type]
    return ev.OrderExempted(id="x", occurred_at=PAID + H, source="risk", payload=payload)


@pytest.mark.parametrize(
    "reason", ["consumer_abuse", "non_consumer_purchase", "platform_stop_ship", "force_majeure"]
)
def test_an_exempted_order_records_breaches_without_paying(book: PolicyBook, reason: str) -> None:
    effects = judge(events([*ROUTE, RECALL], extra=[exempted(reason)]), book, None)
    (decision,) = [e for e in effects if isinstance(e, Decision)]
    assert decision.kind == "exempt"
    assert decision.outcome["exemption"] == reason
    assert decision.outcome["payout"]["amount"] == 0
    assert not [e for e in effects if isinstance(e, LedgerTransaction)]


@pytest.mark.parametrize(
    ("paid", "funder"),
    [
        pytest.param(PAID, "merchant:M:deposit", id="ordinary-day-merchant-pays"),
        pytest.param(
            dt.datetime(2026, 10, 25, 10, 0, tzinfo=CST), "carrier:SF", id="双11-carrier-pays"
        ),
    ],
)
def test_carriers_absorb_dispatch_timeouts_in_promotions(
    book: PolicyBook, paid: dt.datetime, funder: str
) -> None:
    pick = paid + 3 * H
    late_hub = [Scan("pick", pick), Scan("hub", pick + 30 * H)]  # no hub within 24 h
    effects = judge(events(late_hub, paid=paid), book, None)
    assert signs(effects) == {"dispatch_timeout": ("breach", 300)}
    (payout,) = [e for e in effects if isinstance(e, LedgerTransaction)]
    debit = next(p.account for p in payout.postings if p.amount.amount < 0)
    assert debit == funder


def test_the_hall_shows_genuine_tracking_per_parcel(book: PolicyBook) -> None:
    clean = OrderState("O")
    for e in events(ROUTE):
        apply(clean, e, classify)
    (right,) = [r for r in RULE.rights(clean, book, PICK) if r.right_id.startswith("genuine")]
    assert (right.right_id, right.status) == ("genuine_tracking", "in_force")
    recalled = OrderState("O")
    for e in events([*ROUTE, RECALL]):
        apply(recalled, e, classify)
    found = {
        r.right_id: (r.status, r.due_at)
        for r in RULE.rights(recalled, book, PICK + 5 * H)
        if r.right_id.startswith("genuine")
    }
    assert found == {"genuine_tracking.unauthorised_recall": ("breached", PICK + 5 * H)}


def test_the_hall_says_each_clock_in_words(book: PolicyBook) -> None:
    state = OrderState("O")
    for e in events(ROUTE):
        apply(state, e, classify)
    rights = {r.right_id: r for r in RULE.rights(state, book, PICK + 3 * H)}
    pickup = rights["pickup_timeout"]
    assert (pickup.status, pickup.kept_at) == ("kept", PICK)
    # A next-day promise (<= 48 h): the trajectory-timeout family pays 1 % of 300, min 3.
    assert pickup.title.en == (
        "Parcel SF1: picked up within 24 hours of the tracking upload, or you receive ¥3.00."
    )
    assert pickup.title.zh == "包裹SF1：上传运单号后24小时内揽收，否则赔付¥3.00。"
    assert pickup.explanation.en == "Picked up at 13:00:00 on 5 October, in time."
    stall = rights["transit_stall"]  # 浙江 → 上海: one region, 48 h
    assert (stall.status, stall.due_at) == ("in_force", PICK + 2 * H + 48 * H)
    assert stall.explanation.zh == "尚未更新物流，时限为10月7日15:00:00。"


def test_a_stall_at_an_earlier_node_stays_on_the_hall(book: PolicyBook) -> None:
    # Stuck 50 h at the hub (48 h allowed), then moving again: the latest clock is running, but
    # the right was broken at the hub and says so.
    moved = PICK + H + 50 * H
    route = [Scan("pick", PICK), Scan("hub", PICK + H), Scan("move", moved)]
    state = OrderState("O")
    for e in events(route):
        apply(state, e, classify)
    stall = next(r for r in RULE.rights(state, book, moved + H) if r.right_id == "transit_stall")
    assert (stall.status, stall.due_at) == ("breached", PICK + H + 48 * H)
    assert stall.explanation.en == "Updated at 16:00:00 on 7 October, 2 hours late."
