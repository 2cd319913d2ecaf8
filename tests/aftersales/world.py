"""An order and its after-sales events, run through a real engine (memory, SQLite or
PostgreSQL store), and what the after-sales rule recorded: decisions, ledger rows, messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.application import build_engine
from anxin.clock import FixedClock, from_us
from anxin.contract import events as ev
from anxin.engine.memory import MemoryStore
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore

HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
PAID = 10_000
FAR = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)  # the engine's clock: every event is in its past


class Events:
    """Builds one order's events (ids derived from content, so a builder call twice is a
    duplicate, as a redelivery is)."""

    def __init__(self, order_id: str = "O1", currency: str = "CNY", paid: int = PAID) -> None:
        self.order_id, self.currency, self.paid = order_id, currency, paid

    def _id(self, *parts: object) -> str:
        return ":".join([self.order_id, *(str(p) for p in parts)])

    def order(self, paid_at: dt.datetime, *, shipped: bool = True) -> list[ev.Event]:
        oid, money = self.order_id, ev.Money(self.paid, self.currency)
        item = ev.Item(sku="sku", quantity=1, unit_price=money)
        out: list[ev.Event] = [
            ev.OrderPlaced(id=self._id("placed"), occurred_at=paid_at, source="t",
                payload=ev.OrderPlacedPayload(order_id=oid, merchant_id="M1", consumer_id="C1",
                                              items=[item], amount=money)),
            ev.OrderPaid(id=self._id("paid"), occurred_at=paid_at, source="t",
                payload=ev.OrderPaidPayload(order_id=oid, amount_paid=money)),
        ]  # fmt: skip
        if shipped:
            at, number = paid_at + HOUR, f"SF-{oid}"
            out += [
                ev.ShipmentCreated(id=self._id("ship"), occurred_at=at, source="t",
                    payload=ev.ShipmentCreatedPayload(order_id=oid, shipment_id="S1",
                                                      carrier="SF", tracking_number=number)),
                ev.TrackingScanned(id=self._id("scan"), occurred_at=at, source="sf",
                    payload=ev.TrackingScanPayload(carrier="SF", tracking_number=number,
                                                   code="50", text="已揽收")),
            ]  # fmt: skip
        return out

    def requested(
        self, aid: str, at: dt.datetime, kind: Any = "refund_only", amount: int | None = None
    ) -> ev.Event:
        money = ev.Money(self.paid if amount is None else amount, self.currency)
        payload = ev.AfterSaleRequestedPayload(
            aftersale_id=aid, order_id=self.order_id, kind=kind, reason="quality", amount=money
        )
        return ev.AfterSaleRequested(
            id=self._id(aid, "req", kind, amount, at), occurred_at=at, source="t", payload=payload
        )

    def responded(self, aid: str, at: dt.datetime, decision: Any, by: Any = "merchant") -> ev.Event:
        payload = ev.AfterSaleRespondedPayload(
            aftersale_id=aid, order_id=self.order_id, by=by, decision=decision
        )
        return ev.AfterSaleResponded(
            id=self._id(aid, "resp", decision, by, at), occurred_at=at, source="t", payload=payload
        )

    def escalated(self, aid: str, at: dt.datetime, by: Any = "consumer") -> ev.Event:
        payload = ev.AfterSaleEscalatedPayload(aftersale_id=aid, order_id=self.order_id, by=by)
        return ev.AfterSaleEscalated(
            id=self._id(aid, "esc", by, at), occurred_at=at, source="t", payload=payload
        )

    def return_shipped(self, aid: str, at: dt.datetime) -> ev.Event:
        payload = ev.ReturnShippedPayload(
            aftersale_id=aid, order_id=self.order_id, carrier="SF", tracking_number=f"R-{aid}"
        )
        return ev.ReturnShipped(
            id=self._id(aid, "rship", at), occurred_at=at, source="t", payload=payload
        )

    def return_received(self, aid: str, at: dt.datetime) -> ev.Event:
        payload = ev.ReturnReceivedPayload(aftersale_id=aid, order_id=self.order_id)
        return ev.ReturnReceived(
            id=self._id(aid, "rrecv", at), occurred_at=at, source="t", payload=payload
        )

    def resolved(
        self,
        aid: str,
        at: dt.datetime,
        outcome: Any,
        decided_by: Any,
        refund: int | None = None,
        payer: Any = None,
    ) -> ev.Event:
        money = None if refund is None else ev.Money(refund, self.currency)
        payload = ev.AfterSaleResolvedPayload(
            aftersale_id=aid, order_id=self.order_id, outcome=outcome, decided_by=decided_by,
            refund=money, payer=payer,
        )  # fmt: skip
        return ev.AfterSaleResolved(
            id=self._id(aid, "res", outcome, decided_by, refund, payer, at),
            occurred_at=at,
            source="t",
            payload=payload,
        )


@dataclass(frozen=True)
class Outcome:
    """What the after-sales rule left in a store, comparable across stores and runs."""

    decisions: dict[str, tuple[str, dt.datetime, dict[str, Any]]]  # id → (kind, at, outcome)
    ledger: dict[str, tuple[tuple[str, str, int], ...]]  # txn key → sorted postings
    outbox: dict[str, tuple[str, dict[str, Any]]]  # message id → (topic, body)

    def kinds(self) -> dict[str, str]:
        return {i.rsplit(":", 1)[-1]: k for i, (k, _, _) in self.decisions.items()}

    def refunded(self, account: str = "consumer:C1") -> int:
        return sum(
            a for rows in self.ledger.values() for acc, _, a in rows if acc == account and a > 0
        )


def aftersales_only(decision_id: str) -> bool:
    return ":aftersales:" in decision_id


@contextmanager
def engine_on(
    store: str, book: PolicyBook, tmp: Any = None, url: str | None = None
) -> Iterator[Engine]:
    """An engine over a fresh store: ``memory``, ``sqlite`` (in ``tmp``) or an SQL ``url``."""
    if store == "memory":
        yield build_engine(MemoryStore(), book, FixedClock(FAR))
        return
    sql = make_engine(url or f"sqlite:///{tmp}/anxin.db")
    upgrade(sql)
    try:
        yield build_engine(SqlStore(sql), book, FixedClock(FAR))
    finally:
        sql.dispose()


def ingest(engine: Engine, events: Sequence[ev.Event]) -> None:
    lines = [msgspec.json.encode(e) for e in events]
    report = engine.ingest(list(enumerate(lines)), "test")
    assert report.rejected == 0, report


def outcome(engine: Engine) -> Outcome:
    store = engine.store
    if isinstance(store, MemoryStore):
        decisions = {
            d.decision_id: (d.kind, d.decided_at, _plain(d.outcome))
            for d in store.decisions()
            if aftersales_only(d.decision_id)
        }
        ledger: dict[str, list[tuple[str, str, int]]] = {}
        for key, account, currency, amount in store.ledger_entries():
            if key.startswith("refund:"):
                ledger.setdefault(key, []).append((account, currency, amount))
        outbox = {
            m.message_id: (m.topic, _plain(m.body))
            for m in store.outbox()
            if m.topic == "refund.granted"
        }
        return Outcome(decisions, {k: tuple(sorted(v)) for k, v in ledger.items()}, outbox)
    assert isinstance(store, SqlStore)
    return sql_outcome(store.engine)


def sql_outcome(sql: sa.Engine) -> Outcome:
    d, e, o = t.decisions.c, t.ledger_entries.c, t.outbox.c
    with sql.connect() as conn:
        decisions = {
            r.decision_id: (r.kind, from_us(r.decided_at_us), msgspec.json.decode(r.outcome))
            for r in conn.execute(sa.select(d.decision_id, d.kind, d.decided_at_us, d.outcome))
            if aftersales_only(r.decision_id)
        }
        ledger: dict[str, list[tuple[str, str, int]]] = {}
        for r in conn.execute(
            sa.select(e.txn_key, e.account, e.currency, e.amount).where(
                e.txn_key.startswith("refund:")
            )
        ):
            ledger.setdefault(r.txn_key, []).append((r.account, r.currency, int(r.amount)))
        outbox = {
            r.message_id: (r.topic, msgspec.json.decode(r.body))
            for r in conn.execute(
                sa.select(o.message_id, o.topic, o.body).where(o.topic == "refund.granted")
            )
        }
    return Outcome(decisions, {k: tuple(sorted(v)) for k, v in ledger.items()}, outbox)


def _plain(value: dict[str, Any]) -> dict[str, Any]:
    """As the SQL store gives it back (JSON round trip)."""
    decoded: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(value))
    return decoded
