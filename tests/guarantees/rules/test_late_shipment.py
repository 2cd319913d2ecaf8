"""Late shipment: the binding promise, breach boundaries, payouts, and timer/event agreement.

Pure tests drive the rule object with an ``OrderState`` folded from contract events, the way the
engine does (fold first, then ask the rule); a few go through ``Engine(MemoryStore(), ...)``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from anxin.application import rule_schemas
from anxin.clock import FixedClock, from_us, to_us
from anxin.contract import events as ev
from anxin.domain import ledger
from anxin.domain import order as order_fold
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import CancelDeadline, Decision, Effect, OutboxMessage, ScheduleDeadline
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState
from anxin.engine.memory import MemoryStore
from anxin.engine.processor import Engine
from anxin.guarantees.rules.late_shipment import LateShipment
from anxin.policy.pack import PolicyBook, parse_pack

CST = dt.timezone(dt.timedelta(hours=8))
SEC = dt.timedelta(seconds=1)
H48 = dt.timedelta(hours=48)
PAID = dt.datetime(2026, 9, 1, 10, 0, tzinfo=CST)  # a Tuesday, 2026-08-10 pack in force
DUE = dt.datetime(2026, 9, 2, 23, 59, 59, tzinfo=CST)  # next_day default for PAID
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)

# ---------------------------------------------------------------- building orders


def _promise(**kw: Any) -> ev.Promise:
    kw.setdefault("kind", "ship")
    kw.setdefault("source", "listing")
    return ev.Promise(**kw)


def _placed(
    oid: str,
    at: dt.datetime,
    amount: int,
    promises: list[ev.Promise] | None = None,
    presale: dt.datetime | None = None,
) -> ev.OrderPlaced:
    money = ev.Money(amount, "CNY")
    return ev.OrderPlaced(
        id=f"{oid}-placed",
        occurred_at=at - dt.timedelta(minutes=1),
        source="test",
        payload=ev.OrderPlacedPayload(
            order_id=oid,
            merchant_id="M1",
            consumer_id=f"C-{oid}",
            items=[ev.Item(sku="SKU", quantity=1, unit_price=money)],
            amount=money,
            promises=promises or [],
            presale_ship_by=presale,
        ),
    )


def _paid(oid: str, at: dt.datetime, amount: int) -> ev.OrderPaid:
    return ev.OrderPaid(
        id=f"{oid}-paid",
        occurred_at=at,
        source="test",
        payload=ev.OrderPaidPayload(order_id=oid, amount_paid=ev.Money(amount, "CNY")),
    )


def _ship(oid: str, at: dt.datetime) -> ev.ShipmentCreated:
    return ev.ShipmentCreated(
        id=f"{oid}-ship",
        occurred_at=at,
        source="test",
        payload=ev.ShipmentCreatedPayload(
            order_id=oid, shipment_id=f"{oid}-S", carrier="SF", tracking_number=f"SF-{oid}"
        ),
    )


def _scan(oid: str, at: dt.datetime, code: str = "10") -> ev.TrackingScanned:
    return ev.TrackingScanned(
        id=f"{oid}-scan-{code}",
        occurred_at=at,
        source="carrier",
        payload=ev.TrackingScanPayload(carrier="SF", tracking_number=f"SF-{oid}", code=code),
    )


def _cancel(oid: str, at: dt.datetime) -> ev.OrderCancelled:
    return ev.OrderCancelled(
        id=f"{oid}-cancel",
        occurred_at=at,
        source="test",
        payload=ev.OrderCancelledPayload(order_id=oid, by="consumer"),
    )


class Order:
    """One order fed to one rule the way the engine feeds it: fold, then ask."""

    def __init__(self, rule: LateShipment, book: PolicyBook, oid: str = "O1") -> None:
        self.rule, self.book, self.oid = rule, book, oid
        self.state = OrderState(oid)

    def apply(self, event: ev.Event) -> list[Effect]:
        """The rule's effects, less the clock housekeeping (a shipment cancels its clocks)."""
        order_fold.apply(self.state, event)
        effects = self.rule.on_event(self.state, event, self.book)
        return [e for e in effects if not isinstance(e, CancelDeadline)]

    def pay(
        self,
        at: dt.datetime = PAID,
        amount: int = 25_000,
        promises: list[ev.Promise] | None = None,
        presale: dt.datetime | None = None,
    ) -> list[ScheduleDeadline]:
        assert self.apply(_placed(self.oid, at, amount, promises, presale)) == []
        effects = self.apply(_paid(self.oid, at, amount))
        self.first = [e for e in effects if isinstance(e, ScheduleDeadline)]
        return self.first

    def judge(self, event: ev.Event) -> list[Effect]:
        """The fact arrives, then the clocks fire (as ``tick`` would): what gets decided."""
        self.apply(event)
        return self.fire_all(self.first)

    def fire(self, deadline: ScheduleDeadline) -> list[Effect]:
        return self.rule.on_deadline(self.state, _as_stored(deadline), self.book)

    def fire_all(self, first: list[ScheduleDeadline]) -> list[Effect]:
        """Fire each deadline and every deadline it schedules, as ``Engine.tick`` would."""
        effects: list[Effect] = []
        pending = list(first)
        while pending:
            fired = self.fire(pending.pop(0))
            effects += [e for e in fired if not isinstance(e, ScheduleDeadline)]
            pending += [e for e in fired if isinstance(e, ScheduleDeadline)]
        return effects


