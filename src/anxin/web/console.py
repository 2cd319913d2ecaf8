"""The operator console (issue 17): the platform KPIs per day and before / after a chosen day,
each down to the merchants and the orders behind it; the score's distribution by industry, the
queues with their due times and the policy packs (``console_ops``). Operator keys only.

Every figure comes from the read model the API answers with (``anxin.platform.kpis.report``,
the same as ``GET /v1/platform/kpis``), so the page and the endpoint cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.domain.money import Money
from anxin.platform import facts, kpis
from anxin.platform.kpis import BY_KEY, KPIS, Kpi
from anxin.web import console_ops
from anxin.web.render import Words, lang_of, page, with_query
from anxin.web.session import PageError, need

router = APIRouter(include_in_schema=False)
router.include_router(console_ops.router)
MAX_ROWS = 500  # rows of a drill-down rendered (the rest: narrow the period or the merchant)
COLORS = ("#0969da", "#cf222e")  # before, after the split


def day_arg(request: Request, name: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` query parameter (None when absent or not a date: the page says so)."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def show(kpi: Kpi, value: object, currency: str) -> str:
    """A KPI's figure as the console writes it (the raw figure rides in ``data-value``)."""
    if not isinstance(value, int | float):
        return "—"
    v = float(value)
    if kpi.format == "share":
        return f"{v * 100:.1f}%"
    if kpi.format == "hours":
        return f"{v:.1f} h"
    if kpi.format == "seconds":
        return f"{v:.0f} s"
    if kpi.format == "money":
        from anxin.domain.wording import money

        return money(Money(round(v * 100), currency))
    return f"{v:,.2f}"


def part(kpi: Kpi, num: float, currency: str) -> str:
    """One unit's numerator as a reader wants it (hours, seconds, money, or a count)."""
    if kpi.format == "money":
        return show(kpi, num / 100, currency)
    if kpi.format == "hours":
        return f"{num:.1f} h"
    if kpi.format == "seconds":
        return f"{num:.0f} s"
    if kpi.key == "instant_refund_loss_rate":
        return show(BY_KEY["compensation_paid"], num / 100, currency)
    return f"{num:g}"


def number(x: object) -> str:
    """A sum as a person reads it: whole numbers without ``.0``, others to two places."""
    if not isinstance(x, int | float):
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def chart(
    kpi: Kpi,
    daily: list[dict[str, Any]],
    split: dt.date | None,
    label: str,
    before: str,
    after: str,
) -> str:
    """A Chart.js line config: the days before the split and from it on in two colours."""
    days = [str(d["day"]) for d in daily]
    cut = split.isoformat() if split else None

    def side(after_side: bool) -> list[object]:
        return [
            d["value"] if cut is None or (str(d["day"]) >= cut) == after_side else None
            for d in daily
        ]

    sets = [
        {
            "label": before if cut else label,
            "data": side(False),
            "borderColor": COLORS[0],
            "backgroundColor": COLORS[0],
            "spanGaps": True,
            "tension": 0.2,
        }
    ]
    if cut:
        sets.append(
            {
                "label": after,
                "data": side(True),
                "borderColor": COLORS[1],
                "backgroundColor": COLORS[1],
                "spanGaps": True,
                "tension": 0.2,
            }
        )
    config = {
        "type": "line",
        "data": {"labels": days, "datasets": sets},
        "options": {
            "maintainAspectRatio": False,
            "animation": False,
            "plugins": {"legend": {"display": bool(cut)}},
        },
    }
    return json.dumps(config, ensure_ascii=False)


def _facts(request: Request) -> tuple[facts.Facts, str, str, str]:
    engine = request.app.state.engine
    pack = engine.book.in_force_or_first(engine.clock.now())
    return facts.load(request.app.state.sql_engine, pack), pack.currency, pack.name, pack.version


def _period(
    request: Request, found: facts.Facts
) -> tuple[dt.date | None, dt.date | None, dt.date | None, bool, dict[str, str]]:
    """since, until and split from the query; split defaults to the middle of the order days
    (a comparison is always shown). ``bad``: a date was given but could not be read; last, the
    three as query parameters for the page's links."""
    since, until, split = (day_arg(request, n) for n in ("since", "until", "split"))
    bad = any(
        request.query_params.get(n) and d is None
        for n, d in (("since", since), ("until", until), ("split", split))
    )
    if split is None:
        days = sorted({r.day for r in found.rows if r.unit == "order"})
        if len(days) > 1:
            split = days[len(days) // 2]
    named = (("since", since), ("until", until), ("split", split))
    return since, until, split, bad, {k: v.isoformat() for k, v in named if v is not None}


@router.get("/console")
async def console_kpis(request: Request) -> Response:
    who = await run_in_threadpool(need, request, "operator")
    found, currency, pack, version = await run_in_threadpool(_facts, request)
    since, until, split, bad, query = _period(request, found)
    report = facts.report(found, since, until, split)
    w = Words(lang_of(request), found.zone, request.app.state.engine.clock.now())
    daily: dict[str, list[dict[str, Any]]] = report["daily"]  # type: ignore[assignment]
    charts = {
        k.key: chart(
            k,
            daily[k.key],
            split,
            w.t(f"console.kpi.{k.key}", hours=found.thresholds.ship_within_hours),
            w.t("console.before"),
            w.t("console.after"),
        )
        for k in KPIS
    }
    return page(
        request,
        "console/kpis.html",
        who,
        report=report,
        kpis=KPIS,
        charts=charts,
        show=lambda k, v: show(k, v, currency),
        currency=currency,
        pack=pack,
        version=version,
        query=query,
        bad_dates=bad,
        hours=found.thresholds.ship_within_hours,
    )


@router.get("/console/kpi/{key}")
async def console_kpi(request: Request, key: str) -> Response:
    who = await run_in_threadpool(need, request, "operator")
    kpi = BY_KEY.get(key)
    if kpi is None:
        raise PageError(404, f"no KPI {key!r}")
    found, currency, _pack, _version = await run_in_threadpool(_facts, request)
    since, until, _split, bad, query = _period(request, found)
    merchant = request.query_params.get("merchant") or None
    rest = request.query_params.get("rows") == "rest" and kpi.kind == "ratio"
    merchants = facts.kept(
        found,
        ("by_merchant", key, since, until),
        lambda: kpis.by_merchant(found.rows, kpi, since, until),
    )
    rows = facts.kept(
        found,
        ("numerator", key, since, until, merchant, rest),
        lambda: kpis.numerator(found.rows, kpi, since, until, merchant, rest=rest),
    )
    total = facts.kept(found, ("period", key, since, until),
                       lambda: kpis.period(found.rows, kpi, since, until))  # fmt: skip
    return page(
        request,
        "console/kpi.html",
        who,
        kpi=kpi,
        total=total,
        merchants=merchants,
        rows=rows[:MAX_ROWS],
        row_count=len(rows),
        merchant=merchant,
        rest=rest,
        number=number,
        toggle_url=with_query(request, rows=None if rest else "rest"),
        show=lambda k, v: show(k, v, currency),
        part=lambda k, n: part(k, n, currency),
        query=query,
        bad_dates=bad,
        hours=found.thresholds.ship_within_hours,
    )
