"""The KPIs' daily facts, read from the store (the only I/O of the KPI read model).

Everything here is a read of what other capabilities wrote: order states (the engine), the
instant-refund decisions (``decisions``, rule ``instant_refund``), the score's chat facts
(``score_chats``: service window and missed-reply time already applied), the service desk's
complaint tickets and conversations, the ledger's payouts and the screening verdicts. The
result is kept per store until the store's counts change (a page and the API ask in turn).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import sqlalchemy as sa

from anxin.clock import from_us
from anxin.domain.order import decode_state
from anxin.platform.kpis import (
    ChatFact,
    ListingFact,
    OrderFact,
    PayoutFact,
    Row,
    Thresholds,
    rows,
)
from anxin.platform.kpis import report as kpis_report
from anxin.policy.pack import PolicyPack
from anxin.store import schema as t
from anxin.store.kept import Kept, last_event

T = TypeVar("T")

LOGISTICS_TOPICS = frozenset({"not_received", "late_shipment"})  # complaint topics on parcels
MONEY_KINDS = frozenset({"refund_only", "return_refund"})
CONTENT_CHANNELS = frozenset({"live_stream", "video"})


def thresholds(pack: PolicyPack) -> Thresholds:
    kpis = pack.rule("platform_kpis")
    score = pack.rule("merchant_score")
    return Thresholds(
        ship_within_hours=kpis.ship_within_hours if kpis else 48,
        low_star_max=kpis.low_star_max if kpis else 2,
        dissatisfied_max_stars=getattr(score, "dissatisfied_chat_max_stars", 3),
    )


def _funder(account: str) -> str:
    """``merchant:M1:deposit`` → ``merchant_deposit``; ``platform:fund`` → ``platform_fund``."""
    parts = account.split(":")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else parts[0]


def _helps(conn: sa.Connection) -> tuple[set[str], list[tuple[str, int]]]:
    s, c = t.service_tickets.c, t.service_conversations.c
    tickets = {
        o
        for (o,) in conn.execute(
            sa.select(s.order_id).where(s.topic.in_(LOGISTICS_TOPICS), s.order_id.is_not(None))
        )
    }
    chats = [
        (o, int(at))
        for o, at in conn.execute(
            sa.select(c.order_id, c.started_at_us).where(c.order_id.is_not(None))
        )
    ]
    return tickets, chats


def order_facts(conn: sa.Connection) -> list[OrderFact]:
    tickets, chats = _helps(conn)
    chat_at: dict[str, list[int]] = {}
    for o, at in chats:
        chat_at.setdefault(o, []).append(at)
    d = t.decisions.c
    instant: dict[str, set[str]] = {}
    for (decision_id,) in conn.execute(
        sa.select(d.decision_id).where(
            d.rule_id == "instant_refund", d.kind == "instant_refund_eligible"
        )
    ):
        order_id, _, aftersale_id = decision_id.removeprefix("order:").partition(":instant_refund:")
        instant.setdefault(order_id, set()).add(aftersale_id)
    out: list[OrderFact] = []
    for (raw,) in conn.execute(sa.select(t.order_state.c.state)):
        s = decode_state(raw)
        if s.paid_at is None or s.merchant_id is None:
            continue
        shipped, delivered = s.shipped_at(), s.delivered_at()
        mine = instant.get(s.order_id, set())
        money = [a for a in s.aftersales if a.kind in MONEY_KINDS]
        fast = [a for a in money if a.aftersale_id in mine]
        lost = [
            a
            for a in fast
            if shipped is not None and shipped >= a.requested_at and a.return_received_at is None
        ]
        end = delivered or s.cancelled_at
        asked = any(
            from_us(at) >= s.paid_at and (end is None or from_us(at) < end)
            for at in chat_at.get(s.order_id, ())
        )
        out.append(
            OrderFact(
                order_id=s.order_id,
                merchant_id=s.merchant_id,
                paid_at=s.paid_at,
                shipped_at=shipped,
                delivered_at=delivered,
                cancelled_unshipped=s.cancelled_at is not None and shipped is None,
                content_driven=s.content_id is not None or s.channel in CONTENT_CHANNELS,
                stars=s.review_stars,
                logistics_help=asked or s.order_id in tickets,
                requests=len(money),
                instant=len(fast),
                instant_amount=sum(a.amount for a in fast),
                instant_lost=sum(a.amount for a in lost),
            )
        )
    return out


def chat_facts(conn: sa.Connection) -> list[ChatFact]:
    v = t.service_conversations.c
    orders = dict(conn.execute(sa.select(v.conversation_id, v.order_id)).all())
    return [
        ChatFact(
            r.conversation_id,
            r.merchant_id,
            from_us(r.started_at_us),
            bool(r.counted),
            int(r.rounds),
            int(r.response_seconds),
            r.rating,
            orders.get(r.conversation_id),
        )
        for r in conn.execute(sa.select(t.score_chats))
    ]


def payout_facts(conn: sa.Connection) -> list[PayoutFact]:
    """Compensation: ledger transactions crediting a consumer, except after-sales refunds (the
    consumer's own money back, keyed ``refund:…``)."""
    tx, e = t.ledger_transactions.c, t.ledger_entries.c
    q = (
        sa.select(tx.txn_key, tx.occurred_at_us, tx.reason, e.account, e.amount, e.currency)
        .join(t.ledger_entries, e.txn_key == tx.txn_key)
        .where(sa.not_(tx.txn_key.like("refund:%")))
    )
    credit: dict[str, Any] = {}
    debit: dict[str, str] = {}
    for r in conn.execute(q):
        if r.amount > 0 and r.account.startswith("consumer:"):
            credit[r.txn_key] = r
        elif r.amount < 0:
            debit.setdefault(r.txn_key, r.account)
    merchants = dict(
        conn.execute(sa.select(t.order_state.c.order_id, t.order_state.c.merchant_id)).all()
    )
    out = []
    for key, r in credit.items():
        order_id = key.split(":")[2] if key.startswith("payout:order:") else None
        funder = debit.get(key, "")
        merchant = merchants.get(order_id) if order_id else None
        if merchant is None and funder.startswith("merchant:"):
            merchant = funder.split(":")[1]
        out.append(
            PayoutFact(
                key,
                merchant or "",
                order_id,
                from_us(r.occurred_at_us),
                r.reason,
                _funder(funder),
                int(r.amount),
                r.currency,
            )
        )
    return out


def listing_facts(conn: sa.Connection) -> list[ListingFact]:
    v = t.listing_verdicts.c
    return [
        ListingFact(r.listing_id, r.merchant_id, from_us(r.screened_at_us), r.verdict)
        for r in conn.execute(sa.select(v.listing_id, v.merchant_id, v.screened_at_us, v.verdict))
    ]


@dataclass(frozen=True, eq=False)  # one object per state of the store: compared by identity
class Facts:
    rows: list[Row]
    zone: dt.tzinfo
    thresholds: Thresholds


_FACTS: Kept[Facts] = Kept(slots=8)
# Reports and drill-downs of one facts object: small, many; the facts object is their stamp.
_DERIVED: Kept[object] = Kept(freeze=False)


def _stamp(conn: sa.Connection) -> tuple[int, ...]:
    """What changes when any fact could: the store's row counts and last sequence numbers."""
    q = sa.select(
        sa.select(sa.func.count()).select_from(t.ledger_transactions).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.decisions).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.score_chats).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.service_conversations).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.service_tickets).scalar_subquery(),
        sa.select(
            sa.func.coalesce(sa.func.max(t.listing_verdicts.c.screened_at_us), 0)
        ).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.listing_verdicts).scalar_subquery(),
    )
    return (last_event(conn), *(int(x) for x in conn.execute(q).one()))


def load(sql: sa.Engine, pack: PolicyPack) -> Facts:
    """Every KPI fact in the store, with the pack's zone and thresholds (kept until the store
    changes)."""
    th = thresholds(pack)
    zone = pack.calendar.zone
    with sql.connect() as conn:
        stamp = (*_stamp(conn), th, str(zone))
        return _FACTS.get(id(sql), stamp, lambda: Facts(
            rows(order_facts(conn), chat_facts(conn), payout_facts(conn), listing_facts(conn),
                 zone, th), zone, th))  # fmt: skip


def kept(found: Facts, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()`` kept while ``found`` is the store's facts: every page view and API call
    asking the same of an unchanged store reads one answer."""
    return cast(T, _DERIVED.get(key, found, compute))


def report(
    found: Facts, since: dt.date | None, until: dt.date | None, split: dt.date | None
) -> dict[str, object]:
    """``kpis.report`` over ``found`` (kept)."""
    return kept(found, ("report", since, until, split),
                lambda: kpis_report(found.rows, since, until, split))  # fmt: skip