def _as_stored(d: ScheduleDeadline) -> DueDeadline:
    """What the store hands back: µs in UTC, data through JSON."""
    data = msgspec.json.decode(msgspec.json.encode(d.data))
    return DueDeadline(
        d.deadline_id, d.rule_id, d.aggregate_key, from_us(to_us(d.due_at)), d.pack,
        d.pack_version, data,
    )  # fmt: skip


def _decisions(effects: list[Effect]) -> list[Decision]:
    return [e for e in effects if isinstance(e, Decision)]


def _payouts(effects: list[Effect]) -> list[LedgerTransaction]:
    return [e for e in effects if isinstance(e, LedgerTransaction)]


def _outbox(effects: list[Effect]) -> list[OutboxMessage]:
    return [e for e in effects if isinstance(e, OutboxMessage)]


def _breached(effects: list[Effect]) -> list[int]:
    return sorted(int(d.decision_id.rsplit(":", 1)[1]) for d in _decisions(effects))


@pytest.fixture
def rule() -> LateShipment:
    return LateShipment()  # a fresh instance: no binding memo shared between tests


@pytest.fixture
def order(rule: LateShipment, book: PolicyBook) -> Order:
    return Order(rule, book)


# ---------------------------------------------------------------- the binding promise

BINDING: list[Any] = [
    pytest.param(PAID, {}, DUE, "default", id="default-next-day"),
    pytest.param(
        dt.datetime(2026, 9, 1, 16, 0, 0, tzinfo=CST),
        {"promises": [_promise(named="same_day")]},
        DUE,
        "listing",
        id="same-day-paid-exactly-at-cutoff-is-next-day",
    ),
    pytest.param(
        dt.datetime(2026, 9, 1, 15, 59, 59, tzinfo=CST),
        {"promises": [_promise(named="same_day")]},
        dt.datetime(2026, 9, 1, 23, 59, 59, tzinfo=CST),
        "listing",
        id="same-day-paid-one-second-before-cutoff",
    ),
    pytest.param(
        PAID,
        {"promises": [_promise(within_hours=48)]},
        dt.datetime(2026, 9, 3, 10, 0, tzinfo=CST),
        "listing",
        id="within-48-hours",
    ),
    pytest.param(
        PAID,
        {"promises": [_promise(source="chat", by=dt.datetime(2026, 9, 1, 20, 0, tzinfo=CST))]},
        dt.datetime(2026, 9, 1, 20, 0, tzinfo=CST),
        "chat",
        id="absolute-by",
    ),
    pytest.param(
        PAID,
        {"presale": dt.datetime(2026, 9, 15, 12, 0, tzinfo=CST)},
        dt.datetime(2026, 9, 15, 12, 0, tzinfo=CST),
        "presale",
        id="presale-date-binds-instead-of-default",
    ),
    pytest.param(
        PAID,
        {
            "promises": [
                _promise(within_hours=48),
                _promise(source="live_stream", within_hours=24),
                _promise(source="chat", named="next_day"),
            ],
            "presale": dt.datetime(2026, 9, 15, tzinfo=CST),
        },
        dt.datetime(2026, 9, 2, 10, 0, tzinfo=CST),
        "live_stream",
        id="shortest-of-several-binds",
    ),
    pytest.param(
        PAID,
        {
            "promises": [_promise(within_hours=72)],
            "presale": dt.datetime(2026, 9, 2, 8, 0, tzinfo=CST),
        },
        dt.datetime(2026, 9, 2, 8, 0, tzinfo=CST),
        "presale",
        id="presale-shorter-than-listing",
    ),
    pytest.param(
        dt.datetime(2026, 9, 1, 23, 30, tzinfo=dt.UTC),  # 2026-09-02 07:30 in Shanghai
        {},
        dt.datetime(2026, 9, 3, 23, 59, 59, tzinfo=CST),
        "default",
        id="utc-2330-is-next-local-day",
    ),
    pytest.param(
        dt.datetime(2026, 9, 1, 7, 59, 59, tzinfo=dt.UTC),  # 15:59:59 in Shanghai
        {"promises": [_promise(named="same_day")]},
        dt.datetime(2026, 9, 1, 23, 59, 59, tzinfo=CST),
        "listing",
        id="same-day-cutoff-in-local-time",
    ),
]


