"""The demo's merchant-score section: stages, the spread of scores, the best and worst shops
with their dimensions, and how many hold each privilege."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Sequence

import sqlalchemy as sa
from rich.console import Group, RenderableType
from rich.table import Table

from anxin.policy.pack import PolicyBook
from anxin.score.engines import open_source
from anxin.score.grants import run_privileges
from anxin.score.project import rebuild
from anxin.score.run import save_history, score_day
from anxin.store import schema as t


def score_report(sql: sa.Engine, book: PolicyBook, at: dt.datetime,
                 earlier: Sequence[dt.timedelta] = ()) -> RenderableType:  # fmt: skip
    """Score every merchant as of ``at`` on the store itself; keep history and privileges.
    ``earlier``: also score the days this long before ``at`` (history only, each with the
    facts known then), so a shop's trend has points, as a daily run would have left."""
    started = time.perf_counter()
    pack = next(v for v in reversed(book.versions) if v.rule("merchant_score") is not None)
    made = rebuild(sql, book)
    url = sql.url.render_as_string(hide_password=False)
    with open_source("sqlite" if sql.dialect.name == "sqlite" else "postgres", db=url) as source:
        for back in sorted(earlier, reverse=True):
            before = at - back
            save_history(sql, pack.calendar.local(before).date(), pack, sql.dialect.name,
                         score_day(source, before, pack)[1])  # fmt: skip
        inputs, scores = score_day(source, at, pack)
        industries = {m.merchant_id: m.industry for m in inputs}
        orders = {m.merchant_id: m.valid_orders for m in inputs}
        changes = run_privileges(sql, source, scores, at, pack, industries, orders)
    save_history(sql, pack.calendar.local(at).date(), pack, sql.dialect.name, scores)
    seconds = time.perf_counter() - started
    formal = sorted((s for s in scores if s.stage == "formal"), key=lambda s: s.score)
    values = [s.score for s in formal]
    summary = Table(title=f"Merchant scores as of {at.isoformat()} ({pack.name} {pack.version})")
    for column in ("merchants", "growth stage", "formal", "min", "median", "max", "seconds"):
        summary.add_column(column, justify="right")
    summary.add_row(
        f"{len(scores):,}", f"{len(scores) - len(formal):,}", f"{len(formal):,}",
        f"{min(values):.2f}" if values else "—",
        f"{statistics.median(values):.2f}" if values else "—",
        f"{max(values):.2f}" if values else "—",
        f"{seconds:.1f} ({made.orders:,} orders)",
    )  # fmt: skip
    shops = Table(title="Lowest and highest scores (formal stage)")
    for column in ("merchant", "industry", "score", "stars", "product", "logistics", "service"):
        shops.add_column(column, justify="left" if column in ("merchant", "industry") else "right")
    for s in formal[:5] + formal[-5:] if len(formal) > 10 else formal:
        dims = {d.dimension: d.score for d in s.dimensions}
        shops.add_row(
            s.merchant_id, industries.get(s.merchant_id, ""), f"{s.score:.2f}", s.stars or "—",
            *(f"{dims[d]:.1f}" if dims.get(d) is not None else "—"
              for d in ("product", "logistics", "service")),
        )  # fmt: skip
    p = t.merchant_privileges.c
    with sql.connect() as conn:
        held = conn.execute(
            sa.select(p.privilege, sa.func.sum(p.granted), sa.func.count())
            .group_by(p.privilege)
            .order_by(p.privilege)
        ).all()
    grants = Table(title=f"Privileges ({len(changes):,} changes sent to the outbox)")
    for column in ("privilege", "granted", "merchants"):
        grants.add_column(column, justify="left" if column == "privilege" else "right")
    for privilege, granted, total in held:
        grants.add_row(privilege, f"{int(granted):,}", f"{int(total):,}")
    return Group(summary, shops, grants)
