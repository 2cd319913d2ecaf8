"""Replies filled with the order's live facts in both languages: shipped and not shipped, the
compensation already paid, an unknown intent, a template naming a fact that does not exist."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import build_engine, load_policy, order_rules
from anxin.clock import FixedClock
from anxin.guarantees.hall import load_hall
from anxin.service import replies
from anxin.service.replies import Template, suggest
from anxin.store.sql import SqlStore
from tests.aftersales.world import FAR, HOUR, Events
from tests.refunds.conftest import cli, one_json_line

BOOK = load_policy("douyin")
CST = BOOK.latest.calendar.zone
PAID = dt.datetime(2026, 11, 3, 10, tzinfo=CST)
NOW = PAID + 2 * HOUR


def _store(sql: sa.Engine) -> None:
    engine = build_engine(SqlStore(sql), BOOK, FixedClock(FAR))
    events = [*Events("SHIPPED").order(PAID), *Events("WAITING").order(PAID, shipped=False)]
    report = engine.ingest([(i, msgspec.json.encode(e)) for i, e in enumerate(events)], "t")
    assert report.rejected == 0


@pytest.mark.parametrize(
    ("order", "lang", "variant", "parts"),
    [
        ("SHIPPED", "zh", "shipped", ["SHIPPED", "已揽收", "11月3日11:00:00"]),
        # English says the normalized status, never the carrier's Chinese text.
        (
            "SHIPPED",
            "en",
            "shipped",
            ["SHIPPED", "picked up by the carrier", "11:00:00 on 3 November"],
        ),
        ("WAITING", "zh", "not_shipped", ["WAITING", "还未发货", "前发出"]),
        ("WAITING", "en", "not_shipped", ["WAITING", "has not shipped", "by 23:59:59 on"]),
    ],
)
def test_where_is_my_parcel(
    sql_engine: sa.Engine, order: str, lang: str, variant: str, parts: list[str]
) -> None:
    _store(sql_engine)
    hall = load_hall(sql_engine, order, BOOK, NOW, order_rules())
    reply = suggest(hall, "where_is_my_parcel", lang, CST)  # type: ignore[arg-type]
    assert (reply.intent, reply.variant, reply.settles) == ("where_is_my_parcel", variant, True)
    for part in parts:
        assert part in reply.text, reply.text
    assert "{" not in reply.text


def test_an_unknown_intent_gets_the_general_reply(sql_engine: sa.Engine) -> None:
    _store(sql_engine)
    hall = load_hall(sql_engine, "SHIPPED", BOOK, NOW, order_rules())
    reply = suggest(hall, "astrology", "en", CST)
    assert (reply.intent, reply.settles) == ("other", False)
    assert reply.text.startswith("How can we help you? Order SHIPPED")


def test_every_packaged_template_fills_in_both_languages(sql_engine: sa.Engine) -> None:
    _store(sql_engine)
    for order in ("SHIPPED", "WAITING"):
        hall = load_hall(sql_engine, order, BOOK, NOW, order_rules())
        for intent in replies.templates():
            for lang in ("zh", "en"):
                text = suggest(hall, intent, lang, CST).text  # type: ignore[arg-type]
                assert text
                assert "{" not in text


def test_a_template_naming_an_unknown_fact_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = Template(zh="{tracking}", en="{tracking}")
    with pytest.raises(KeyError):
        bad.zh.format(order_id="O1")
    replies.templates.cache_clear()
    monkeypatch.setattr(replies.resources, "files", lambda _: _Fake())
    with pytest.raises(ValueError, match=r"unknown \{'tracking'\}"):
        replies.templates()
    replies.templates.cache_clear()


class _Fake:
    def joinpath(self, _: str) -> _Fake:
        return self

    def read_text(self, _: str) -> str:
        return "other:\n  default: {zh: '{tracking}', en: '{order_id}'}\n"


def test_the_command(tmp_path: Path) -> None:
    db = str(tmp_path / "anxin.db")
    events = Events("SHIPPED").order(PAID)
    (tmp_path / "o.jsonl").write_bytes(b"\n".join(msgspec.json.encode(e) for e in events) + b"\n")
    cli("--db", db, "ingest", str(tmp_path / "o.jsonl"), "--now", "2026-11-04")
    got = one_json_line(cli("--db", db, "service", "suggest", "SHIPPED", "--intent",
                            "where_is_my_parcel", "--lang", "en", "--now",
                            NOW.isoformat()))  # fmt: skip
    assert got["variant"] == "shipped"
    assert "picked up by the carrier" in got["text"]
    assert "已揽收" not in got["text"]
    assert json.loads(json.dumps(got["facts"]))["order_id"] == "SHIPPED"
