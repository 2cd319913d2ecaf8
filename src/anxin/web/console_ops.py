"""The console's other pages: the score's distribution by industry, the queues with their due
times (violations open to appeal, appeals to decide, escalations, listings to review, failed
webhooks, dead letters) and the policy packs as rules, or the diff of two. Each reads the read
model its capability already keeps."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.deadletters import list_page
from anxin.application import load_policy
from anxin.clock import from_us
from anxin.delivery.store import list_deliveries
from anxin.enforcement.views import queues as enforcement_queues
from anxin.platform import policy, scores
from anxin.policy.pack import (
    NoPolicyInForce,
    PolicyBook,
    PolicyError,
    PolicyPack,
    builtin_packs,
)
from anxin.screening.reviews import queue as review_queue
from anxin.service.views import escalations
from anxin.web.render import page
from anxin.web.session import need

router = APIRouter(include_in_schema=False)
QUEUE_ROWS = 200
BIN_COLORS = ("#cf222e", "#bc4c00", "#9a6700", "#0969da", "#1a7f37")


@router.get("/console/scores")
async def console_scores(request: Request) -> Response:
    who = await run_in_threadpool(need, request, "operator")
    rows = await run_in_threadpool(scores.latest, request.app.state.sql_engine)
    industries = scores.distribution(rows)
    labels = [f"{lo}–{min(hi, 100)}" for lo, hi in scores.BINS]
    config = {
        "type": "bar",
        "data": {
            "labels": [i.industry for i in industries],
            "datasets": [
                {
                    "label": label,
                    "data": [i.bins[n] for i in industries],
                    "backgroundColor": BIN_COLORS[n],
                }
                for n, label in enumerate(labels)
            ],
        },
        "options": {
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {"x": {"stacked": True}, "y": {"stacked": True, "ticks": {"precision": 0}}},
        },
    }
    day = max((r.day for r in rows), default=None)
    return page(
        request,
        "console/scores.html",
        who,
        industries=industries,
        labels=labels,
        chart=json.dumps(config, ensure_ascii=False),
        day=day,
        merchants=rows,
    )


def _queues(request: Request) -> dict[str, Any]:
    sql = request.app.state.sql_engine
    engine = request.app.state.engine
    zone = engine.book.latest.calendar.zone
    now = engine.clock.now()
    work = enforcement_queues(sql, zone, now, QUEUE_ROWS, 0)
    open_violations = [v for v in work.violations if v.appeal_status is None and v.appeal_by > now]
    return {
        "violations": open_violations,
        "appeals": work.appeals,
        "escalations": escalations(sql, zone, now, limit=QUEUE_ROWS),
        "reviews": [
            {**r, "created_at": dt.datetime.fromisoformat(r["created_at"])}
            for r in review_queue(sql, limit=QUEUE_ROWS)
        ],
        "webhooks": [
            {"row": d, "next": from_us(d.next_attempt_at_us)}
            for d in list_deliveries(sql, status="failed", limit=QUEUE_ROWS)
        ],
        "dead": list_page(sql, None, QUEUE_ROWS, None).dead_letters,
    }


@router.get("/console/queues")
async def console_queues(request: Request) -> Response:
    who = await run_in_threadpool(need, request, "operator")
    found = await run_in_threadpool(_queues, request)
    return page(request, "console/queues.html", who, q=found)


@cache
def _book(name: str) -> PolicyBook:
    return load_policy(name)


def choices() -> list[str]:
    """Every built-in pack version as ``name@version``."""
    return [f"{n}@{v.version}" for n in builtin_packs() for v in _book(n).versions]


def pack_of(spec: str) -> PolicyPack | None:
    """``name@version`` (or ``name``: its latest version) of a built-in pack; None if unknown."""
    name, _, version = spec.partition("@")
    if name not in builtin_packs():
        return None
    try:
        book = _book(name)
        return book.version(version) if version else book.latest
    except (NoPolicyInForce, PolicyError):
        return None


@router.get("/console/policy")
async def console_policy(request: Request) -> Response:
    who = await run_in_threadpool(need, request, "operator")
    engine = request.app.state.engine
    in_force = engine.book.in_force_or_first(engine.clock.now())
    a_spec = request.query_params.get("a") or ""
    b_spec = request.query_params.get("b") or ""
    a = pack_of(a_spec) if a_spec else None
    b = pack_of(b_spec) if b_spec else None
    unknown = [s for s, p in ((a_spec, a), (b_spec, b)) if s and p is None]
    changes = policy.diff(a.document, b.document) if a is not None and b is not None else None
    shown = (a or b or in_force) if changes is None else in_force
    return page(
        request,
        "console/policy.html",
        who,
        in_force=in_force,
        shown=shown,
        rules=policy.rules_of(shown.document),
        choices=choices(),
        a_spec=a_spec,
        b_spec=b_spec,
        a=a,
        b=b,
        changes=changes,
        unknown=unknown,
    )