@pytest.mark.parametrize(("paid_at", "facts", "due", "source"), BINDING)
def test_binding_promise_sets_the_first_deadline(
    order: Order, paid_at: dt.datetime, facts: dict[str, Any], due: dt.datetime, source: str
) -> None:
    (deadline,) = order.pay(paid_at, **facts)  # one pending tier at a time
    assert deadline.deadline_id == "order:O1:late_shipment:0"
    assert deadline.aggregate_key == "order:O1"
    assert (deadline.pack, deadline.pack_version) == ("douyin", "2026-08-10")
    assert deadline.due_at == due
    assert deadline.due_at.utcoffset() == dt.timedelta(hours=8)  # in the calendar's zone
    assert deadline.data == {"tier": 0, "source": source}


def test_the_next_tier_is_scheduled_48_hours_later_when_a_tier_breaches(order: Order) -> None:
    (tier0,) = order.pay()
    fired = order.fire(tier0)
    (tier1,) = [e for e in fired if isinstance(e, ScheduleDeadline)]
    assert tier1.deadline_id == "order:O1:late_shipment:1"
    assert tier1.due_at == DUE + H48
    assert tier1.data == {"tier": 1, "source": "default"}
    assert [e for e in order.fire(tier1) if isinstance(e, ScheduleDeadline)] == []


# ---------------------------------------------------------------- breach boundaries

BOUNDARIES: list[Any] = [
    pytest.param(DUE - dt.timedelta(hours=1), [], id="before-due"),
    pytest.param(DUE, [], id="exactly-at-due"),
    pytest.param(DUE + SEC, [0], id="due-plus-1s"),
    pytest.param(DUE + H48, [0], id="exactly-due-plus-48h"),
    pytest.param(DUE + H48 + SEC, [0, 1], id="due-plus-48h-plus-1s"),
]


@pytest.mark.parametrize(("shipped", "tiers"), BOUNDARIES)
def test_shipment_click_boundaries(order: Order, shipped: dt.datetime, tiers: list[int]) -> None:
    first = order.pay()
    on_event = order.apply(_ship("O1", shipped))
    assert _breached(on_event) == []  # nothing is judged on arrival: the clocks judge
    assert _breached(order.fire_all(first)) == tiers  # the timer path, after the click arrived


@pytest.mark.parametrize(("scanned", "tiers"), BOUNDARIES)
def test_first_scan_is_the_shipped_time_and_wins_over_an_earlier_click(
    order: Order, scanned: dt.datetime, tiers: list[int]
) -> None:
    first = order.pay()
    assert order.apply(_ship("O1", DUE - dt.timedelta(hours=2))) == []  # clicked on time
    assert _breached(order.apply(_scan("O1", scanned))) == []  # judged when the clock fires
    assert order.state.shipped_at() == scanned
    assert order.apply(_scan("O1", scanned + dt.timedelta(hours=5), "20")) == []  # not the first
    assert _breached(order.fire_all(first)) == tiers


def test_never_shipped_breaches_every_tier_on_the_timer_path(order: Order) -> None:
    assert _breached(order.fire_all(order.pay())) == [0, 1]


# ---------------------------------------------------------------- payouts per promise class

