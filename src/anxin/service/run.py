"""The service run (edge): conversations and complaints read from the event log as of ``now``;
reply SLAs judged on the pack's service hours and complaint tickets on natural time; each missed
SLA sent once as a ``service.sla_missed`` task for the merchant, each escalation once as
``service.escalated`` for the platform, and, for merchants that opted in, the facts' answer to
a still-waiting consumer once as ``service.auto_answer`` (the outbox absorbs repeats: every id
derives from the conversation, round, complaint or message). The read models (conversations,
tickets, the escalation queue) are upserted in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.domain.effects import OutboxMessage
from anxin.engine.rule import OrderRule
from anxin.guarantees.hall import OrderNotFound, load_hall
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.service import autoanswer, views
from anxin.service.conversations import Conversation, ServiceMetrics, add
from anxin.service.escalation import Escalation, of_conversation, of_ticket
from anxin.service.findings import RULE_ID as FINDINGS_ID
from anxin.service.findings import Finding, ServiceFindings, canned, in_conversation
from anxin.service.findings_daily import daily
from anxin.service.replies import suggest, templates
from anxin.service.sla import RULE_ID, AppliedSla, Line, ServiceSla, rounds, service_calendar
from anxin.service.tickets import AftersaleAnswer, Complaint, Ticket, judge_ticket
from anxin.store import schema as t
from anxin.store.pages import pages
from anxin.store.rows import insert_new, upsert
from anxin.store.sql import SqlStore

TOPIC = "service.sla_missed"
ESCALATED = "service.escalated"
AUTO_ANSWER = "service.auto_answer"
_DECODE = msgspec.json.Decoder(
    ev.ChatMessage | ev.ChatRated | ev.ComplaintFiled | ev.AfterSaleResponded
).decode
_TYPES = ("chat.message", "chat.rated", "complaint.filed", "aftersale.responded")


@dataclass
class ServiceReport:
    conversations: int = 0
    missed: int = 0  # missed SLAs, reply and complaint (each sent once as a task)
    tickets: int = 0
    tickets_missed: int = 0
    escalated: int = 0  # conversations and tickets in the platform's queue
    auto_answers: int = 0  # automatic answers due (each sent once)
    metrics: dict[str, ServiceMetrics] = field(default_factory=dict)


@dataclass
class Log:
    """What the service judges, as the event log held it at an instant."""

    conversations: dict[str, Conversation] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    answers: list[AftersaleAnswer] = field(default_factory=list)


@dataclass
class Judged:
    report: ServiceReport
    messages: list[OutboxMessage]
    # each conversation, its reply SLAs and its first response in service seconds
    conversations: list[tuple[Conversation, list[AppliedSla], int | None]]
    tickets: list[Ticket]
    escalations: list[Escalation]
    pack: PolicyPack


def read_log(sql: sa.Engine, as_of: dt.datetime) -> Log:
    """Chats, complaints and the merchants' after-sales answers in the log at ``as_of``."""
    log = Log()
    out = log.conversations
    e = t.events.c
    with sql.connect() as conn:
        for part in pages(conn, e.seq, e.body, e.type.in_(_TYPES)):
            for body in part:
                event = _DECODE(body)
                if event.occurred_at > as_of:
                    continue
                if isinstance(event, ev.ComplaintFiled):
                    c = event.payload
                    log.complaints.append(
                        Complaint(c.complaint_id, c.merchant_id, c.consumer_id, c.order_id,
                                  c.topic, event.occurred_at)
                    )  # fmt: skip
                    continue
                if isinstance(event, ev.AfterSaleResponded):
                    a = event.payload
                    if a.by == "merchant":
                        log.answers.append(AftersaleAnswer(a.order_id, a.aftersale_id,
                                                           event.occurred_at))  # fmt: skip
                    continue
                p = event.payload
                conv = out.get(p.conversation_id)
                if conv is None:
                    conv = out[p.conversation_id] = Conversation(
                        p.conversation_id, p.merchant_id, p.consumer_id, p.order_id
                    )
                if isinstance(event, ev.ChatRated):
                    conv.stars = event.payload.stars
                else:
                    q = event.payload
                    conv.lines.append(Line(event.occurred_at, q.sender, q.text, q.message_id))
    return log


def conversations(sql: sa.Engine, as_of: dt.datetime) -> dict[str, Conversation]:
    """Every conversation as the log held it at ``as_of``."""
    return read_log(sql, as_of).conversations


def run(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime, rules: Sequence[OrderRule] | None = None
) -> ServiceReport:
    """Judge, send the tasks, escalations and automatic answers (once each, whatever the number
    of runs) and upsert the read models. ``rules``: the rules whose rights an automatic answer's
    hall shows (the root's ``order_rules()``)."""
    judged = judge(sql, book, now)
    messages = judged.messages
    with sql.connect() as conn:
        chosen = views.opted_in(conn)
    if chosen:
        answers = _auto_answers(sql, judged, chosen, book, now, rules)
        judged.report.auto_answers = len(answers)
        messages = [*messages, *answers]
    with SqlStore(sql).transaction() as tx:
        for i in range(0, len(messages), 5_000):
            tx.add_outbox(messages[i : i + 5_000])
        _write_read_models(tx.conn, judged, now)
    return judged.report


