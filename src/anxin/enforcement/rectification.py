"""整改 (rectification): a merchant given a measure gets a plan — the indicators to fix, their
targets and a deadline — tracked every day from the same counters the violations come from.
A plan completes when its targets hold on the pack's number of days in a row (days with facts),
and completing it lifts the measures that wait for the cure (``lift: cured``); a plan still
short at its deadline fails (its measures stay until they expire, or for good).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from anxin.domain.effects import OutboxMessage
from anxin.domain.wording import Text
from anxin.enforcement.config import EnforcementConfig, Target
from anxin.enforcement.facts import Day, MerchantDays
from anxin.enforcement.violations import Found
from anxin.policy.pack import PolicyPack
from anxin.store import schema as t
from anxin.store.sql import SqlTx


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# What a plan can target, from one day's counters (None: no facts that day).
INDICATORS: dict[str, Callable[[Day], float | None]] = {
    "late_rate": lambda d: _ratio(d.late, d.due),
    "out_of_stock_share": lambda d: _ratio(d.out_of_stock, d.paid),
    "anomaly_rate": lambda d: _ratio(d.anomaly, d.shipped),
    "fraud_orders": lambda d: float(d.fraud) if d.paid else None,
    "non_delivery": lambda d: float(d.non_delivery) if d.due else None,
    "broken_promise_share": lambda d: _ratio(d.promise_broken, d.promised),
    "average_response_seconds": lambda d: _ratio(d.response_seconds, d.rounds),
    "unanswered_sessions": lambda d: float(d.unanswered) if d.sessions else None,
    "refusal_rate": lambda d: _ratio(d.refusals, d.responses),
    "unjustified_refusals": lambda d: float(d.unjustified) if d.responses else None,
    "overdue_tickets": lambda d: float(d.tickets_overdue) if d.tickets else None,
}


def meets(target: Target, value: float) -> bool:
    return value <= target.value if target.op == "<=" else value >= target.value


def day_progress(d: Day, targets: list[Target]) -> dict[str, float] | None:
    """Each indicator's value that day, or None when a target has no facts that day."""
    out: dict[str, float] = {}
    for target in targets:
        value = INDICATORS[target.indicator](d)
        if value is None:
            return None
        out[target.indicator] = round(value, 6)
    return out


def completed_on(
    progress: dict[dt.date, dict[str, float]], targets: list[Target], needed: int
) -> dt.date | None:
    """The first day ending ``needed`` days in a row (days with facts) that meet every target."""
    run = 0
    for day in sorted(progress):
        values = progress[day]
        if all(meets(tg, values[tg.indicator]) for tg in targets):
            run += 1
            if run >= needed:
                return day
        else:
            run = 0
    return None


def plan_notice(status: str, type_: str, deadline: dt.date) -> Text:
    """What the merchant reads about its plan: open, completed or failed."""
    from anxin.enforcement.notices import NAMES

    name = NAMES.get(type_, Text(type_, type_))
    match status:
        case "open":
            return Text(f"整改通知：请在 {deadline.isoformat()} 前改善「{name.zh}」相关指标。",
                        f"Rectification: bring the {name.en} indicators to target by "
                        f"{deadline.isoformat()}.")  # fmt: skip
        case "completed":
            return Text(f"整改完成：「{name.zh}」指标已达标，相关措施解除。",
                        f"Rectification completed: the {name.en} indicators are on target; "
                        "the measures waiting for it are lifted.")  # fmt: skip
    return Text(f"整改未完成：「{name.zh}」指标未在 {deadline.isoformat()} 前达标。",
                f"Rectification failed: the {name.en} indicators were not on target by "
                f"{deadline.isoformat()}.")  # fmt: skip


def _message(row: dict[str, Any], type_: str, now: dt.datetime) -> OutboxMessage:
    deadline = dt.date.fromisoformat(row["deadline_day"])
    words = plan_notice(row["status"], type_, deadline)
    return OutboxMessage(
        f"{row['plan_id']}:{row['status']}", "enforcement.rectification",
        f"merchant:{row['merchant_id']}", now,
        {"plan_id": row["plan_id"], "merchant_id": row["merchant_id"], "status": row["status"],
         "cause": row["cause"], "deadline_day": row["deadline_day"],
         "targets": json.loads(row["targets"]), "notice": {"zh": words.zh, "en": words.en}},
    )  # fmt: skip


def open_plans(
    tx: SqlTx,
    found: list[Found],
    known: set[str],
    config: EnforcementConfig,
    now: dt.datetime,
    pack: PolicyPack,
) -> int:
    """A plan for each new violation whose type has targets, unless one is already open for
    the merchant and type."""
    rules = config.rectification
    if rules is None:
        return 0
    p = t.rectification_plans.c
    opened = 0
    for f in found:
        targets = rules.targets.get(f.type)
        if f.violation_id in known or not targets:
            continue
        prefix = f"{f.merchant_id}:{f.type}:"
        busy = tx.conn.execute(
            sa.select(p.plan_id).where(p.plan_id.startswith(prefix), p.status == "open")
        ).first()
        if busy is not None:
            continue
        # The day a daily run would have told the merchant (its facts settled), even when a
        # catch-up run finds it later: the plan's days are counted from there.
        start = f.day + dt.timedelta(days=config.settle_days + 1)
        row = {
            "plan_id": f"{prefix}{start.isoformat()}", "merchant_id": f.merchant_id,
            "opened_day": start.isoformat(),
            "deadline_day": (start + dt.timedelta(days=rules.deadline_days)).isoformat(),
            "cause": f.violation_id, "status": "open",
            "targets": json.dumps([{"indicator": tg.indicator, "op": tg.op, "value": tg.value}
                                   for tg in targets]),
            "progress": "{}", "closed_day": None,
        }  # fmt: skip
        tx.add_ignoring_repeats(t.rectification_plans, [row])
        tx.add_outbox([_message(row, f.type, now)])
        opened += 1
    return opened