# within_hours (None: the next_day default), amount paid, then in fen: tier-0 payout, tier-1
# top-up, and the tier-1 amount of the table (what the consumer holds in the end)
PAYOUTS: list[Any] = [
    pytest.param(None, 10_000, 0, 200, 200, id="le48h-tier1-min-2"),
    pytest.param(None, 25_000, 0, 300, 300, id="le48h-1pct-of-250.00-rounds-half-up-to-3"),
    pytest.param(None, 24_999, 0, 200, 200, id="le48h-1pct-of-249.99-rounds-down-to-2"),
    pytest.param(None, 1_000_000, 0, 5_000, 5_000, id="le48h-tier1-max-50"),
    pytest.param(48, 25_000, 0, 300, 300, id="le48h-exactly-48h-promise"),
    pytest.param(49, 25_000, 300, 500, 800, id="le240h-49h-half-up-both-tiers"),
    pytest.param(240, 5_000, 200, 100, 300, id="le240h-exactly-240h-mins-2-and-3"),
    pytest.param(72, 200_000, 2_000, 3_000, 5_000, id="le240h-tier1-max-50-top-up-30"),
    pytest.param(72, 1_000_000, 5_000, 0, 5_000, id="le240h-both-capped-no-top-up"),
    pytest.param(241, 25_000, 300, 1_000, 1_300, id="gt240h-241h-min-3-then-13"),
    pytest.param(300, 5_000, 300, 200, 500, id="gt240h-mins-3-and-5"),
    pytest.param(300, 100_000, 1_000, 4_000, 5_000, id="gt240h-tier1-max-50"),
]


@pytest.mark.parametrize(("hours", "amount", "tier0", "tier1", "owed"), PAYOUTS)
def test_payout_table(
    order: Order, hours: int | None, amount: int, tier0: int, tier1: int, owed: int
) -> None:
    promises = [_promise(within_hours=hours)] if hours is not None else None
    first = order.pay(amount=amount, promises=promises)
    due0 = first[0].due_at
    effects = order.fire_all(first)

    decisions = {d.decision_id: d for d in _decisions(effects)}
    assert [(d.kind, d.outcome["payout"]["amount"]) for d in decisions.values()] == [
        ("breach", tier0),
        ("breach", tier1),
    ]
    expected = {0: tier0, 1: tier1}
    payouts = {t.key: t for t in _payouts(effects)}
    assert set(payouts) == {
        f"payout:order:O1:late_shipment:{tier}" for tier, paid in expected.items() if paid > 0
    }
    for tier, paid in expected.items():
        txn = payouts.get(f"payout:order:O1:late_shipment:{tier}")
        if txn is None:
            continue
        assert txn.occurred_at == due0 + tier * H48
        assert txn.reason == f"late_shipment.tier{tier}"
        assert sorted((p.account, p.amount.amount) for p in txn.postings) == sorted(
            [(ledger.merchant_deposit("M1"), -paid), (ledger.consumer("C-O1"), paid)]
        )
    # tier 1 tops up tier 0: the consumer ends up with exactly the tier-1 amount
    assert owed == sum(
        p.amount.amount for t in payouts.values() for p in t.postings if p.amount.amount > 0
    )
    messages = {m.message_id: m for m in _outbox(effects)}
    assert set(messages) == {"task:order:O1:late_shipment:0"} | {
        f"compensation:order:O1:late_shipment:{tier}" for tier, paid in expected.items() if paid
    }
    assert messages["task:order:O1:late_shipment:0"].topic == "merchant.task"
    for tier, paid in expected.items():
        if paid:
            body = messages[f"compensation:order:O1:late_shipment:{tier}"].body
            assert body["amount"] == {"amount": paid, "currency": "CNY"}
            assert body["paid_as"] == "coupon"


# ---------------------------------------------------------------- timer and event paths agree


def _by_id(effects: list[Effect]) -> dict[str, Effect]:
    out: dict[str, Effect] = {}
    for e in effects:
        if isinstance(e, Decision):
            out[e.decision_id] = e
        elif isinstance(e, LedgerTransaction):
            out[e.key] = e
        elif isinstance(e, OutboxMessage):
            out[e.message_id] = e
    return out


