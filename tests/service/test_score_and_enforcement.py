"""A missed reply SLA moves the score's chat indicator and enforcement's negative-service facts
for the same merchant-day (SQLite and PostgreSQL, the store's own projections): two shops with
the same conversation, one answering in a minute (hit), the other in twenty (missed). All three
read the service's rounds and count service time (a night's wait is not held against a shop)."""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.enforcement.project import merchant_days
from anxin.enforcement.run import config_of
from anxin.score import project
from anxin.score.engines import open_source
from anxin.score.run import gather, score_config
from anxin.service.run import judge_all
from anxin.store.sql import SqlStore

BOOK = load_policy("douyin")
PACK = BOOK.latest
CST = PACK.calendar.zone
ASKED = dt.datetime(2026, 11, 3, 10, 0, tzinfo=CST)


def _events(merchant: str, answer_after: dt.timedelta, asked: dt.datetime = ASKED) -> list[bytes]:
    shop = ev.MerchantPayload(merchant_id=merchant, industry="apparel")
    out: list[ev.Event] = [ev.MerchantRegistered(id=f"reg-{merchant}", source="t",
                                                  occurred_at=asked - dt.timedelta(days=40),
                                                  payload=shop)]  # fmt: skip
    for n, (sender, at) in enumerate([("consumer", asked), ("agent", asked + answer_after)]):
        p = ev.ChatMessagePayload(conversation_id=f"K-{merchant}", message_id=str(n),
                                  merchant_id=merchant, consumer_id="C1", sender=sender,
                                  text="在吗")  # type: ignore[arg-type]  # fmt: skip
        out.append(ev.ChatMessage(id=f"K-{merchant}-{n}", occurred_at=at, source="t", payload=p))
    return [msgspec.json.encode(e) for e in out]


def test_a_missed_reply_sla_moves_the_score_and_the_enforcement_facts(
    db_url: str, sql_engine: sa.Engine
) -> None:
    now = ASKED + dt.timedelta(days=1)
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(now))
    lines = [*_events("M1", dt.timedelta(minutes=1)), *_events("M2", dt.timedelta(minutes=20))]
    assert engine.ingest(list(enumerate(lines)), "t").rejected == 0

    report, _ = judge_all(sql_engine, BOOK, now)  # the service's judgement
    assert {m: x.missed for m, x in report.metrics.items()} == {"M1": 0, "M2": 1}
    assert {m: x.average_response_seconds for m, x in report.metrics.items()} == {
        "M1": 60.0, "M2": 1200.0}  # fmt: skip

    project.rebuild(sql_engine, BOOK)  # the score's facts, then its indicator
    name = "sqlite" if sql_engine.dialect.name == "sqlite" else "postgres"
    with open_source(name, db=db_url) as source:  # type: ignore[arg-type]
        inputs = {m.merchant_id: m for m in gather(source, now, score_config(PACK))}
    minutes = {m: x.values["chat_response_minutes"] for m, x in inputs.items()}
    assert minutes == {"M1": 1.0, "M2": 20.0}

    days = merchant_days(sql_engine, BOOK, config_of(PACK), now)  # enforcement's facts
    day = ASKED.date()
    got = {m: (f.days[day].rounds, f.days[day].response_seconds) for m, f in days.items()}
    assert got == {"M1": (1, 60), "M2": (1, 1200)}


def test_a_question_across_the_night_waits_the_same_service_minutes_for_all_three(
    db_url: str, sql_engine: sa.Engine
) -> None:
    """Asked at 22:58, answered at 08:01: 3 service minutes (a hit) for the service, and the
    same 3 minutes in the score's indicator and enforcement's day, not 543 natural minutes."""
    asked = dt.datetime(2026, 11, 3, 22, 58, tzinfo=CST)
    now = asked + dt.timedelta(days=1)
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(now))
    lines = _events("M3", dt.timedelta(hours=9, minutes=3), asked)
    assert engine.ingest(list(enumerate(lines)), "t").rejected == 0
    report, _ = judge_all(sql_engine, BOOK, now)
    assert report.metrics["M3"].missed == 0
    assert report.metrics["M3"].average_response_seconds == 180.0
    project.rebuild(sql_engine, BOOK)
    name = "sqlite" if sql_engine.dialect.name == "sqlite" else "postgres"
    with open_source(name, db=db_url) as source:  # type: ignore[arg-type]
        inputs = {m.merchant_id: m for m in gather(source, now, score_config(PACK))}
    assert inputs["M3"].values["chat_response_minutes"] == 3.0
    days = merchant_days(sql_engine, BOOK, config_of(PACK), now)
    d = days["M3"].days[asked.date()]
    assert (d.rounds, d.response_seconds) == (1, 180)
