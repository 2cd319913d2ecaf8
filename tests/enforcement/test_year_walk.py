"""A merchant walks through a year of each violation type, for each pack: every rung of the
ladder in turn (the last one repeating), each measure lifted when it ends, the count reset at
the natural year's end (or the rolling window's), and an upheld appeal taking a violation out
of the count."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import from_us
from anxin.enforcement.appeals import decide_appeal, file_appeal
from anxin.enforcement.config import VIOLATION_TYPES, EnforcementConfig
from anxin.enforcement.facts import MerchantFacts
from anxin.enforcement.run import config_of, run
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t
from tests.enforcement.days import industry_peer, judged_on, put

# (book, first day of the walk): each walk crosses a year boundary under one pack version.
WALKS = {
    "douyin-2025-09-29": ("douyin", dt.date(2025, 10, 6)),
    "douyin-2026-08-10": ("douyin", dt.date(2026, 8, 17)),
    "tmall-2026-04-09": ("tmall", dt.date(2026, 5, 4)),
    "amazon-2016-01-01": ("amazon", dt.date(2025, 5, 5)),
}
GAP = 21  # days between bad days: longer than most measures, shorter than a year / 6
BOOKS: dict[str, PolicyBook] = {}


def _book(name: str) -> PolicyBook:
    if name not in BOOKS:
        BOOKS[name] = load_policy(name)
    return BOOKS[name]


def _cases() -> list[tuple[str, str]]:
    out = []
    for walk, (name, start) in WALKS.items():
        config = config_of(
            _book(name).in_force(dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC))
        )
        out += [(walk, ty) for ty in VIOLATION_TYPES if getattr(config.violations, ty)]
    return out


def _run_after(
    sql: sa.Engine,
    book: PolicyBook,
    config: EnforcementConfig,
    day: dt.date,
    facts: dict[str, MerchantFacts],
) -> dt.datetime:
    zone = book.latest.calendar.zone
    now = dt.datetime.combine(
        day + dt.timedelta(days=config.settle_days + 1), dt.time(1), tzinfo=zone
    )
    run(sql, book, now, facts=facts)
    return now


def _violations(sql: sa.Engine, type_: str) -> list[sa.Row[tuple[object, ...]]]:
    v = t.violations.c
    with sql.connect() as conn:
        return list(
            conn.execute(
                sa.select(t.violations)
                .where(v.merchant_id == "M1", v.type == type_)
                .order_by(v.day)
            )
        )


def _measures(sql: sa.Engine, violation_id: str) -> list[sa.Row[tuple[object, ...]]]:
    c = t.measures.c
    with sql.connect() as conn:
        return list(
            conn.execute(
                sa.select(t.measures).where(c.violation_id == violation_id).order_by(c.measure_id)
            )
        )


@pytest.mark.parametrize(("walk", "type_"), _cases())
def test_a_year_of_violations(sql_engine: sa.Engine, walk: str, type_: str) -> None:
    name, start = WALKS[walk]
    book = _book(name)
    zone = book.latest.calendar.zone
    config = config_of(book.in_force(dt.datetime.combine(start, dt.time(12), tzinfo=zone)))
    rule = getattr(config.violations, type_)
    ladder = rule.tiers[0].ladder if hasattr(rule, "tiers") else rule.ladder
    rungs = len(config.ladders[ladder])
    m = MerchantFacts(industry="apparel")
    facts = {"M1": m}
    counting = config.counting
    # Enough bad days to climb every rung and repeat the last, all before the period ends.
    bad: list[dt.date] = []
    day = start
    room = (dt.date(start.year, 12, 20) - start).days // (rungs + 1)
    gap = min(GAP, room) if counting.period == "natural_year" else GAP
    for _ in range(rungs + 1):
        bad.append(day)
        day += dt.timedelta(days=gap)
    if counting.period == "natural_year":
        assert bad[-1].year == start.year, "the walk must fit in one year"
        after_reset = dt.date(start.year + 1, 1, 12)
    else:  # rolling: past the window after the last one
        assert counting.days is not None
        after_reset = bad[-1] + dt.timedelta(days=counting.days + GAP)
    appealed = 1 if len(bad) > 2 else None  # the second violation is appealed and upheld
    expected_nth = 0
    seen: list[str] = []
    for i, d in enumerate([*bad, after_reset]):
        done = put(m, type_, d, config)
        if type_ == "unjustified_refusal":
            facts["PEER"] = industry_peer(m, sorted(m.days))
        now = _run_after(sql_engine, book, config, done, facts)
        rows = _violations(sql_engine, type_)
        new = [r for r in rows if r.violation_id not in seen]
        assert len(new) == 1, (d, [r.violation_id for r in new])
        v = new[0]
        seen.append(v.violation_id)
        assert v.day == judged_on(type_, done).isoformat()
        expected_nth = 1 if d == after_reset and counting.period != "rolling" else expected_nth + 1
        if d == after_reset and counting.period == "rolling":
            expected_nth = 1
        assert v.nth == expected_nth, (d, v.violation_id)
        rung = config.ladder(ladder, v.nth)
        measures = _measures(sql_engine, v.violation_id)
        assert [x.kind for x in measures] == [s.kind for s in rung.measures]
        explanation = json.loads(v.explanation)
        assert explanation["rung"] == v.nth
        assert explanation["facts"]
        assert explanation["notice"]["zh"]
        assert explanation["notice"]["en"]
        # Every earlier measure that ended by now has been lifted, when it ended.
        c = t.measures.c
        with sql_engine.connect() as conn:
            for x in conn.execute(sa.select(t.measures).where(c.ends_at_us.is_not(None))):
                if from_us(x.ends_at_us) <= now:
                    assert x.status in ("lifted", "reverted"), x.measure_id
                    if x.status == "lifted":
                        assert x.lifted_at_us <= x.ends_at_us
                else:
                    assert x.status in ("active", "reverted")
        if i == appealed:
            filed = file_appeal(
                sql_engine,
                book,
                v.violation_id,
                "M1",
                "the parcels were lost",
                now + dt.timedelta(hours=1),
            )
            decide_appeal(
                sql_engine,
                filed.appeal_id,
                upheld=True,
                decided_by="op",
                decision="carrier fault proven",
                at=now + dt.timedelta(hours=2),
            )
            expected_nth -= 1  # the reverted violation no longer counts
            assert {x.status for x in _measures(sql_engine, v.violation_id)} <= {"reverted"}
    with sql_engine.connect() as conn:
        statuses = dict(
            conn.execute(sa.select(t.violations.c.violation_id, t.violations.c.status)).all()
        )
    assert list(statuses.values()).count("reverted") == (1 if appealed is not None else 0)
