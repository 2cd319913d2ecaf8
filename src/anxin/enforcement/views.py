"""The enforcement read model: violations as the merchant reads them (notices), measures,
appeals and rectification plans, and the operator's queues. One shape for the CLI
(``anxin violations list|show``, ``anxin appeals list``) and the HTTP API.

Money is ``{amount, currency}`` in minor units; instants are aware, in the zone the caller
passes (the pack's), so they serialise as ISO 8601 with their offset. Every row that carries
words carries them as ``notice: {zh, en}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.contract.events import Money
from anxin.domain.wording import Text
from anxin.enforcement.rectification import plan_notice
from anxin.store import schema as t


class MeasureSummary(msgspec.Struct):
    """A measure named on its violation's notice (the whole measure: ``measures``)."""

    measure_id: str
    kind: str
    status: str


class ViolationNotice(msgspec.Struct):
    """A violation as its notice: the ``nth`` of its type in ``period`` (the ladder's rung),
    the facts that made it, what it imposed, and until when it may be appealed."""

    violation_id: str
    merchant_id: str
    type: str
    tier: str
    day: str
    nth: int
    period: str
    status: str
    noticed_at: dt.datetime
    appeal_by: dt.datetime
    notice: Text
    facts: dict[str, Any]
    measures: list[MeasureSummary]
    appeal_status: str | None  # filed | upheld | rejected; null: never appealed


class MeasureView(msgspec.Struct):
    """What a rung imposed. ``amount`` is money (a deduction, a freeze); ``orders_per_day`` an
    order cap (0 is a cap); ``points`` a score deduction. ``lift``: expiry, cured (the day
    after the cure), never, or once (a one-off). ``status``: active, lifted, reverted (an
    upheld appeal) or done (a one-off that acted)."""

    measure_id: str
    violation_id: str
    merchant_id: str
    kind: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    lift: str
    lifted_at: dt.datetime | None
    amount: Money | None
    orders_per_day: int | None
    points: int | None
    notice: Text
    basis: dict[str, Any]
    rule_id: str


class AppealView(msgspec.Struct):
    """An appeal: filed by the merchant, to be decided by ``decide_by`` (the end of the pack's
    last working day); ``overdue`` when still undecided after it."""

    appeal_id: str
    violation_id: str
    merchant_id: str
    status: str
    reason: str
    filed_at: dt.datetime
    decide_by: dt.datetime
    overdue: bool
    decided_at: dt.datetime | None
    decided_by: str | None
    decision: str | None


class PlanTarget(msgspec.Struct):
    indicator: str
    op: str
    value: float


class PlanDay(msgspec.Struct):
    """One tracked day: each indicator's value, and whether every target was met."""

    day: str
    values: dict[str, float]
    on_target: bool


class PlanView(msgspec.Struct):
    """整改: the indicators to bring to target by ``deadline_day`` (``overdue`` when still open
    after it), tracked day by day; ``cause`` is the violation that opened it."""

    plan_id: str
    merchant_id: str
    cause: str
    status: str
    opened_day: str
    deadline_day: str
    closed_day: str | None
    overdue: bool
    targets: list[PlanTarget]
    progress: list[PlanDay]
    notice: Text


class ViolationDetail(msgspec.Struct):
    """A violation whole: its notice, the rule and pack version that judged it, every measure,
    the appeal and the rectification plan it opened."""

    violation_id: str
    merchant_id: str
    type: str
    tier: str
    day: str
    nth: int
    period: str
    status: str
    noticed_at: dt.datetime
    appeal_by: dt.datetime
    notice: Text
    facts: dict[str, Any]
    rule_id: str
    pack: str
    pack_version: str
    measures: list[MeasureView]
    appeal: AppealView | None
    plan: PlanView | None


class Queues(msgspec.Struct):
    """The operator's work: appeals to decide (soonest due first), the latest active violations
    (newest first) and open plans (earliest deadline first). Each list is paged by the same
    ``limit`` and ``offset``; ``next_offset`` is null when no list has more."""

    now: dt.datetime
    appeals: list[AppealView]
    violations: list[ViolationNotice]
    plans: list[PlanView]
    next_offset: int | None


def _at(us: int | None, zone: dt.tzinfo) -> dt.datetime | None:
    return None if us is None else from_us(us).astimezone(zone)


def _instant(us: int, zone: dt.tzinfo) -> dt.datetime:
    return from_us(us).astimezone(zone)


def _text(words: Any) -> Text:
    return Text(str(words.get("zh", "")), str(words.get("en", "")))


