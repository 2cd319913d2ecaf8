"""The service run through the engine on SQLite and PostgreSQL: conversations from chat events,
each missed reply SLA sent once as `service.sla_missed`, the merchant's metrics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import msgspec
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.delivery.messages import SlaMissed
from anxin.service.run import judge_all, run
from anxin.store import schema as t
from anxin.store.sql import SqlStore
from tests.refunds.conftest import cli, one_json_line

BOOK = load_policy("douyin")
CST = BOOK.latest.calendar.zone
FAR = dt.datetime(2027, 12, 1, tzinfo=dt.UTC)


def at(day: int, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, ss, tzinfo=CST)


def chat(cid: str, n: int, when: dt.datetime, sender: str, merchant: str = "M1") -> ev.Event:
    return ev.ChatMessage(
        id=f"{cid}:{n}", occurred_at=when, source="t",
        payload=ev.ChatMessagePayload(conversation_id=cid, message_id=str(n),
                                      merchant_id=merchant, consumer_id="C1", sender=sender,
                                      text="在吗"),
    )  # fmt: skip


def rated(cid: str, when: dt.datetime, stars: int) -> ev.Event:
    return ev.ChatRated(
        id=f"{cid}:rated", occurred_at=when, source="t",
        payload=ev.ChatRatedPayload(conversation_id=cid, merchant_id="M1", consumer_id="C1",
                                    stars=stars),
    )  # fmt: skip


EVENTS = [
    # answered in 1 minute, rated 5
    chat("K1", 1, at(3, 10), "consumer"), chat("K1", 2, at(3, 10, 1), "agent"),
    rated("K1", at(3, 10, 5), 5),
    # first reply in time, the second question answered 5 minutes later (missed), rated 2
    chat("K2", 1, at(3, 11), "consumer"), chat("K2", 2, at(3, 11, 2), "agent"),
    chat("K2", 3, at(3, 11, 10), "consumer"), chat("K2", 4, at(3, 11, 15), "agent"),
    rated("K2", at(3, 12), 2),
    # never answered
    chat("K3", 1, at(3, 15), "consumer"),
    # asked at night, answered at 08:02: in time, not counted in the metrics
    chat("K4", 1, at(4, 2), "consumer"), chat("K4", 2, at(4, 8, 2), "agent"),
    # another merchant, answered in time
    chat("K5", 1, at(3, 10), "consumer", "M2"), chat("K5", 2, at(3, 10, 0, 30), "agent", "M2"),
]  # fmt: skip


def test_missed_slas_leave_once_and_metrics_add_up(sql_engine: sa.Engine) -> None:
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(FAR))
    report = engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(EVENTS)], "t")
    assert report.rejected == 0
    now = at(5, 12)
    got = run(sql_engine, BOOK, now)
    assert (got.conversations, got.missed) == (5, 2)
    m1 = got.metrics["M1"].as_dict()
    assert m1 == {
        "conversations": 3, "rounds": 4,
        # 60 + 120 + 300 + 600 (unanswered) over 4 rounds
        "average_response_seconds": 270.0, "reply_in_time_rate": 0.5,
        "dissatisfaction_rate": 0.5, "unanswered_conversations": 1, "missed_slas": 2, "rated": 2,
        "satisfaction_rate": 0.5, "average_stars": 3.5,  # rated 5 and 2
        "escalation_rate": 0.0, "escalated": 0,
    }  # fmt: skip
    assert got.metrics["M2"].as_dict()["reply_in_time_rate"] == 1.0
    run(sql_engine, BOOK, now + dt.timedelta(days=1))  # again: nothing new to send
    with sql_engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.outbox.c.message_id, t.outbox.c.body).where(
                t.outbox.c.topic == "service.sla_missed"
            )
        ).all()
    assert sorted(r[0] for r in rows) == ["sla:K2:1:next_reply", "sla:K3:0:first_reply"]
    bodies = {r[0]: msgspec.convert(json.loads(r[1]), SlaMissed) for r in rows}
    k2 = bodies["sla:K2:1:next_reply"]
    assert (k2.merchant_id, k2.due_at, k2.answered_at) == ("M1", at(3, 11, 13), at(3, 11, 15))
    assert bodies["sla:K3:0:first_reply"].answered_at is None


def test_as_of_an_earlier_instant_the_question_is_still_within_its_sla(
    sql_engine: sa.Engine,
) -> None:
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(FAR))
    engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(EVENTS)], "t")
    report, messages = judge_all(sql_engine, BOOK, at(3, 15, 3))  # K3's due, exactly
    assert [m.message_id for m in messages] == ["sla:K2:1:next_reply"]
    assert report.conversations == 4  # K4 not asked yet


def test_the_commands_on_a_store(tmp_path: Path) -> None:
    """`anxin service run|metrics|findings` as an operator types them (SQLite file)."""
    db = str(tmp_path / "anxin.db")
    said = ev.ChatMessagePayload(
        conversation_id="K6",
        message_id="2",
        merchant_id="M1",
        consumer_id="C1",
        sender="agent",
        text="亲，请稍等",
    )
    wait = [
        chat("K6", 1, at(3, 16), "consumer"),
        ev.ChatMessage(id="K6:2", occurred_at=at(3, 16, 1), source="t", payload=said),
    ]
    lines = b"\n".join(msgspec.json.encode(e) for e in [*EVENTS, *wait])
    (tmp_path / "chats.jsonl").write_bytes(lines + b"\n")
    cli("--db", db, "ingest", str(tmp_path / "chats.jsonl"), "--now", "2026-11-06")
    first = one_json_line(cli("--db", db, "service", "run", "--now", "2026-11-05T12:00:00+08:00"))
    # "please wait" answers the question in time: the silence after it is a finding, not an SLA
    assert first == {"conversations": 6, "missed_slas": 2, "merchants": 2, "tickets": 0,
                     "tickets_missed": 0, "escalated": 0, "auto_answers": 0}  # fmt: skip
    now = "2026-11-05T12:00:00+08:00"
    out = cli("--db", db, "service", "metrics", "--merchant", "M1", "--now", now)
    metrics = [json.loads(x) for x in out.splitlines()]
    assert [(m["merchant_id"], m["conversations"]) for m in metrics] == [("M1", 4)]
    out = cli("--db", db, "service", "findings", "--now", now)
    (finding,) = [json.loads(x) for x in out.splitlines()]
    assert finding["rule_id"] == "service_findings.please_wait_silence"
    assert [e["text"] for e in finding["evidence"]] == ["亲，请稍等"]
