"""The pre-identification run (edge): every stored order scored as of ``now``; each order
whose first contact has come is sent once as ``service.proactive`` (to the consumer, in the
words of ``proactive.yaml`` for the order's situation at that instant, with the compensation
already paid by then). The outbox absorbs repeats: the message id names the order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import msgspec
import sqlalchemy as sa
import yaml

from anxin.domain.effects import OutboxMessage
from anxin.domain.money import Money
from anxin.domain.order import OrderState, decode_state
from anxin.domain.wording import Text, duration, money, scan_words, when
from anxin.policy.pack import PolicyBook
from anxin.service.outreach import contact_of
from anxin.service.proactive import Contact, ProactiveModel, packaged_model
from anxin.store import schema as t
from anxin.store.pages import pages
from anxin.store.sql import SqlStore

TOPIC = "service.proactive"
_PAID = msgspec.json.Decoder(dict[str, object])


@cache
def wording() -> dict[str, Text]:
    text = resources.files("anxin.service").joinpath("proactive.yaml").read_text("utf-8")
    return {k: Text(v["zh"], v["en"]) for k, v in yaml.safe_load(text).items()}


@dataclass
class ProactiveReport:
    orders: int = 0
    contacts: int = 0  # orders reached by ``now`` (each sent once, whatever the runs)


def situation(c: Contact) -> str:
    x = c.features
    if x["not_picked_up"]:
        return "overdue" if x["days_overdue"] > 0 else "not_shipped"
    if x["exception"]:
        return "exception"
    return "stalled" if x["days_stalled"] > 0 else "in_transit"


def message_text(state: OrderState, c: Contact, ship_by: dt.datetime, paid: Money | None,
                 zone: dt.tzinfo) -> Text:  # fmt: skip
    """The message for the order's situation at the contact, in both languages."""
    words = wording()
    scans = [s for p in state.parcels for s in p.scans if s.at <= c.at]
    last = max(scans, key=lambda s: s.at) if scans else None
    since = duration(c.at - last.at, 1) if last is not None else Text("", "")
    due = when(ship_by, zone, c.at)
    compensation = Text("", "")
    if paid is not None and paid.amount > 0:
        got = words["compensation"]
        compensation = Text(got.zh.format(amount=money(paid)), got.en.format(amount=money(paid)))
    t_ = words[situation(c)]
    scan = scan_words(last.status, last.text, last.location) if last else Text("", "")

    def fill(template: str, lang: str) -> str:
        return template.format(
            order_id=state.order_id, ship_by=getattr(due, lang), last_scan=getattr(scan, lang),
            since=getattr(since, lang), compensation=getattr(compensation, lang),
        ).strip()  # fmt: skip

    return Text(fill(t_.zh, "zh"), fill(t_.en, "en"))


def _compensation(conn: sa.Connection) -> dict[str, list[tuple[int, int, str]]]:
    """Per order: (created_at_us, amount, currency) of every compensation message."""
    o = t.outbox.c
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    rows = conn.execute(
        sa.select(o.created_at_us, o.body).where(o.topic == "consumer.compensation")
    )
    for at_us, body in rows:
        b = _PAID.decode(body)
        amount = b.get("amount")
        if isinstance(amount, dict):
            out[str(b["order_id"])].append((at_us, int(amount["amount"]), str(amount["currency"])))
    return out


def paid_by(found: list[tuple[int, int, str]], at: dt.datetime) -> Money | None:
    us = int(at.timestamp() * 1_000_000)
    got = [(a, c) for t_us, a, c in found if t_us <= us]
    return Money(sum(a for a, _ in got), got[0][1]) if got else None


def contacts(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime, model: ProactiveModel | None = None
) -> list[tuple[OrderState, Contact]]:
    """Every stored order's first contact up to ``now``."""
    model = model or packaged_model()
    out: list[tuple[OrderState, Contact]] = []
    s = t.order_state.c
    with sql.connect() as conn:
        for part in pages(conn, s.order_id, s.state):
            for raw in part:
                state = decode_state(raw)
                got = contact_of(state, book, model, until=now)
                if got is not None:
                    out.append((state, got))
    return out


def run(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime, model: ProactiveModel | None = None
) -> ProactiveReport:
    """Send every contact due by ``now`` (once each, whatever the number of runs)."""
    from anxin.service.outreach import ship_by

    found = contacts(sql, book, now, model)
    with sql.connect() as conn:
        paid = _compensation(conn)
        orders = conn.execute(sa.select(sa.func.count()).select_from(t.order_state)).scalar_one()
    messages: list[OutboxMessage] = []
    for state, c in found:
        pack = book.in_force_or_first(c.at)
        due = ship_by(state, pack)
        assert due is not None  # a contact needs a ship-by
        zone = pack.calendar.zone
        text = message_text(state, c, due, paid_by(paid.get(state.order_id, []), c.at), zone)
        messages.append(OutboxMessage(
            f"proactive:{state.order_id}", TOPIC, f"order:{state.order_id}", c.at,
            {"order_id": state.order_id, "consumer_id": state.consumer_id or "",
             "merchant_id": state.merchant_id or "", "situation": situation(c),
             "text": {"zh": text.zh, "en": text.en}, "probability": round(c.probability, 4),
             "features": c.features, "sent_at": c.at.astimezone(zone).isoformat(),
             "model": (model or packaged_model()).version, "pack": pack.name,
             "version": pack.version},
        ))  # fmt: skip
    with SqlStore(sql).transaction() as tx:
        for i in range(0, len(messages), 5_000):
            tx.add_outbox(messages[i : i + 5_000])
    return ProactiveReport(int(orders), len(messages))
