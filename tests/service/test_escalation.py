"""Escalation to the platform: the pack's triggers at their boundaries (pure), then the run's
queue and message written once on SQLite and PostgreSQL, and the operator's and merchant's views
over HTTP."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.service.conversations import Conversation, judge
from anxin.service.escalation import of_conversation
from anxin.service.findings import ServiceFindings, in_conversation
from anxin.service.run import run
from anxin.service.sla import Line, ServiceSla, service_calendar
from anxin.store import schema as t
from anxin.store.sql import SqlStore

BOOK = load_policy("douyin")
PACK = BOOK.latest
CST = PACK.calendar.zone
SLA = PACK.rule("service_sla")
RULES = PACK.rule("service_findings")
assert isinstance(SLA, ServiceSla)
assert isinstance(RULES, ServiceFindings)
HOURS = service_calendar(SLA, PACK.calendar)
T0 = dt.datetime(2026, 11, 3, 10, 0, tzinfo=CST)
MIN = dt.timedelta(minutes=1)
SEC = dt.timedelta(seconds=1)


def conv(*lines: tuple[dt.timedelta, str, str]) -> Conversation:
    c = Conversation("K1", "M1", "C1", "O1")
    c.lines = [Line(T0 + d, who, text, f"m{i}") for i, (d, who, text) in enumerate(lines)]
    return c


TWO_MISSED = conv((0 * MIN, "consumer", "在吗"), (5 * MIN, "agent", "在"),
                  (6 * MIN, "consumer", "发货了吗"), (10 * MIN, "agent", "发了"))  # fmt: skip
SECOND_OPEN = conv((0 * MIN, "consumer", "在吗"), (5 * MIN, "agent", "在"),
                   (6 * MIN, "consumer", "发货了吗"))  # fmt: skip


@pytest.mark.parametrize(
    ("why", "c", "now", "reason", "at"),
    [
        ("one missed reply is not enough", conv((0 * MIN, "consumer", "在吗"),
                                                (4 * MIN, "agent", "在")), T0 + MIN * 60, None,
         None),
        ("two missed replies: at the second's due", TWO_MISSED, T0 + 60 * MIN,
         "missed_replies", T0 + 9 * MIN),
        ("the second still open, exactly at its due", SECOND_OPEN, T0 + 9 * MIN, None, None),
        ("the second still open, a second after", SECOND_OPEN, T0 + 9 * MIN + SEC,
         "missed_replies", T0 + 9 * MIN),
        ("a flat refusal", conv((0 * MIN, "consumer", "能退款吗"), (1 * MIN, "agent", "不行")),
         T0 + 2 * MIN, "flat_refusal", T0 + MIN),
        ("a refusal with a reason is not flat",
         conv((0 * MIN, "consumer", "能退款吗"), (1 * MIN, "agent", "不行，因为已经拆封")),
         T0 + 2 * MIN, None, None),
        ("blocking", conv((0 * MIN, "consumer", "差评"), (1 * MIN, "system", "您已被拉黑")),
         T0 + 2 * MIN, "blocking", T0 + MIN),
        ("mocking does not escalate in these packs",
         conv((0 * MIN, "consumer", "贵"), (1 * MIN, "agent", "穷就别买")), T0 + 2 * MIN, None,
         None),
    ],
)  # fmt: skip
def test_a_conversation_escalates_on_the_packs_triggers(
    why: str, c: Conversation, now: dt.datetime, reason: str | None, at: dt.datetime | None
) -> None:
    assert isinstance(RULES, ServiceFindings)
    esc = of_conversation(c, judge(c, SLA, HOURS, now), in_conversation(c, RULES, HOURS, now),
                          SLA)  # fmt: skip
    assert (esc and esc.reason, esc and esc.escalated_at) == (reason, at), why
    if esc is not None:
        assert esc.due_at == esc.escalated_at + dt.timedelta(hours=24)
        assert esc.escalation_id == "conversation:K1"


def test_a_pack_without_escalation_keys_escalates_nothing() -> None:
    quiet = msgspec.structs.replace(SLA, escalate_after_missed=None, escalate_on_findings=(),
                                    escalate_missed_complaint=False)  # fmt: skip
    now = T0 + 60 * MIN
    assert of_conversation(TWO_MISSED, judge(TWO_MISSED, quiet, HOURS, now), [], quiet) is None


def test_escalation_keys_need_the_platforms_due() -> None:
    bad = msgspec.structs.replace(SLA, platform_due_hours=None)
    with pytest.raises(ValueError, match="platform_due_hours"):
        bad.check("CNY")


def _said(cid: str, n: int, minutes: int, sender: str, text: str, merchant: str) -> bytes:
    payload = ev.ChatMessagePayload(conversation_id=cid, message_id=f"{cid}-{n}",
                                    merchant_id=merchant, consumer_id="C1", sender=sender,
                                    order_id=f"O-{cid}", text=text)  # fmt: skip
    at = T0 + dt.timedelta(minutes=minutes)
    return msgspec.json.encode(ev.ChatMessage(id=f"{cid}-{n}", occurred_at=at, source="t",
                                              payload=payload))  # fmt: skip


EVENTS = [
    # M1: two missed replies (escalated at 10:09); M2: a flat refusal at 10:01 (earlier due)
    _said("KA", 0, 0, "consumer", "在吗", "M1"), _said("KA", 1, 5, "agent", "在", "M1"),
    _said("KA", 2, 6, "consumer", "发货了吗", "M1"), _said("KA", 3, 10, "agent", "发了", "M1"),
    _said("KB", 0, 0, "consumer", "能退款吗", "M2"), _said("KB", 1, 1, "agent", "不行", "M2"),
    _said("KC", 0, 0, "consumer", "你好", "M2"), _said("KC", 1, 1, "agent", "您好", "M2"),
]  # fmt: skip


def test_the_queue_is_written_once_and_served_to_each_party(
    db_url: str, sql_engine: sa.Engine
) -> None:
    now = T0 + dt.timedelta(hours=2)
    clock = FixedClock(now)
    engine = build_engine(SqlStore(sql_engine), BOOK, clock)
    engine.ingest(list(enumerate(EVENTS)), "t")
    first = run(sql_engine, BOOK, now)
    assert (first.conversations, first.escalated) == (3, 2)
    # The merchants' escalation rate counts them too (escalations per conversation counted).
    assert sum(m.escalated for m in first.metrics.values()) == 2
    assert all(m.escalation_rate is not None for m in first.metrics.values() if m.conversations)
    o = t.outbox.c
    operator = create_key(sql_engine, "op", "operator", clock=clock)
    m1 = create_key(sql_engine, "m1", "merchant", merchant_id="M1", clock=clock)
    with TestClient(create_app(db_url, clock=clock)) as client:
        op, mine = {"X-API-Key": operator}, {"X-API-Key": m1}
        queue = client.get("/v1/service/escalations", headers=op).json()
        assert [(e["escalation_id"], e["reason"], e["due_at"]) for e in queue["escalations"]] == [
            ("conversation:KB", "flat_refusal", "2026-11-04T10:01:00+08:00"),
            ("conversation:KA", "missed_replies", "2026-11-04T10:09:00+08:00"),
        ]
        assert queue["escalations"][1]["rule_ids"] == ["service_sla.escalate_after_missed"]
        assert queue["next_offset"] is None
        page = client.get("/v1/service/escalations?limit=1", headers=op).json()
        assert (len(page["escalations"]), page["next_offset"]) == (1, 1)
        done = client.post("/v1/service/escalations/conversation:KB/resolve", headers=op,
                           json={"resolution": "refunded by the platform"})  # fmt: skip
        assert (done.status_code, done.json()["status"]) == (200, "resolved"), done.text
        again = client.post("/v1/service/escalations/conversation:KB/resolve", headers=op,
                            json={"resolution": "twice"})  # fmt: skip
        assert (again.status_code, again.json()["error"]["code"]) == (409, "already_resolved")
        run(sql_engine, BOOK, now + dt.timedelta(days=2))  # a later run: the queue stays
        queue = client.get("/v1/service/escalations", headers=op).json()["escalations"]
        assert [e["escalation_id"] for e in queue] == ["conversation:KA"]
        assert queue[0]["overdue"] is False  # as of the API's clock, 10:09 next day is ahead
        mine_esc = client.get("/v1/merchants/M1/service/escalations", headers=mine).json()
        assert [e["escalation_id"] for e in mine_esc["escalations"]] == ["conversation:KA"]
        convs = client.get("/v1/merchants/M1/service/conversations", headers=mine).json()
        (ka,) = convs["conversations"]
        assert (ka["conversation_id"], ka["rounds"], ka["missed"], ka["status"]) == (
            "KA", 2, 2, "answered")  # fmt: skip
        assert (ka["first_response_seconds"], ka["escalation_id"]) == (300, "conversation:KA")
        assert [(s["kind"], s["status"], s["due_at"]) for s in ka["slas"]] == [
            ("first_reply", "missed", "2026-11-03T10:03:00+08:00"),
            ("next_reply", "missed", "2026-11-03T10:09:00+08:00"),
        ]
        other = client.get("/v1/merchants/M2/service/conversations", headers=mine)
        assert (other.status_code, other.json()["error"]["code"]) == (404, "merchant_not_found")
    with sql_engine.connect() as conn:
        sent = conn.execute(sa.select(o.message_id, o.body).where(
            o.topic == "service.escalated").order_by(o.message_id)).all()  # fmt: skip
        rows = conn.execute(sa.select(sa.func.count()).select_from(t.service_conversations))
        assert rows.scalar_one() == 3
    assert [m for m, _ in sent] == ["escalated:conversation:KA", "escalated:conversation:KB"]
    assert json.loads(sent[1][1])["rule_ids"] == ["service_findings.flat_refusal"]