def _notice_of(r: Any, zone: dt.tzinfo, measures: list[MeasureSummary],
               appeal_status: str | None) -> ViolationNotice:  # fmt: skip
    why = json.loads(r.explanation)
    return ViolationNotice(
        r.violation_id, r.merchant_id, r.type, r.tier, r.day, r.nth, r.period, r.status,
        _instant(r.noticed_at_us, zone), _instant(r.appeal_by_us, zone),
        _text(why.get("notice", {})), why.get("facts", {}), measures, appeal_status,
    )  # fmt: skip


def _measure_of(r: Any, zone: dt.tzinfo) -> MeasureView:
    why = json.loads(r.explanation)
    money = Money(int(r.amount), r.currency) if r.currency and r.amount is not None else None
    return MeasureView(
        r.measure_id, r.violation_id, r.merchant_id, r.kind, r.status,
        _instant(r.starts_at_us, zone), _at(r.ends_at_us, zone), r.lift,
        _at(r.lifted_at_us, zone), money,
        r.amount if r.kind == "order_cap" else None,
        r.amount if r.kind == "score_deduction" else None,
        _text(why.get("notice", {})), why.get("basis", {}), str(why.get("rule_id", "")),
    )  # fmt: skip


def _appeal_of(r: Any, zone: dt.tzinfo, now: dt.datetime | None) -> AppealView:
    overdue = r.status == "filed" and now is not None and to_us(now) > r.decide_by_us
    return AppealView(
        r.appeal_id, r.violation_id, r.merchant_id, r.status, r.reason,
        _instant(r.filed_at_us, zone), _instant(r.decide_by_us, zone), overdue,
        _at(r.decided_at_us, zone), r.decided_by, r.decision,
    )  # fmt: skip


def _plan_type(plan_id: str, merchant_id: str) -> str:
    """Plan ids are ``<merchant>:<type>:<opened day>``."""
    return plan_id[len(merchant_id) + 1 :].split(":")[0]


def _meets(target: PlanTarget, value: float) -> bool:
    return value <= target.value if target.op == "<=" else value >= target.value


def _plan_of(r: Any, today: dt.date | None) -> PlanView:
    targets = [PlanTarget(x["indicator"], x["op"], float(x["value"]))
               for x in json.loads(r.targets)]  # fmt: skip
    progress = []
    for day, values in sorted(json.loads(r.progress).items()):
        met = all(_meets(tg, values[tg.indicator]) for tg in targets if tg.indicator in values)
        progress.append(PlanDay(day, values, met))
    deadline = dt.date.fromisoformat(r.deadline_day)
    overdue = r.status == "open" and today is not None and today > deadline
    words = plan_notice(r.status, _plan_type(r.plan_id, r.merchant_id), deadline)
    return PlanView(
        r.plan_id, r.merchant_id, r.cause, r.status, r.opened_day, r.deadline_day,
        r.closed_day, overdue, targets, progress, words,
    )  # fmt: skip


# ------------------------------------------------------------------------------------ reads


def violation_owner(sql: sa.Engine, violation_id: str) -> str | None:
    """The merchant of a stored violation, or None."""
    with sql.connect() as conn:
        owner: str | None = conn.execute(
            sa.select(t.violations.c.merchant_id).where(t.violations.c.violation_id == violation_id)
        ).scalar_one_or_none()
    return owner


def appeal_parties(sql: sa.Engine, appeal_id: str) -> tuple[str, str] | None:
    """(violation id, merchant id) of a stored appeal, or None."""
    a = t.appeals.c
    with sql.connect() as conn:
        row = conn.execute(
            sa.select(a.violation_id, a.merchant_id).where(a.appeal_id == appeal_id)
        ).first()
    return None if row is None else (row.violation_id, row.merchant_id)


def _notices(conn: sa.Connection, query: sa.Select[Any], zone: dt.tzinfo) -> list[ViolationNotice]:
    rows = conn.execute(query).all()
    ids = [r.violation_id for r in rows]
    measures: dict[str, list[MeasureSummary]] = defaultdict(list)
    appeals: dict[str, str] = {}
    if ids:
        c = t.measures.c
        for m in conn.execute(
            sa.select(c.violation_id, c.measure_id, c.kind, c.status)
            .where(c.violation_id.in_(ids)).order_by(c.measure_id)
        ):  # fmt: skip
            measures[m.violation_id].append(MeasureSummary(m.measure_id, m.kind, m.status))
        a = t.appeals.c
        for vid, status in conn.execute(
            sa.select(a.violation_id, a.status).where(a.violation_id.in_(ids))
        ):
            appeals[vid] = status
    return [_notice_of(r, zone, measures[r.violation_id], appeals.get(r.violation_id))
            for r in rows]  # fmt: skip


