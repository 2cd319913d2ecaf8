"""Complaint tickets: the merchant's valid response and the 24 h SLA at its boundaries (pure),
then through the run on SQLite and PostgreSQL: a missed ticket leaves once as a task and
escalates once to the platform."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.delivery.messages import ServiceEscalated, SlaMissed
from anxin.service.conversations import Conversation
from anxin.service.run import run
from anxin.service.sla import Line, ServiceSla
from anxin.service.tickets import AftersaleAnswer, Complaint, judge_ticket
from anxin.store import schema as t
from anxin.store.sql import SqlStore

BOOK = load_policy("douyin")
CST = BOOK.latest.calendar.zone
SLA = BOOK.latest.rule("service_sla")
assert isinstance(SLA, ServiceSla)
FILED = dt.datetime(2026, 11, 3, 22, 30, tzinfo=CST)  # at night: natural time all the same
DUE = FILED + dt.timedelta(hours=24)
SEC = dt.timedelta(seconds=1)
COMPLAINT = Complaint("CP1", "M1", "C1", "O1", "negative_service", FILED)


def conv(order: str | None, *lines: tuple[dt.datetime, str], consumer: str = "C1") -> Conversation:
    c = Conversation("K1", "M1", consumer, order)
    c.lines = [Line(at, who, "…", f"m{i}") for i, (at, who) in enumerate(lines)]
    return c


AGENT_AT_DUE = conv("O1", (FILED, "consumer"), (DUE, "agent"))
AGENT_LATE = conv("O1", (FILED, "consumer"), (DUE + SEC, "agent"))


@pytest.mark.parametrize(
    ("why", "conversations", "answers", "now", "status", "via"),
    [
        ("no response, exactly at the due", [], [], DUE, "active", None),
        ("no response, a second after", [], [], DUE + SEC, "missed", None),
        ("a chat answer exactly at the due", [AGENT_AT_DUE], [], DUE + SEC, "hit", "chat"),
        ("a chat answer a second after", [AGENT_LATE], [], DUE + SEC, "missed", "chat"),
        ("an after-sales answer exactly at the due", [],
         [AftersaleAnswer("O1", "AS1", DUE)], DUE + SEC, "hit", "aftersale"),
        ("an after-sales answer a second after", [],
         [AftersaleAnswer("O1", "AS1", DUE + SEC)], DUE + SEC, "missed", "aftersale"),
        ("an answer at the filing instant counts", [conv("O1", (FILED, "agent"))], [], DUE,
         "hit", "chat"),
        ("an answer before the complaint does not",
         [conv("O1", (FILED - SEC, "agent"))], [], DUE + SEC, "missed", None),
        ("another order's conversation does not",
         [conv("O2", (FILED + SEC, "agent"))], [], DUE + SEC, "missed", None),
        ("another order's after-sales answer does not", [],
         [AftersaleAnswer("O2", "AS2", FILED + SEC)], DUE + SEC, "missed", None),
        ("a bot is not a person", [conv("O1", (FILED + SEC, "bot"))], [], DUE + SEC, "missed",
         None),
        ("an answer not yet known at now", [AGENT_AT_DUE], [], DUE - SEC, "active", None),
    ],
)  # fmt: skip
def test_the_ticket_sla_at_its_boundaries(
    why: str,
    conversations: list[Conversation],
    answers: list[AftersaleAnswer],
    now: dt.datetime,
    status: str,
    via: str | None,
) -> None:
    ticket = judge_ticket(COMPLAINT, conversations, answers, SLA, now)
    assert ticket.sla.due_at == DUE, why
    assert ticket.sla.status == status, why
    assert (ticket.response.via if ticket.response else None) == via, why


def test_a_complaint_without_an_order_is_answered_in_any_conversation_with_the_consumer() -> None:
    c = Complaint("CP2", "M1", "C1", None, "negative_service", FILED)
    ticket = judge_ticket(c, [conv("O9", (FILED + SEC, "agent"))], [], SLA, DUE)
    assert (ticket.sla.status, ticket.response and ticket.response.ref) == ("hit", "m0")


def _complaint(cid: str, at: dt.datetime, order: str) -> ev.Event:
    return ev.ComplaintFiled(
        id=f"complaint:{cid}", occurred_at=at, source="t",
        payload=ev.ComplaintPayload(complaint_id=cid, merchant_id="M1", consumer_id="C1",
                                    topic="negative_service", order_id=order),
    )  # fmt: skip


def _said(cid: str, n: int, at: dt.datetime, sender: str, order: str) -> ev.Event:
    return ev.ChatMessage(
        id=f"{cid}:{n}", occurred_at=at, source="t",
        payload=ev.ChatMessagePayload(conversation_id=cid, message_id=str(n), merchant_id="M1",
                                      consumer_id="C1", sender=sender, order_id=order,
                                      text="处理一下"),
    )  # fmt: skip


def test_a_missed_ticket_leaves_once_and_escalates_once(sql_engine: sa.Engine) -> None:
    events = [
        _complaint("CP1", FILED, "O1"),  # never answered
        _complaint("CP2", FILED, "O2"),  # answered in chat an hour later
        _said("K2", 1, FILED + dt.timedelta(hours=1), "agent", "O2"),
    ]
    far = dt.datetime(2027, 12, 1, tzinfo=dt.UTC)
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(far))
    engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(events)], "t")
    first = run(sql_engine, BOOK, DUE)  # exactly at the due: nothing missed yet
    assert (first.tickets, first.tickets_missed, first.escalated) == (2, 0, 0)
    later = run(sql_engine, BOOK, DUE + SEC)
    assert (later.tickets, later.tickets_missed, later.escalated) == (2, 1, 1)
    run(sql_engine, BOOK, DUE + dt.timedelta(days=3))  # again: nothing new leaves
    o = t.outbox.c
    with sql_engine.connect() as conn:
        sent = conn.execute(sa.select(o.message_id, o.topic, o.body).order_by(o.message_id)).all()
        tickets = dict(conn.execute(sa.select(t.service_tickets.c.ticket_id,
                                              t.service_tickets.c.sla_status)).all())  # fmt: skip
        queue = conn.execute(sa.select(t.service_escalations)).all()
    assert [(m, topic) for m, topic, _ in sent] == [
        ("escalated:ticket:CP1", "service.escalated"),
        ("sla:complaint:CP1:complaint_response", "service.sla_missed"),
    ]
    missed = msgspec.convert(json.loads(sent[1][2]), SlaMissed)
    assert (missed.kind, missed.complaint_id, missed.conversation_id) == (
        "complaint_response", "CP1", None)  # fmt: skip
    assert missed.due_at == DUE
    escalated = msgspec.convert(json.loads(sent[0][2]), ServiceEscalated)
    assert (escalated.reason, escalated.rule_ids) == (
        "missed_complaint", ["service_sla.escalate_missed_complaint"])  # fmt: skip
    assert escalated.due_at == DUE + dt.timedelta(hours=24)
    assert tickets == {"CP1": "missed", "CP2": "hit"}
    (row,) = queue
    assert (row.escalation_id, row.status, row.merchant_id) == ("ticket:CP1", "open", "M1")
