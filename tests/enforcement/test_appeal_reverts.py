"""An upheld appeal leaves the ledger, the score's deductions, the measures in force and the
merchant's privileges exactly as if the violation had never been recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import to_us
from anxin.enforcement.appeals import decide_appeal, file_appeal
from anxin.enforcement.facts import Day, MerchantFacts
from anxin.enforcement.run import config_of, run
from anxin.score.privileges import PrivilegesConfig, daily_facts, evaluate
from anxin.score.project import _enforcement_deductions
from anxin.store import schema as t
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.standing import measures_in_force

BOOK = load_policy("douyin")
ZONE = BOOK.latest.calendar.zone
CONFIG = config_of(BOOK.latest)
FIRST = dt.date(2026, 9, 1)
SECOND = dt.date(2026, 9, 15)
LATER = dt.datetime(2026, 9, 30, 9, tzinfo=ZONE)  # the first violation's measures still run
PRIVILEGES: PrivilegesConfig = BOOK.latest.rule("privileges")
# A merchant whose score alone would earn every privilege: only measures can withdraw one.
GOOD = daily_facts(
    score=90.0,
    formal=True,
    dimensions={"product": 90.0, "logistics": 90.0, "service": 90.0},
    sums={"violations": 0, "aftersales": 10, "aftersales_agreed": 10,
          "shipped_orders": 100, "returned_orders": 10},
    valid_orders=100,
    large_items=False,
    yesterday=90.0,
)  # fmt: skip


def _after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        day + dt.timedelta(days=CONFIG.settle_days + 1), dt.time(1), tzinfo=ZONE
    )


def _facts(second_breaks: bool) -> dict[str, MerchantFacts]:
    days = {
        d: Day(paid=40, gmv=40 * 150_00, shipped=40)
        for d in (FIRST - dt.timedelta(days=i) for i in range(30))
    }
    days[FIRST] = Day(paid=40, gmv=40 * 150_00, shipped=40, fraud=3)
    days[SECOND] = Day(paid=40, gmv=40 * 150_00, shipped=40, fraud=3 if second_breaks else 0)
    return {"M1": MerchantFacts(industry="apparel", days=days)}


def _state(sql: sa.Engine) -> dict[str, object]:
    e = t.ledger_entries.c
    c = t.measures.c
    with sql.connect() as conn:
        balances = {
            (a, cur): int(total)
            for a, cur, total in conn.execute(
                sa.select(e.account, e.currency, sa.func.sum(e.amount)).group_by(
                    e.account, e.currency
                )
            )
            if total
        }
        in_force = sorted(
            (m.merchant_id, m.kind, m.starts_at_us)
            for m in conn.execute(sa.select(t.measures).where(c.status == "active"))
            if m.ends_at_us is None or m.ends_at_us > to_us(LATER)
        )
        deductions: list[dict[str, object]] = []
        counted = sorted(
            (v.type, v.nth)
            for v in conn.execute(sa.select(t.violations).where(t.violations.c.status == "active"))
        )
    with sql.begin() as conn:
        conn.execute(t.score_adjustments.delete())
        _enforcement_deductions(conn, BOOK)
        deductions = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(t.score_adjustments.c.kind, t.score_adjustments.c.at_us)
            )
        ]
    return {
        "balances": balances,
        "in_force": in_force,
        "deductions": deductions,
        "violations": counted,
        "privileges": _privileges(sql),
    }


def _privileges(sql: sa.Engine) -> dict[dt.date, list[str]]:
    """The privileges refused on each day from the first violation to LATER (the daily run's
    verdicts for a merchant whose facts earn them all)."""
    out: dict[dt.date, list[str]] = {}
    day = FIRST
    with sql.connect() as conn:
        while day <= LATER.date():
            start = dt.datetime.combine(day, dt.time(), tzinfo=ZONE)
            span = (to_us(start), to_us(start + dt.timedelta(days=1)))
            measures = measures_in_force(conn, ["M1"], *span).get("M1", [])
            verdicts = evaluate(GOOD, PRIVILEGES, measures)
            out[day] = sorted(p for p, v in verdicts.items() if not v.granted)
            day += dt.timedelta(days=1)
    return out


def test_an_upheld_appeal_is_as_if_the_violation_never_was(new_db_url: Callable[[], str]) -> None:
    engines = []
    for _ in range(2):
        engine = make_engine(new_db_url())
        upgrade(engine)
        engines.append(engine)
    appealed, clean = engines
    # Both merchants break the rule on FIRST; only the appealed one on SECOND.
    for sql, second in ((appealed, True), (clean, False)):
        run(sql, BOOK, _after(FIRST), facts=_facts(second))
        run(sql, BOOK, _after(SECOND), facts=_facts(second))
    vid = f"M1:fraud_shipping:{SECOND.isoformat()}"
    with appealed.connect() as conn:
        kinds = [
            r.kind
            for r in conn.execute(sa.select(t.measures).where(t.measures.c.violation_id == vid))
        ]
    # The second rung reaches money, the score, listings and presale.
    assert {"deposit_deduction", "settlement_freeze", "score_deduction", "presale_off"} <= set(
        kinds
    )
    assert _state(appealed) != _state(clean)
    # Presale is withdrawn while the second violation's measures run.
    assert "presale" in _state(appealed)["privileges"][SECOND + dt.timedelta(days=9)]  # type: ignore[index]
    filed = file_appeal(
        appealed,
        BOOK,
        vid,
        "M1",
        "the carrier lost the goods",
        _after(SECOND) + dt.timedelta(days=2),
    )
    reverted = decide_appeal(
        appealed,
        filed.appeal_id,
        upheld=True,
        decided_by="op",
        decision="carrier's fault",
        at=_after(SECOND) + dt.timedelta(days=5),
    )
    assert sorted(reverted) == sorted(f"{vid}:{i}:{k}" for i, k in enumerate(kinds))
    for sql in engines:
        run(sql, BOOK, LATER, facts=_facts(sql is appealed))
    assert _state(appealed) == _state(clean)
    # The trail stays: the violation, its measures and the appeal are kept, marked.
    with appealed.connect() as conn:
        assert (
            conn.execute(
                sa.select(t.violations.c.status).where(t.violations.c.violation_id == vid)
            ).scalar()
            == "reverted"
        )
        topics = [r[0] for r in conn.execute(sa.select(t.outbox.c.topic))]
    assert "enforcement.appeal_decided" in topics
    for engine in engines:
        engine.dispose()
