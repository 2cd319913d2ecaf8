"""Rebuild the score's flat facts in the store from order states and the event log.

``rebuild`` replaces ``score_orders``, ``score_chats``, ``score_merchants`` and
``score_adjustments`` in one transaction, reading states and events in chunks. Each order's
facts come from the pack version in force when it was paid (the earliest version for orders
paid before the pack existed, e.g. historic imports), so a later pack revision does not rewrite
history.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.domain import merchant as merchant_fold
from anxin.domain.order import decode_state
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.score.facts import ChatLine, FactsConfig, adjustment_row, chat_row, order_row
from anxin.service.sla import service_hours_of
from anxin.store import schema as t
from anxin.store.pages import pages

CHUNK = 20_000


@dataclass
class Projection:
    orders: int = 0
    chats: int = 0
    merchants: int = 0
    adjustments: int = 0


def facts_config(pack: PolicyPack) -> FactsConfig:
    config: FactsConfig | None = pack.rule("score_facts")
    if config is None:
        raise ValueError(f"pack {pack.name} {pack.version} has no `score_facts` section")
    return config


def rebuild(engine: sa.Engine, book: PolicyBook) -> Projection:
    report = Projection()
    with engine.begin() as conn:
        for table in (t.score_orders, t.score_chats, t.score_merchants, t.score_adjustments):
            conn.execute(table.delete())
        helped: set[str] = set()
        report.chats, report.adjustments = _chats_and_adjustments(conn, book, helped)
        report.adjustments += _enforcement_deductions(conn, book)
        report.orders = _orders(conn, book, helped)
        report.merchants = _merchants(conn)
    return report


def _orders(conn: sa.Connection, book: PolicyBook, helped: set[str]) -> int:
    count = 0
    c = t.order_state.c
    for part in pages(conn, c.order_id, c.state):
        rows = []
        for raw in part:
            state = decode_state(raw)
            if state.paid_at is None:
                continue
            pack = book.in_force_or_first(state.paid_at)
            row = order_row(state, pack, facts_config(pack))
            if row is not None:
                if state.order_id in helped:
                    row["sought_help"] = 1  # a human chat about the order
                rows.append(row)
        if rows:
            conn.execute(t.score_orders.insert(), rows)
            count += len(rows)
    return count


def _chats_and_adjustments(
    conn: sa.Connection, book: PolicyBook, helped: set[str]
) -> tuple[int, int]:
    lines: dict[str, list[ChatLine]] = defaultdict(list)
    owner: dict[str, str] = {}
    ratings: dict[str, int] = {}
    adjustments = []
    e = t.events.c
    wanted = e.type.in_(["chat.message", "chat.rated", "complaint.filed"])
    decode = msgspec.json.Decoder(ev.AnyEvent).decode
    pack = book.versions[-1]
    facts = facts_config(pack)
    for part in pages(conn, e.seq, e.body, wanted):
        for body in part:
            event = decode(body)
            if isinstance(event, ev.ChatMessage):
                p = event.payload
                owner.setdefault(p.conversation_id, p.merchant_id)
                if p.sender in ("consumer", "agent"):  # bots and system lines are not rounds
                    lines[p.conversation_id].append(ChatLine(event.occurred_at, p.sender))
                if p.order_id and p.sender == "consumer":
                    helped.add(p.order_id)
            elif isinstance(event, ev.ChatRated):
                ratings[event.payload.conversation_id] = event.payload.stars
                owner.setdefault(event.payload.conversation_id, event.payload.merchant_id)
            elif isinstance(event, ev.ComplaintFiled):
                row = adjustment_row(event, facts)
                if row is not None:
                    adjustments.append(row)
    chats = []
    zone = pack.calendar.zone
    hours = service_hours_of(pack)  # response times in service time, as the service counts
    for conversation_id, merchant_id in owner.items():
        row = chat_row(
            conversation_id,
            merchant_id,
            lines.get(conversation_id, []),
            ratings.get(conversation_id),
            zone,
            facts,
            hours,
        )
        if row is not None:
            chats.append(row)
    for i in range(0, len(chats), CHUNK):
        conn.execute(t.score_chats.insert(), chats[i : i + CHUNK])
    if adjustments:
        conn.execute(t.score_adjustments.insert(), adjustments)
    return len(chats), len(adjustments)


def _enforcement_deductions(conn: sa.Connection, book: PolicyBook) -> int:
    """Score deductions that enforcement imposed (a fraud-shipping violation's -15, §7.1), from
    when they were imposed; a reverted one (an upheld appeal) is left out, as if never made.
    Only kinds the score knows count: a pack version without a score has nothing to deduct."""
    known: set[str] = set()
    for pack in book.versions:
        config = pack.rule("merchant_score")
        if config is not None:
            known |= set(config.deductions)
    c = t.measures.c
    rows = []
    for measure_id, merchant_id, starts_at_us, explanation in conn.execute(
        sa.select(c.measure_id, c.merchant_id, c.starts_at_us, c.explanation).where(
            c.kind == "score_deduction", c.status != "reverted"
        )
    ):
        kind = json.loads(explanation).get("deduction")
        if kind in known:
            rows.append({"adjustment_id": measure_id, "merchant_id": merchant_id, "kind": kind,
                         "at_us": starts_at_us})  # fmt: skip
    if rows:
        conn.execute(t.score_adjustments.insert(), rows)
    return len(rows)


def _merchants(conn: sa.Connection) -> int:
    rows = []
    for (raw,) in conn.execute(sa.select(t.merchant_state.c.state)):
        m = merchant_fold.decode_state(raw)
        rows.append(
            {
                "merchant_id": m.merchant_id,
                "industry": m.industry or "",
                "shop_type": m.shop_type or "other",
                "settled_at_us": to_us(m.settled_at) if m.settled_at else None,
            }
        )
    if rows:
        conn.execute(t.score_merchants.insert(), rows)
    return len(rows)