@pytest.mark.parametrize(
    ("hours", "shipped"),
    [
        pytest.param(None, DUE + H48 + SEC, id="le48h-both-tiers"),
        pytest.param(72, dt.datetime(2026, 9, 4, 10, 0, 1, tzinfo=CST), id="le240h-tier0"),
        pytest.param(300, dt.datetime(2026, 9, 16, tzinfo=CST), id="gt240h-both-tiers"),
    ],
)
def test_timer_and_event_paths_build_identical_effects(
    rule: LateShipment, book: PolicyBook, hours: int | None, shipped: dt.datetime
) -> None:
    promises = [_promise(within_hours=hours)] if hours is not None else None
    timer = Order(rule, book, "O7")
    timer_effects = timer.fire_all(timer.pay(amount=12_345, promises=promises))
    event = Order(LateShipment(), book, "O7")
    event.pay(amount=12_345, promises=promises)
    event_effects = event.judge(_ship("O7", shipped))

    breached = _breached(event_effects)
    assert breached  # the rows are all late
    timer_ids = {k: v for k, v in _by_id(timer_effects).items() if int(k[-1]) in breached}
    event_ids = _by_id(event_effects)
    assert timer_ids.keys() == event_ids.keys()
    for key, effect in event_ids.items():
        assert timer_ids[key] == effect, key  # same ids, amounts, instants, explanations
    for txn in _payouts(event_effects):
        assert txn.fingerprint() == timer_ids[txn.key].fingerprint()  # type: ignore[union-attr]


def test_timer_and_event_paths_store_byte_identical_decisions(
    rule: LateShipment, book: PolicyBook
) -> None:
    timer = Order(rule, book, "O8")
    timer_decisions = _decisions(timer.fire_all(timer.pay()))
    event = Order(LateShipment(), book, "O8")
    event.pay()
    event_decisions = _decisions(event.judge(_ship("O8", DUE + H48 + SEC)))
    encode = msgspec.json.encode
    assert [encode(d) for d in timer_decisions] == [encode(d) for d in event_decisions]


# ---------------------------------------------------------------- nothing to judge

CANCELLED: list[Any] = [
    pytest.param(DUE - dt.timedelta(hours=1), [], id="cancelled-before-due"),
    pytest.param(DUE, [], id="cancelled-exactly-at-due"),
    pytest.param(DUE + SEC, [0], id="cancelled-1s-after-due"),
    pytest.param(DUE + H48 + SEC, [0, 1], id="cancelled-after-tier1-due"),
]


@pytest.mark.parametrize(("cancelled", "tiers"), CANCELLED)
def test_cancellation(order: Order, cancelled: dt.datetime, tiers: list[int]) -> None:
    first = order.pay()
    assert order.apply(_cancel("O1", cancelled)) == []
    assert _breached(order.fire_all(first)) == tiers


def test_shipped_before_due_leaves_nothing_at_the_deadline(order: Order) -> None:
    (tier0,) = order.pay()
    assert order.apply(_ship("O1", DUE - SEC)) == []
    assert order.fire(tier0) == []  # no decision and no next tier


@pytest.mark.parametrize(
    "paid_at",
    [
        pytest.param(dt.datetime(2020, 6, 1, 10, tzinfo=CST), id="paid-in-2020"),
        pytest.param(dt.datetime(2025, 9, 29, tzinfo=CST) - SEC, id="one-second-before-first"),
    ],
)
def test_no_pack_in_force_at_payment_means_no_rule(order: Order, paid_at: dt.datetime) -> None:
    assert order.pay(paid_at) == []
    assert order.apply(_ship("O1", paid_at + dt.timedelta(days=30))) == []


def test_payment_exactly_when_the_first_version_starts(order: Order) -> None:
    (deadline,) = order.pay(dt.datetime(2025, 9, 29, tzinfo=CST))
    assert deadline.pack_version == "2025-09-29"


def test_shipment_without_payment_is_ignored(order: Order) -> None:
    assert order.apply(_placed("O1", PAID, 25_000)) == []
    assert order.apply(_ship("O1", DUE + H48 + SEC)) == []


# ---------------------------------------------------------------- exemption periods


def _book_with_exemption(book: PolicyBook, start: dt.datetime, end: dt.datetime) -> PolicyBook:
    document = copy.deepcopy(dict(book.latest.document))
    document["calendar"]["exemptions"] = [{"name": "台风", "start": start, "end": end}]
    return PolicyBook([parse_pack(document, "exempt.yaml", rule_schemas())])


