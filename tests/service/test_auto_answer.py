"""Automatic answers: the keyword intent table (Chinese and English), and the opt-in through the
run on SQLite and PostgreSQL (off: nothing leaves; on: the facts' answer leaves once)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import build_engine, load_policy, order_rules
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.delivery.messages import AutoAnswer
from anxin.service import views
from anxin.service.autoanswer import intent_of, lang_of, settling
from anxin.service.replies import templates
from anxin.service.run import run
from anxin.store import schema as t
from anxin.store.sql import SqlStore
from tests.api.world import PAID, order_events
from tests.refunds.conftest import cli, one_json_line

BOOK = load_policy("douyin")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我的快递到哪了", "where_is_my_parcel"),
        ("物流怎么一直不动", "where_is_my_parcel"),
        ("Where is my parcel?", "where_is_my_parcel"),
        ("can I have the TRACKING number", "where_is_my_parcel"),
        ("什么时候发货呀", "delivery_time"),
        ("When will it ship?", "delivery_time"),
        ("退款到哪一步了", "refund"),  # 退款 before 到哪: the refund's state
        ("I want my money back", "refund"),
        ("我要投诉，快递到哪了", "complaint"),  # a person must handle a complaint
        ("退货退款", "return"),
        ("我要人工", "human_agent"),
        ("你好", "other"),
        ("hello", "other"),
    ],
)
def test_the_keyword_intent_table(text: str, intent: str) -> None:
    assert intent_of(text) == intent


def test_the_language_and_the_settling_intents() -> None:
    assert (lang_of("快递 where"), lang_of("where is it")) == ("zh", "en")
    assert settling(templates()) == {"where_is_my_parcel", "delivery_time", "refund"}


def _said(cid: str, n: int, minutes: int, sender: str, text: str, order: str) -> bytes:
    payload = ev.ChatMessagePayload(conversation_id=cid, message_id=f"{cid}-{n}",
                                    merchant_id="MA", consumer_id="CA", sender=sender,
                                    order_id=order, text=text)  # type: ignore[arg-type]  # fmt: skip
    at = PAID + dt.timedelta(hours=1, minutes=minutes)
    return msgspec.json.encode(ev.ChatMessage(id=f"{cid}-{n}", occurred_at=at, source="t",
                                              payload=payload))  # fmt: skip


CHATS = [
    _said("K1", 0, 0, "consumer", "亲，我的快递到哪了", "OA"),  # settles: answered once
    _said("K2", 0, 0, "consumer", "我要投诉", "OA"),  # a complaint: a person answers
    _said("K3", 0, 0, "consumer", "where is my parcel", "OB"),  # another shop's order
    _said("K4", 0, 0, "consumer", "退款呢", "OA"),
    _said("K4", 1, 1, "agent", "在处理", "OA"),  # already answered by a person
]


def _answers(sql: sa.Engine) -> list[tuple[str, str]]:
    o = t.outbox.c
    with sql.connect() as conn:
        q = sa.select(o.message_id, o.body).where(o.topic == "service.auto_answer")
        return [(r[0], r[1]) for r in conn.execute(q.order_by(o.message_id))]


def test_an_opted_in_merchant_answers_once_where_the_facts_settle(sql_engine: sa.Engine) -> None:
    engine = build_engine(SqlStore(sql_engine), BOOK, FixedClock(PAID + dt.timedelta(days=1)))
    lines = [*order_events("OA", "MA", "CA"), *order_events("OB", "MB", "CB"), *CHATS]
    assert engine.ingest(list(enumerate(lines)), "t").rejected == 0
    now = PAID + dt.timedelta(hours=2)
    off = run(sql_engine, BOOK, now, order_rules())
    assert (off.auto_answers, _answers(sql_engine)) == (0, [])
    views.set_auto_answer(sql_engine, "MA", True, "test", now)
    on = run(sql_engine, BOOK, now, order_rules())
    assert on.auto_answers == 1
    ((message_id, body),) = _answers(sql_engine)
    answer = msgspec.convert(json.loads(body), AutoAnswer)
    assert message_id == "auto:K1:K1-0"
    assert (answer.intent, answer.lang, answer.order_id, answer.merchant_id) == (
        "where_is_my_parcel", "zh", "OA", "MA")  # fmt: skip
    assert "OA" in answer.text
    assert "还未发货" in answer.text  # not shipped: the ship-by promise
    again = run(sql_engine, BOOK, now + dt.timedelta(minutes=5), order_rules())
    assert (again.auto_answers, len(_answers(sql_engine))) == (0, 1)
    views.set_auto_answer(sql_engine, "MA", False, "test", now)
    assert views.auto_answer(sql_engine, "MA").enabled is False


def test_the_opt_in_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "anxin.db")
    cli("--db", db, "db", "upgrade")
    on = one_json_line(cli("--db", db, "service", "auto-answer", "MA", "--on"))
    assert (on["merchant_id"], on["enabled"], on["updated_by"]) == ("MA", True, "cli")
    shown = one_json_line(cli("--db", db, "service", "auto-answer", "MA"))
    assert shown["enabled"] is True
    off = one_json_line(cli("--db", db, "service", "auto-answer", "MA", "--off"))
    assert off["enabled"] is False