def violation_notices(
    sql: sa.Engine,
    zone: dt.tzinfo,
    *,
    merchant_id: str | None = None,
    type_: str | None = None,
    status: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[ViolationNotice]:
    """Violations as notices: oldest first (by day), or newest first (by notice)."""
    v = t.violations.c
    query = sa.select(t.violations)
    if newest_first:
        query = query.order_by(v.noticed_at_us.desc(), v.day.desc(), v.violation_id.desc())
    else:
        query = query.order_by(v.day, v.violation_id)
    if merchant_id is not None:
        query = query.where(v.merchant_id == merchant_id)
    if type_ is not None:
        query = query.where(v.type == type_)
    if status is not None:
        query = query.where(v.status == status)
    query = query.limit(limit).offset(offset) if limit is not None else query.offset(offset)
    with sql.connect() as conn:
        return _notices(conn, query, zone)


def violation_detail(
    sql: sa.Engine, zone: dt.tzinfo, violation_id: str, now: dt.datetime | None = None
) -> ViolationDetail | None:
    with sql.connect() as conn:
        r = conn.execute(
            sa.select(t.violations).where(t.violations.c.violation_id == violation_id)
        ).first()
        if r is None:
            return None
        c = t.measures.c
        measures = [_measure_of(m, zone) for m in conn.execute(
            sa.select(t.measures).where(c.violation_id == violation_id)
            .order_by(c.measure_id))]  # fmt: skip
        appeal = conn.execute(
            sa.select(t.appeals).where(t.appeals.c.violation_id == violation_id)
        ).first()
        p = t.rectification_plans.c
        plan = conn.execute(
            sa.select(t.rectification_plans).where(p.cause == violation_id).order_by(p.plan_id)
        ).first()
    why = json.loads(r.explanation)
    today = now.astimezone(zone).date() if now is not None else None
    return ViolationDetail(
        r.violation_id, r.merchant_id, r.type, r.tier, r.day, r.nth, r.period, r.status,
        _instant(r.noticed_at_us, zone), _instant(r.appeal_by_us, zone),
        _text(why.get("notice", {})), why.get("facts", {}), str(why.get("rule_id", "")),
        r.pack, r.pack_version, measures,
        _appeal_of(appeal, zone, now) if appeal is not None else None,
        _plan_of(plan, today) if plan is not None else None,
    )  # fmt: skip


def merchant_measures(
    sql: sa.Engine,
    zone: dt.tzinfo,
    merchant_id: str,
    *,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[MeasureView]:
    """The merchant's measures, latest start first."""
    c = t.measures.c
    query = (
        sa.select(t.measures)
        .where(c.merchant_id == merchant_id)
        .order_by(c.starts_at_us.desc(), c.measure_id)
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        query = query.where(c.status == status)
    with sql.connect() as conn:
        return [_measure_of(r, zone) for r in conn.execute(query)]


def plans(
    sql: sa.Engine,
    *,
    merchant_id: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[PlanView]:
    """Rectification plans, earliest deadline first."""
    p = t.rectification_plans.c
    query = (
        sa.select(t.rectification_plans)
        .order_by(p.deadline_day, p.plan_id)
        .limit(limit)
        .offset(offset)
    )
    if merchant_id is not None:
        query = query.where(p.merchant_id == merchant_id)
    if status is not None:
        query = query.where(p.status == status)
    with sql.connect() as conn:
        return [_plan_of(r, today) for r in conn.execute(query)]


def appeal_views(
    sql: sa.Engine,
    zone: dt.tzinfo,
    *,
    status: str | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AppealView]:
    """Appeals, the ones due soonest first (``overdue`` against ``now`` when given)."""
    a = t.appeals.c
    query = sa.select(t.appeals).order_by(a.decide_by_us, a.appeal_id).limit(limit).offset(offset)
    if status is not None:
        query = query.where(a.status == status)
    with sql.connect() as conn:
        return [_appeal_of(r, zone, now) for r in conn.execute(query)]


def queues(sql: sa.Engine, zone: dt.tzinfo, now: dt.datetime, limit: int, offset: int) -> Queues:
    """The operator's three queues, each read one row past the page to tell if it goes on."""
    today = now.astimezone(zone).date()
    appeals = appeal_views(sql, zone, status="filed", now=now, limit=limit + 1, offset=offset)
    notices = violation_notices(
        sql, zone, status="active", newest_first=True, limit=limit + 1, offset=offset
    )
    open_plans = plans(sql, status="open", today=today, limit=limit + 1, offset=offset)
    more = any(len(x) > limit for x in (appeals, notices, open_plans))
    return Queues(
        now.astimezone(zone), appeals[:limit], notices[:limit], open_plans[:limit],
        offset + limit if more else None,
    )  # fmt: skip
