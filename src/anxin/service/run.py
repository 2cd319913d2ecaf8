"""The service run (edge): conversations read from the event log as of ``now``, their reply
SLAs judged on the pack's service hours, each missed SLA sent once as a ``service.sla_missed``
task for the merchant (the outbox absorbs repeats: its id names the conversation and round),
and every merchant's service metrics returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec
import sqlalchemy as sa

from anxin.contract import events as ev
from anxin.domain.effects import OutboxMessage
from anxin.policy.pack import PolicyBook
from anxin.service.conversations import Conversation, ServiceMetrics, add
from anxin.service.findings import RULE_ID as FINDINGS_ID
from anxin.service.findings import Finding, ServiceFindings, canned, in_conversation
from anxin.service.sla import RULE_ID, Line, ServiceSla, service_calendar
from anxin.store import schema as t
from anxin.store.pages import pages
from anxin.store.sql import SqlStore

TOPIC = "service.sla_missed"
_DECODE = msgspec.json.Decoder(ev.ChatMessage | ev.ChatRated).decode


@dataclass
class ServiceReport:
    conversations: int = 0
    missed: int = 0  # missed SLAs (each sent once as a task)
    metrics: dict[str, ServiceMetrics] = field(default_factory=dict)


def conversations(sql: sa.Engine, as_of: dt.datetime) -> dict[str, Conversation]:
    """Every conversation as the log held it at ``as_of``."""
    out: dict[str, Conversation] = {}
    e = t.events.c
    where = e.type.in_(("chat.message", "chat.rated"))
    with sql.connect() as conn:
        for part in pages(conn, e.seq, e.body, where):
            for body in part:
                event = _DECODE(body)
                if event.occurred_at > as_of:
                    continue
                p = event.payload
                c = out.get(p.conversation_id)
                if c is None:
                    c = out[p.conversation_id] = Conversation(
                        p.conversation_id, p.merchant_id, p.consumer_id, p.order_id
                    )
                if isinstance(event, ev.ChatRated):
                    c.stars = event.payload.stars
                else:
                    q = event.payload
                    c.lines.append(Line(event.occurred_at, q.sender, q.text, q.message_id))
    return out


def run(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> ServiceReport:
    """Judge and send the missed SLAs' tasks (once each, whatever the number of runs)."""
    report, messages = judge_all(sql, book, now)
    with SqlStore(sql).transaction() as tx:
        for i in range(0, len(messages), 5_000):
            tx.add_outbox(messages[i : i + 5_000])
    return report


def judge_all(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime
) -> tuple[ServiceReport, list[OutboxMessage]]:
    """The metrics and the tasks the missed SLAs call for, written nowhere."""
    pack = book.in_force(now)
    sla = pack.rule(RULE_ID)
    if not isinstance(sla, ServiceSla):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    hours = service_calendar(sla, pack.calendar)
    report = ServiceReport()
    messages: list[OutboxMessage] = []
    for cid, c in sorted(conversations(sql, now).items()):
        report.conversations += 1
        m = report.metrics.setdefault(c.merchant_id, ServiceMetrics())
        for i, applied in enumerate(add(m, c, sla, hours, now)):
            if applied.status != "missed":
                continue
            report.missed += 1
            messages.append(
                OutboxMessage(
                    f"sla:{cid}:{i}:{applied.kind}", TOPIC, f"merchant:{c.merchant_id}", now,
                    {"conversation_id": cid, "merchant_id": c.merchant_id,
                     "consumer_id": c.consumer_id, "order_id": c.order_id,
                     "kind": applied.kind, "round": i,
                     "asked_at": applied.started_at.isoformat(),
                     "due_at": applied.due_at.astimezone(pack.calendar.zone).isoformat(),
                     "answered_at": None if applied.answered_at is None
                     else applied.answered_at.isoformat(),
                     "pack": pack.name, "version": pack.version},
                )
            )  # fmt: skip
    return report, messages


def negative_service(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[Finding]:
    """Every negative-service finding in the log as of ``now`` (conversations' own lines, then
    canned replies per merchant-day), oldest first."""
    pack = book.in_force(now)
    sla, rules = pack.rule(RULE_ID), pack.rule(FINDINGS_ID)
    if not isinstance(sla, ServiceSla) or not isinstance(rules, ServiceFindings):
        raise LookupError(f"pack {pack.name} {pack.version} has no service rules")
    hours = service_calendar(sla, pack.calendar)
    found = conversations(sql, now)
    out = [f for c in found.values() for f in in_conversation(c, rules, hours, now)]
    out += canned(found.values(), rules, pack.calendar.zone)
    return sorted(out, key=lambda f: (f.at, f.finding_id))
