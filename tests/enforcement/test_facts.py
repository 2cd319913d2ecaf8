"""What the enforcement counters read from real order states and chat events (through the
engine on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.domain.order import OrderState, decode_state
from anxin.enforcement.project import merchant_days
from anxin.enforcement.run import config_of
from anxin.guarantees.rules.late_shipment import binding_at_payment
from anxin.store import schema as t
from anxin.store.sql import SqlStore
from tests.aftersales.world import FAR, HOUR, Events

BOOK = load_policy("douyin")
ZONE = BOOK.latest.calendar.zone
CONFIG = config_of(BOOK.latest)
PAID = dt.datetime(2026, 9, 7, 10, tzinfo=ZONE)  # a Monday


def _cancel(order_id: str, at: dt.datetime, by: str, reason: str) -> ev.Event:
    return ev.OrderCancelled(
        id=f"{order_id}:cancel",
        occurred_at=at,
        source="t",
        payload=ev.OrderCancelledPayload(order_id=order_id, by=by, reason=reason),
    )


def _chat(cid: str, n: int, at: dt.datetime, sender: str) -> ev.Event:
    return ev.ChatMessage(
        id=f"{cid}:{n}",
        occurred_at=at,
        source="t",
        payload=ev.ChatMessagePayload(
            conversation_id=cid,
            message_id=f"{n}",
            merchant_id="M1",
            consumer_id="C1",
            sender=sender,
            text="在吗",
        ),
    )


def test_counters_from_orders_cases_and_chats(sql_engine: sa.Engine) -> None:
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(FAR))
    events: list[ev.Event] = []
    events += Events("ON-TIME").order(PAID)
    events += Events("NEVER").order(PAID, shipped=False)
    oos = Events("OOS")
    events += oos.order(PAID, shipped=False)
    events.append(_cancel("OOS", PAID + 60 * HOUR, "merchant", "out_of_stock"))
    events += Events("EARLY").order(PAID, shipped=False)
    events.append(_cancel("EARLY", PAID + HOUR, "consumer", "changed_mind"))
    # A refusal the platform overturned; the ticket answered in time by nobody.
    bad = Events("REFUSED")
    events += bad.order(PAID)
    asked = PAID + 50 * HOUR
    events += [
        bad.requested("A1", asked),
        bad.responded("A1", asked + HOUR, "refuse"),
        bad.escalated("A1", asked + 2 * HOUR),
        bad.resolved("A1", asked + 50 * HOUR, "refunded", "platform", refund=10_000),
    ]
    # A refusal the platform upheld; the ticket answered 3 hours after the escalation.
    fair = Events("FAIR")
    events += fair.order(PAID)
    events += [
        fair.requested("A2", asked),
        fair.responded("A2", asked + HOUR, "refuse"),
        fair.escalated("A2", asked + 2 * HOUR),
        fair.responded("A2", asked + 5 * HOUR, "propose"),
        fair.resolved("A2", asked + 50 * HOUR, "refused", "platform"),
    ]
    chat_at = PAID + 2 * HOUR
    events += [
        _chat("K1", 1, chat_at, "consumer"),
        _chat("K1", 2, chat_at + dt.timedelta(seconds=60), "agent"),
        _chat("K1", 3, chat_at + HOUR, "consumer"),
        _chat("K2", 1, chat_at, "consumer"),
    ]
    engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(events)], "t")
    facts = merchant_days(sql_engine, BOOK, CONFIG, PAID + dt.timedelta(days=10))
    m = facts["M1"]
    due_day = (
        binding_at_payment(_state(sql_engine, "NEVER"), BOOK.latest).due_at.astimezone(ZONE).date()
    )
    paid_day = PAID.date()
    d = m.days[paid_day]
    assert (d.paid, d.shipped, d.out_of_stock) == (6, 3, 1)
    due = m.days[due_day]
    # Due: on time, never, the refused and the fair one (EARLY was called off, OOS admitted
    # after its due is late but no non-delivery).
    assert due.due == 5
    assert due.late == 2  # NEVER and OOS
    assert due.non_delivery == 1  # NEVER only
    answered = m.days[(asked + HOUR).astimezone(ZONE).date()]
    # Two answers that day, both refusals (one overturned); the evidence sent to the platform
    # after one answers its ticket, not the request.
    assert (answered.responses, answered.refusals, answered.unjustified) == (2, 2, 1)
    escalated = m.days[(asked + 2 * HOUR).astimezone(ZONE).date()]
    assert (escalated.tickets, escalated.tickets_overdue) == (2, 1)
    chats = m.days[paid_day]
    assert (chats.rounds, chats.response_seconds) == (1, 60)  # answered rounds only
    assert (chats.sessions, chats.unanswered) == (2, 1)
    # The late orders stay outstanding for a cure until picked up or called off.
    assert sorted(end is None for _, end in m.overdue) == [False, True]


def _state(sql: sa.Engine, order_id: str) -> OrderState:
    with sql.connect() as conn:
        raw = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
        ).scalar_one()
    return decode_state(raw)