def open_score_plans(
    tx: SqlTx, config: EnforcementConfig, through: dt.date, now: dt.datetime, pack: PolicyPack
) -> int:
    """A plan for each merchant whose latest score (a day up to ``through``) is below the
    pack's line, unless a score plan is already open for it (cause ``score:<day>``)."""
    rules = config.rectification
    if rules is None or rules.score_below is None:
        return 0
    s, p = t.merchant_scores.c, t.rectification_plans.c
    latest = (
        sa.select(s.merchant_id, sa.func.max(s.day).label("day"))
        .where(s.day <= through.isoformat())
        .group_by(s.merchant_id)
        .subquery()
    )
    rows = tx.conn.execute(
        sa.select(s.merchant_id, s.day, s.score).join(
            latest, sa.and_(s.merchant_id == latest.c.merchant_id, s.day == latest.c.day)
        )
    ).all()
    line = Decimal(str(rules.score_below))
    targets = json.dumps([{"indicator": tg.indicator, "op": tg.op, "value": tg.value}
                          for tg in rules.score_targets])  # fmt: skip
    opened = 0
    for merchant, day, score in sorted(rows):
        if Decimal(score) >= line:
            continue
        prefix = f"{merchant}:score:"
        busy = tx.conn.execute(
            sa.select(p.plan_id).where(p.plan_id.startswith(prefix), p.status == "open")
        ).first()
        if busy is not None:
            continue
        start = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        plan_id = f"{prefix}{start.isoformat()}"
        if tx.conn.execute(sa.select(p.plan_id).where(p.plan_id == plan_id)).first() is not None:
            continue  # this low score already had its plan (closed since)
        row = {
            "plan_id": plan_id, "merchant_id": merchant,
            "opened_day": start.isoformat(),
            "deadline_day": (start + dt.timedelta(days=rules.deadline_days)).isoformat(),
            "cause": f"score:{day}", "status": "open", "targets": targets, "progress": "{}",
            "closed_day": None,
        }  # fmt: skip
        tx.add_ignoring_repeats(t.rectification_plans, [row])
        tx.add_outbox([_message(row, "score", now)])
        opened += 1
    return opened


def track_plans(
    tx: SqlTx,
    facts: MerchantDays,
    config: EnforcementConfig,
    through: dt.date,
    now: dt.datetime,
    pack: PolicyPack,
) -> int:
    """Update every open plan's daily progress; complete or fail it. Returns plans closed."""
    from anxin.enforcement.run import lift_measure

    rules = config.rectification
    if rules is None:
        return 0
    p = t.rectification_plans.c
    closed = 0
    for row in tx.conn.execute(sa.select(t.rectification_plans).where(p.status == "open")).all():
        plan = dict(row._mapping)
        type_ = plan["plan_id"][len(plan["merchant_id"]) + 1 :].split(":")[0]
        targets = [Target(**x) for x in json.loads(plan["targets"])]
        opened = dt.date.fromisoformat(plan["opened_day"])
        deadline = dt.date.fromisoformat(plan["deadline_day"])
        m = facts.get(plan["merchant_id"])
        progress: dict[dt.date, dict[str, float]] = {}
        day = opened
        while m is not None and day <= min(through, deadline):
            values = day_progress(m.days.get(day, Day()), targets)
            if values is not None:
                progress[day] = values
            day += dt.timedelta(days=1)
        done = completed_on(progress, targets, rules.days_in_a_row)
        status = "completed" if done else "failed" if through >= deadline else "open"
        values_json = json.dumps({d.isoformat(): v for d, v in sorted(progress.items())})
        tx.conn.execute(
            sa.update(t.rectification_plans).where(p.plan_id == plan["plan_id"]).values(
                progress=values_json, status=status,
                closed_day=(done or deadline).isoformat() if status != "open" else None)
        )  # fmt: skip
        if status == "open":
            continue
        closed += 1
        plan["status"] = status
        tx.add_outbox([_message(plan, type_, now)])
        if status == "completed" and done is not None:
            _lift_cured(tx, plan["merchant_id"], type_, done, now, pack, lift_measure)
    return closed


def _lift_cured(
    tx: SqlTx,
    merchant_id: str,
    type_: str,
    done: dt.date,
    now: dt.datetime,
    pack: PolicyPack,
    lift_measure: Callable[[SqlTx, Any, dt.datetime, str], None],
) -> None:
    c = t.measures.c
    v = t.violations.c
    zone = pack.calendar.zone
    at = dt.datetime.combine(done + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    rows = tx.conn.execute(
        sa.select(c.measure_id, c.violation_id, c.merchant_id, c.kind, c.amount, c.currency)
        .join(t.violations, v.violation_id == c.violation_id)
        .where(c.merchant_id == merchant_id, c.status == "active", c.lift == "cured",
               v.type == type_)
    ).all()  # fmt: skip
    for r in rows:
        lift_measure(tx, r, min(at, now), "rectified")
