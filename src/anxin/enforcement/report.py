"""The demo's enforcement section: violations by type, measures by kind, money deducted and
frozen, rectification plans, appeals (read from the store; rich tables)."""

from __future__ import annotations

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