EXEMPTIONS: list[Any] = [
    pytest.param(DUE - dt.timedelta(hours=1), DUE + dt.timedelta(hours=1), "exempt", id="covers"),
    pytest.param(DUE, DUE + dt.timedelta(hours=1), "exempt", id="starts-exactly-at-due"),
    pytest.param(DUE - dt.timedelta(hours=1), DUE, "breach", id="ends-exactly-at-due"),
    pytest.param(DUE + SEC, DUE + dt.timedelta(hours=1), "breach", id="starts-1s-after-due"),
]


@pytest.mark.parametrize(("start", "end", "kind"), EXEMPTIONS)
def test_exemption_period_covering_the_due(
    rule: LateShipment, book: PolicyBook, start: dt.datetime, end: dt.datetime, kind: str
) -> None:
    exempt_book = _book_with_exemption(book, start, end)
    paid_at, promises = DUE - dt.timedelta(hours=72), [_promise(within_hours=72)]
    timer = Order(rule, exempt_book, "OX")
    (tier0,) = timer.pay(paid_at, promises=promises)
    assert tier0.due_at == DUE
    event = Order(LateShipment(), exempt_book, "OX")
    event.pay(paid_at, promises=promises)
    timer_effects: list[Effect] = [
        e for e in timer.fire(tier0) if not isinstance(e, ScheduleDeadline)
    ]
    for effects in (timer_effects, event.judge(_ship("OX", DUE + SEC))):
        (decision,) = _decisions(effects)
        assert decision.kind == kind
        if kind == "exempt":
            assert decision.outcome == {"exemption": "台风", "source": "pack calendar"}
            assert _payouts(effects) == []
            assert _outbox(effects) == []
        else:
            assert len(_payouts(effects)) == 1


def test_exempt_tier0_then_breached_tier1_pays_the_whole_tier1_amount(
    rule: LateShipment, book: PolicyBook
) -> None:
    due = dt.datetime(2026, 9, 4, 10, 0, tzinfo=CST)  # PAID + 72 h
    exempt_book = _book_with_exemption(book, due - SEC, due + SEC)
    order = Order(rule, exempt_book)
    effects = order.fire_all(order.pay(promises=[_promise(within_hours=72)]))
    assert [d.kind for d in _decisions(effects)] == ["exempt", "breach"]
    assert sum(t.postings[1].amount.amount for t in _payouts(effects)) == 800


def test_binding_memo_does_not_leak_between_books(rule: LateShipment, book: PolicyBook) -> None:
    document = copy.deepcopy(dict(book.latest.document))
    document["pack"] = "othermarket"
    document["rules"]["late_shipment"]["default_promise"] = "same_day"
    other = PolicyBook([parse_pack(document, "other.yaml", rule_schemas())])
    same_day = dt.datetime(2026, 9, 1, 23, 59, 59, tzinfo=CST)
    assert Order(LateShipment(), other).pay()[0].due_at == same_day  # a fresh rule gets it right
    Order(rule, book).pay()  # douyin: next_day
    (deadline,) = Order(rule, other).pay()  # same order id, same version string
    assert deadline.due_at == same_day


# ---------------------------------------------------------------- through the engine


def _lines(*events: ev.Event) -> list[tuple[int | None, bytes]]:
    return [(i, msgspec.json.encode(e)) for i, e in enumerate(events, 1)]


def _merchant(deposit: int) -> ev.MerchantRegistered:
    return ev.MerchantRegistered(
        id="M1-reg",
        occurred_at=dt.datetime(2026, 8, 1, tzinfo=CST),
        source="test",
        payload=ev.MerchantPayload(merchant_id="M1", deposit=ev.Money(deposit, "CNY")),
    )


def _order_events(
    oid: str, amount: int, hours: int | None = None, *later: ev.Event
) -> Iterator[ev.Event]:
    promises = [_promise(within_hours=hours)] if hours is not None else None
    yield _placed(oid, PAID, amount, promises)
    yield _paid(oid, PAID, amount)
    yield from later


