"""A small marketplace for the after-sales rights tests: contract events through a real engine
(the root's rules, an in-memory store) and what it recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from anxin.application import build_engine, load_policy, order_rules
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.domain.effects import Decision, OutboxMessage
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.engine.memory import MemoryStore

CST = dt.timezone(dt.timedelta(hours=8))
SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
FAR = dt.datetime(2027, 12, 1, tzinfo=dt.UTC)  # the engine refuses facts dated after its clock

Line = tuple[str, int, int, str]  # sku, unit price (minor units), quantity, category


class World:
    def __init__(self, pack: str = "douyin") -> None:
        self.store = MemoryStore()
        self.book = load_policy(pack)
        self.engine = build_engine(self.store, self.book, FixedClock(FAR))
        self.currency = self.book.latest.currency

    def feed(self, *events: ev.Event) -> None:
        lines = [msgspec.json.encode(e) for e in events]
        report = self.engine.ingest(list(enumerate(lines)), "test")
        assert report.rejected == 0

    def state(self, oid: str = "O1") -> OrderState:
        return self.store.orders()[oid]

    def decisions(self, rule_id: str, oid: str = "O1") -> list[Decision]:
        return [
            d
            for d in self.store.decisions()
            if d.rule_id == rule_id and d.aggregate_key == f"order:{oid}"
        ]

    def outbox(self, topic: str) -> list[OutboxMessage]:
        return [m for m in self.store.outbox() if m.topic == topic]

    def paid_to(self, consumer: str = "C1") -> int:
        return self.store.balance(f"consumer:{consumer}", self.currency)

    def rights(self, rule_id: str, now: dt.datetime, oid: str = "O1") -> list[Right]:
        state = self.state(oid)
        rule = next(r for r in order_rules() if r.rule_id == rule_id)
        return rule.rights(state, self.book, now)

    def right(self, rule_id: str, now: dt.datetime, oid: str = "O1") -> Right:
        (found,) = self.rights(rule_id, now, oid)
        return found

    # ------------------------------------------------------------ events

    def money(self, amount: int) -> ev.Money:
        return ev.Money(amount, self.currency)

    def order(
        self,
        at: dt.datetime,
        paid: int = 10_000,
        *,
        oid: str = "O1",
        consumer: str = "C1",
        lines: Sequence[Line] = (),
        promises: Sequence[ev.Promise] = (),
    ) -> list[ev.Event]:
        items = [
            ev.Item(sku=s, quantity=q, unit_price=self.money(p), category=c) for s, p, q, c in lines
        ] or [ev.Item(sku="sku", quantity=1, unit_price=self.money(paid))]
        placed = ev.OrderPlacedPayload(
            order_id=oid,
            merchant_id="M1",
            consumer_id=consumer,
            items=items,
            amount=self.money(paid),
            promises=list(promises),
        )
        pay = ev.OrderPaidPayload(order_id=oid, amount_paid=self.money(paid))
        return [
            ev.OrderPlaced(id=f"{oid}-p", occurred_at=at, source="t", payload=placed),
            ev.OrderPaid(id=f"{oid}-$", occurred_at=at, source="t", payload=pay),
        ]

    @staticmethod
    def ship(at: dt.datetime, *, oid: str = "O1") -> ev.Event:
        payload = ev.ShipmentCreatedPayload(
            order_id=oid, shipment_id="S1", carrier="SF", tracking_number=f"SF-{oid}"
        )
        return ev.ShipmentCreated(id=f"{oid}-s", occurred_at=at, source="t", payload=payload)

    @staticmethod
    def sign(at: dt.datetime, *, oid: str = "O1") -> ev.Event:
        payload = ev.TrackingScanPayload(carrier="SF", tracking_number=f"SF-{oid}", text="已签收")
        return ev.TrackingScanned(id=f"{oid}-k", occurred_at=at, source="sf", payload=payload)

    def request(
        self,
        at: dt.datetime,
        kind: str = "return_refund",
        reason: str = "no_reason",
        *,
        oid: str = "O1",
        aid: str = "A1",
        amount: int = 10_000,
        skus: Sequence[str] = (),
        damaged_percent: int | None = None,
    ) -> ev.Event:
        payload = ev.AfterSaleRequestedPayload(
            aftersale_id=aid,
            order_id=oid,
            kind=kind,  # type: ignore[arg-type]
            reason=reason,
            amount=self.money(amount),
            skus=list(skus),
            damaged_percent=damaged_percent,
        )
        return ev.AfterSaleRequested(
            id=f"{oid}-r-{aid}", occurred_at=at, source="t", payload=payload
        )

    def return_shipped(
        self,
        at: dt.datetime,
        *,
        oid: str = "O1",
        aid: str = "A1",
        tracking: str = "YT1",
        freight: int | None = None,
        parcel_class: str = "small",
    ) -> ev.Event:
        payload = ev.ReturnShippedPayload(
            aftersale_id=aid,
            order_id=oid,
            carrier="YT",
            tracking_number=tracking,
            freight=None if freight is None else self.money(freight),
            parcel_class=parcel_class,  # type: ignore[arg-type]
        )
        return ev.ReturnShipped(id=f"{oid}-rs-{aid}", occurred_at=at, source="t", payload=payload)

    def resolved(
        self,
        at: dt.datetime,
        outcome: str = "refunded",
        *,
        oid: str = "O1",
        aid: str = "A1",
        decided_by: str = "merchant",
        refund: int | None = None,
    ) -> ev.Event:
        payload = ev.AfterSaleResolvedPayload(
            aftersale_id=aid,
            order_id=oid,
            outcome=outcome,  # type: ignore[arg-type]
            decided_by=decided_by,  # type: ignore[arg-type]
            refund=None if refund is None else self.money(refund),
        )
        return ev.AfterSaleResolved(
            id=f"{oid}-z-{aid}", occurred_at=at, source="t", payload=payload
        )
