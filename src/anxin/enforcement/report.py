"""The demo's enforcement section: violations by type, measures by kind, money deducted and
frozen, rectification plans, appeals (read from the store; rich tables)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rich.console import Group, RenderableType
from rich.table import Table

from anxin.enforcement.notices import MEASURES, NAMES
from anxin.store import schema as t


def _yuan(fen: int | None) -> str:
    return f"¥{(fen or 0) / 100:,.2f}"


def enforcement_report(sql: sa.Engine) -> RenderableType:
    v, c, p = t.violations.c, t.measures.c, t.rectification_plans.c
    with sql.connect() as conn:
        by_type = conn.execute(
            sa.select(v.type, sa.func.count(), sa.func.count(sa.distinct(v.merchant_id)),
                      sa.func.max(v.nth))
            .where(v.status == "active").group_by(v.type).order_by(v.type)
        ).all()  # fmt: skip
        by_kind = conn.execute(
            sa.select(c.kind, sa.func.count(), sa.func.sum(sa.case((c.currency.is_not(None),
                      c.amount), else_=0)), sa.func.sum(sa.case((c.status == "active", 1),
                      else_=0)))
            .group_by(c.kind).order_by(sa.func.count().desc())
        ).all()  # fmt: skip
        plans: dict[str, int] = dict(
            conn.execute(sa.select(p.status, sa.func.count()).group_by(p.status)).all()
        )
    violations = Table(title="Enforcement: violations by type (active)", title_justify="left")
    for col in ("type", "violations", "merchants", "highest rung"):
        violations.add_column(col)
    for type_, n, merchants, top in by_type:
        name = NAMES.get(type_)
        violations.add_row(f"{type_} ({name.zh})" if name else type_, str(n), str(merchants),
                           str(top))  # fmt: skip
    measures = Table(title="Enforcement: measures by kind", title_justify="left")
    for col in ("measure", "imposed", "still in force", "amount (deducted / frozen)"):
        measures.add_column(col)
    for kind, n, amount, active in by_kind:
        name = MEASURES.get(kind)
        measures.add_row(f"{kind} ({name.zh})" if name else kind, str(n), str(active or 0),
                         _yuan(int(amount or 0)) if amount else "")  # fmt: skip
    measures.caption = "rectification plans: " + ", ".join(
        f"{k} {n}" for k, n in sorted(plans.items())
    )
    return Group(violations, measures)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def render_violations_evaluation(result: dict[str, Any]) -> RenderableType:
    """``anxin violations evaluate`` as a table: merchants caught per type against the planted."""
    table = Table(
        title="Enforcement vs the simulator's planted violators (merchants per type)",
        title_justify="left",
    )
    for col in ("type", "planted", "caught", "precision", "recall"):
        table.add_column(col)
    for type_, r in result["types"].items():
        table.add_row(type_, str(r["planted"]), str(r["caught"]), _pct(r["precision"]),
                      _pct(r["recall"]))  # fmt: skip
    table.caption = (
        f"lowest precision {_pct(result['precision_min'])}, lowest recall "
        f"{_pct(result['recall_min'])} (target: both ≥ 95 % for every type)"
    )
    return table


_INDICATORS = {
    "chat_dissatisfaction_rate": ("dissatisfaction (chats rated 1-3★)", _pct),
    "chat_response_seconds": (
        "average chat response",
        lambda x: "—" if x is None else f"{x:.0f} s",
    ),
    "late_shipment_rate": ("late shipment rate", _pct),
    "escalation_rate": ("escalation rate", _pct),
    "help_request_rate": ("help requests per order", _pct),
}


def rectified_report(result: dict[str, Any], *, governance: bool) -> RenderableType:
    """Rectified merchants' indicators before and after their first plan (anxin's facts)."""
    days = result["window_days"]
    table = Table(
        title=f"Rectified merchants (整改, plans after a violation): "
        f"{result['compared_merchants']} of {result['rectified_merchants']}, {days} days before "
        f"the plan vs {days} days after ({result['score_plans']} more plans for a low score)",
        title_justify="left",
    )
    for col in ("indicator", "before", "after", "change"):
        table.add_column(col)
    for key, (label, fmt) in _INDICATORS.items():
        change = result["change"][key]
        table.add_row(label, fmt(result["before"][key]), fmt(result["after"][key]),
                      "—" if change is None else f"{change:+.1%}")  # fmt: skip
    published = result["douyin_published_dissatisfaction_change"]
    table.caption = f"Douyin reports {published:+.1%} dissatisfaction for rectified merchants. " + (
        "Simulated merchants obeyed anxin's measures and plans (--governance)."
        if governance
        else "Governance feedback off: the simulated merchants ignored every measure."
    )
    return table