def test_engine_on_memory_store_pays_from_the_deposit(book: PolicyBook) -> None:
    store = MemoryStore()
    engine = Engine(store, book, FixedClock(NOW), rules=[LateShipment()])
    events = [
        _merchant(2_000_000),
        *_order_events("A", 25_000),  # never shipped: 0 + 3 yuan
        *_order_events("B", 200_000, 72, _ship("B", dt.datetime(2026, 9, 4, 10, 0, 1, tzinfo=CST))),
        *_order_events("C", 50_000, None, _ship("C", DUE)),  # on time
        *_order_events("D", 100_000, 300),  # never shipped: 10 + 40 yuan
        *_order_events("E", 100_000, None, _cancel("E", DUE - SEC)),
    ]
    report = engine.ingest(_lines(*events), "test")
    assert (report.accepted, report.rejected) == (len(events), 0)
    engine.tick(NOW)

    payouts = [t for t in store.ledger_transactions() if t.reason.startswith("late_shipment.")]
    paid = {t.key: t.postings[1].amount.amount for t in payouts}
    assert paid == {
        "payout:order:A:late_shipment:1": 300,
        "payout:order:B:late_shipment:0": 2_000,
        "payout:order:D:late_shipment:0": 1_000,
        "payout:order:D:late_shipment:1": 4_000,
    }
    total: Counter[str] = Counter()
    for _, _, currency, amount in store.ledger_entries():
        total[currency] += amount
    assert total == Counter({"CNY": 0})
    assert store.balance(ledger.merchant_deposit("M1"), "CNY") == 2_000_000 - 7_300
    assert store.balance(ledger.external(), "CNY") == -2_000_000
    assert store.balance(ledger.consumer("C-D"), "CNY") == 5_000

    decisions = {d.decision_id: d for d in store.decisions()}
    assert sorted(decisions) == [
        "order:A:late_shipment:0",
        "order:A:late_shipment:1",
        "order:B:late_shipment:0",
        "order:D:late_shipment:0",
        "order:D:late_shipment:1",
    ]
    for txn in payouts:
        assert txn.explanation["pack"] == "douyin"
        assert txn.explanation["version"] == "2026-08-10"
        decision = decisions[str(txn.explanation["decision_id"])]
        assert (decision.rule_id, decision.kind) == ("late_shipment", "breach")
        explanation = decision.explanation
        assert (explanation.rule_id, explanation.pack, explanation.pack_version) == (
            "late_shipment",
            "douyin",
            "2026-08-10",
        )
        assert decision.outcome["payout"]["amount"] == txn.postings[1].amount.amount
    compensation = [m for m in store.outbox() if m.topic == "consumer.compensation"]
    assert {m.body["reason"] for m in compensation} == {"late_shipment"}
    assert len(compensation) == len(payouts)
    assert {d.status for d in store.deadlines()} <= {"fired", "cancelled"}  # none left pending


def _rows(store: MemoryStore) -> tuple[Any, ...]:
    return (
        sorted(
            (d.decision_id, d.kind, to_us(d.decided_at), msgspec.json.encode(d.outcome))
            for d in store.decisions()
        ),
        Counter(store.ledger_entries()),
        sorted(
            (m.message_id, to_us(m.created_at), msgspec.json.encode(m.body)) for m in store.outbox()
        ),
    )


def test_engine_timer_first_and_event_first_land_on_the_same_rows(book: PolicyBook) -> None:
    due1 = PAID + dt.timedelta(hours=72) + H48
    late = _ship("L", due1 + SEC)
    events = [_merchant(100_000), *_order_events("L", 25_000, 72)]

    timer_first = MemoryStore()
    engine = Engine(timer_first, book, FixedClock(NOW), rules=[LateShipment()])
    engine.ingest(_lines(*events), "test")
    assert engine.tick(due1 - SEC).fired == 1  # tier 0 only; it schedules tier 1
    assert engine.tick(due1).fired == 1  # exactly at the tier-1 due
    report = engine.ingest(_lines(late), "test")
    assert report.ledger_conflicts == 0

    event_first = MemoryStore()
    engine = Engine(event_first, book, FixedClock(NOW), rules=[LateShipment()])
    report = engine.ingest(_lines(*events, late), "test")
    assert report.payouts == 1  # the deposit: lateness is judged when the clocks fire
    assert engine.tick(NOW).fired == 2  # tier 0, then the tier 1 it scheduled
    assert _rows(event_first) == _rows(timer_first)
