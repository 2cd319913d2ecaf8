"""The same after-sales story on every store: the in-memory fake, SQLite and PostgreSQL record
the same decisions, ledger rows and messages (PostgreSQL skipped without ANXIN_TEST_PG_URL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from anxin.application import load_policy
from anxin.contract import events as ev

from .world import HOUR, PAID, Events, Outcome, engine_on, ingest, outcome

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN)
EV = Events()
BOOK = load_policy("douyin")


def story() -> list[list[ev.Event]]:
    """Three cases in two batches, the second arriving first: a silence approved then paid, a
    return refused then escalated and refunded by the platform from the carrier, and a request
    for more than the other two left."""
    first = [
        *EV.order(T0 - 10 * HOUR),
        EV.requested("A", T0, amount=3_000),
        EV.requested("B", T0 + HOUR, "return_refund", 5_000),
        EV.responded("B", T0 + 2 * HOUR, "refuse"),
    ]
    second = [
        EV.escalated("B", T0 + 3 * HOUR),
        EV.resolved("B", T0 + 4 * HOUR, "refunded", "platform", 5_000, "carrier"),
        EV.requested("C", T0 + 5 * HOUR, amount=PAID),  # only 2,000 is left
        EV.resolved("A", T0 + 60 * HOUR, "refunded", "system", 3_000),
    ]
    return [second, first]


def run(store: str, tmp: Path | None = None, url: str | None = None) -> Outcome:
    with engine_on(store, BOOK, tmp, url) as engine:
        for batch in story():
            ingest(engine, batch)
        engine.tick(T0 + dt.timedelta(days=30))
        engine.tick(T0 + dt.timedelta(days=30))  # a second ticker finds nothing left to do
        return outcome(engine)


def expected_kinds(got: Outcome) -> None:
    assert sorted(i.removeprefix("order:O1:aftersales:") for i in got.decisions) == [
        "A:granted", "A:paid", "B:granted", "B:paid",
    ]  # fmt: skip
    assert got.refunded() == 8_000
    assert {k: sum(a for _, _, a in rows if a > 0) for k, rows in got.ledger.items()} == {
        "refund:A:granted": 3_000,
        "refund:A:paid": 3_000,
        "refund:B:granted": 5_000,
        "refund:B:paid": 5_000,
    }
    assert ("carrier:SF", "CNY", -5_000) in got.ledger["refund:B:granted"]
    assert [m[1]["aftersale_id"] for m in got.outbox.values()] == ["A"]  # B was refunded already


def test_memory_and_sqlite_record_the_same(tmp_path: Path) -> None:
    memory = run("memory")
    expected_kinds(memory)
    assert run("sqlite", tmp_path) == memory


def test_postgresql_records_the_same(pg_url: str) -> None:
    memory = run("memory")
    assert run("postgres", url=pg_url) == memory