def judge_all(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime
) -> tuple[ServiceReport, list[OutboxMessage]]:
    """The metrics and the tasks and escalations the judged SLAs call for, written nowhere."""
    judged = judge(sql, book, now)
    return judged.report, judged.messages


def _rules(pack: PolicyPack) -> tuple[ServiceSla, ServiceFindings | None]:
    sla = pack.rule(RULE_ID)
    if not isinstance(sla, ServiceSla):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    found = pack.rule(FINDINGS_ID)
    return sla, found if isinstance(found, ServiceFindings) else None


def judge(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> Judged:
    """Everything the run decides, as of ``now``, written nowhere."""
    pack = book.in_force(now)
    sla, finding_rules = _rules(pack)
    hours = service_calendar(sla, pack.calendar)
    zone = pack.calendar.zone
    log = read_log(sql, now)
    judged = Judged(ServiceReport(), [], [], [], [], pack)
    report, messages = judged.report, judged.messages
    meta = {"pack": pack.name, "version": pack.version}
    for cid, c in sorted(log.conversations.items()):
        report.conversations += 1
        m = report.metrics.setdefault(c.merchant_id, ServiceMetrics())
        applied = add(m, c, sla, hours, now)
        first = applied[0] if applied else None
        first_seconds = None
        if first is not None and first.answered_at is not None:
            first_seconds = hours.working_seconds_between(first.started_at, first.answered_at)
        judged.conversations.append((c, applied, first_seconds))
        for i, a in enumerate(applied):
            if a.status != "missed":
                continue
            report.missed += 1
            messages.append(OutboxMessage(
                f"sla:{cid}:{i}:{a.kind}", TOPIC, f"merchant:{c.merchant_id}", now,
                {"conversation_id": cid, "merchant_id": c.merchant_id,
                 "consumer_id": c.consumer_id, "order_id": c.order_id, "kind": a.kind,
                 "round": i, "asked_at": a.started_at.isoformat(),
                 "due_at": a.due_at.astimezone(zone).isoformat(),
                 "answered_at": None if a.answered_at is None else a.answered_at.isoformat(),
                 **meta},
            ))  # fmt: skip
        found: list[Finding] = []
        if sla.escalate_on_findings and finding_rules is not None:
            found = in_conversation(c, finding_rules, hours, now)
        if sla.escalates and (esc := of_conversation(c, applied, found, sla)) is not None:
            judged.escalations.append(esc)
    by_party: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for c in log.conversations.values():
        by_party[(c.merchant_id, c.consumer_id)].append(c)
    for complaint in sorted(log.complaints, key=lambda x: (x.filed_at, x.complaint_id)):
        party = by_party.get((complaint.merchant_id, complaint.consumer_id), [])
        ticket = judge_ticket(complaint, party, log.answers, sla, now)
        judged.tickets.append(ticket)
        report.tickets += 1
        if ticket.sla.status == "missed":
            report.tickets_missed += 1
            report.missed += 1
            messages.append(_ticket_missed(ticket, zone, meta, now))
        if (esc := of_ticket(ticket, sla)) is not None:
            judged.escalations.append(esc)
    for esc in judged.escalations:
        report.escalated += 1
        report.metrics.setdefault(esc.merchant_id, ServiceMetrics()).escalated += 1
        messages.append(OutboxMessage(
            f"escalated:{esc.escalation_id}", ESCALATED, f"merchant:{esc.merchant_id}", now,
            {"escalation_id": esc.escalation_id, "subject": esc.subject,
             "subject_id": esc.subject_id, "merchant_id": esc.merchant_id,
             "consumer_id": esc.consumer_id, "order_id": esc.order_id, "reason": esc.reason,
             "rule_ids": list(esc.rule_ids), "escalated_at": esc.escalated_at.isoformat(),
             "due_at": esc.due_at.astimezone(zone).isoformat(), **meta},
        ))  # fmt: skip
    return judged


def _ticket_missed(
    ticket: Ticket, zone: dt.tzinfo, meta: dict[str, str], now: dt.datetime
) -> OutboxMessage:
    c, a = ticket.complaint, ticket.sla
    return OutboxMessage(
        f"sla:complaint:{c.complaint_id}:{a.kind}", TOPIC, f"merchant:{c.merchant_id}", now,
        {"complaint_id": c.complaint_id, "merchant_id": c.merchant_id,
         "consumer_id": c.consumer_id, "order_id": c.order_id, "kind": a.kind,
         "asked_at": a.started_at.isoformat(), "due_at": a.due_at.astimezone(zone).isoformat(),
         "answered_at": None if a.answered_at is None else a.answered_at.isoformat(), **meta},
    )  # fmt: skip


def _auto_answers(
    sql: sa.Engine,
    judged: Judged,
    chosen: set[str],
    book: PolicyBook,
    now: dt.datetime,
    rules: Sequence[OrderRule] | None,
) -> list[OutboxMessage]:
    """The facts' answers to consumers still waiting on opted-in merchants' orders, those not
    sent yet (the run counts what it sends now; the outbox would absorb a repeat anyway)."""
    found = templates()
    settles = autoanswer.settling(found)
    zone = judged.pack.calendar.zone
    waits = [w for c, _, _ in judged.conversations if c.merchant_id in chosen
             if (w := autoanswer.to_answer(c, settles, now)) is not None]  # fmt: skip
    o = t.outbox.c
    sent: set[str] = set()
    with sql.connect() as conn:
        for i in range(0, len(waits), 500):
            ids = [w.message_id for w in waits[i : i + 500]]
            sent.update(
                conn.execute(sa.select(o.message_id).where(o.message_id.in_(ids))).scalars()
            )
    out: list[OutboxMessage] = []
    for waiting in waits:
        c = waiting.conversation
        if c.order_id is None or waiting.message_id in sent:
            continue
        try:
            hall = load_hall(sql, c.order_id, book, now, rules)
        except OrderNotFound:
            continue
        if hall.merchant_id != c.merchant_id:  # another shop's order: its facts are not ours
            continue
        reply = suggest(hall, waiting.intent, waiting.lang, zone, found)
        if not reply.settles:
            continue
        out.append(OutboxMessage(
            waiting.message_id, AUTO_ANSWER, f"merchant:{c.merchant_id}", now,
            {"conversation_id": c.conversation_id, "message_id": waiting.line.message_id,
             "merchant_id": c.merchant_id, "consumer_id": c.consumer_id,
             "order_id": c.order_id, "intent": reply.intent, "lang": reply.lang,
             "text": reply.text, "facts": reply.facts, "pack": judged.pack.name,
             "version": judged.pack.version},
        ))  # fmt: skip
    return out


def _sla_json(applied: list[AppliedSla]) -> str:
    return json.dumps([
        {"kind": a.kind, "round": i, "started_at": a.started_at.isoformat(),
         "due_at": a.due_at.isoformat(), "status": a.status,
         "answered_at": None if a.answered_at is None else a.answered_at.isoformat()}
        for i, a in enumerate(applied)
    ])  # fmt: skip


def _write_read_models(conn: sa.Connection, judged: Judged, now: dt.datetime) -> None:
    judged_at = to_us(now)
    rows: list[dict[str, Any]] = []
    for c, applied, first_seconds in judged.conversations:
        rs = rounds(c.lines)
        rows.append({
            "conversation_id": c.conversation_id, "merchant_id": c.merchant_id,
            "consumer_id": c.consumer_id, "order_id": c.order_id,
            "started_at_us": to_us(c.started_at or now), "rounds": len(rs),
            "first_response_seconds": first_seconds,
            "status": "waiting" if any(a.answered_at is None for a in applied) else "answered",
            "stars": c.stars, "missed": sum(a.status == "missed" for a in applied),
            "slas": _sla_json(applied), "judged_at_us": judged_at,
        })  # fmt: skip
    upsert(conn, t.service_conversations, rows)
    upsert(conn, t.service_tickets, [{
        "ticket_id": k.ticket_id, "merchant_id": k.complaint.merchant_id,
        "consumer_id": k.complaint.consumer_id, "order_id": k.complaint.order_id,
        "topic": k.complaint.topic, "filed_at_us": to_us(k.complaint.filed_at),
        "due_at_us": to_us(k.sla.due_at),
        "responded_at_us": None if k.response is None else to_us(k.response.at),
        "response_via": None if k.response is None else k.response.via,
        "response_ref": None if k.response is None else k.response.ref,
        "sla_status": k.sla.status, "judged_at_us": judged_at,
    } for k in judged.tickets])  # fmt: skip
    pack = judged.pack
    insert_new(conn, t.service_escalations, [{
        "escalation_id": e.escalation_id, "subject": e.subject, "subject_id": e.subject_id,
        "merchant_id": e.merchant_id, "consumer_id": e.consumer_id, "order_id": e.order_id,
        "reason": e.reason, "rule_ids": json.dumps(list(e.rule_ids)),
        "escalated_at_us": to_us(e.escalated_at), "due_at_us": to_us(e.due_at),
        "status": "open", "pack": pack.name, "pack_version": pack.version,
        "resolved_at_us": None, "resolved_by": None, "resolution": None,
    } for e in judged.escalations])  # fmt: skip


def negative_service(sql: sa.Engine, book: PolicyBook, now: dt.datetime) -> list[Finding]:
    """Every negative-service finding in the log as of ``now`` (conversations' own lines, then
    canned replies per merchant-day), oldest first."""
    pack = book.in_force(now)
    sla, rules = _rules(pack)
    if rules is None:
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{FINDINGS_ID}")
    hours = service_calendar(sla, pack.calendar)
    found = conversations(sql, now)
    out = [f for c in found.values() for f in in_conversation(c, rules, hours, now)]
    out += canned(found.values(), rules, pack.calendar.zone)
    out += daily(found.values(), rules, sla, hours, now)
    return sorted(out, key=lambda f: (f.at, f.finding_id))
