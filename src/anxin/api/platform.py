"""The platform's KPIs over HTTP (issue 17, operators): ``GET /v1/platform/kpis``.

Each KPI over the period (``since`` .. ``until``, local days of the pack in force), per day,
and before / after ``split`` (a policy change: days before it against days from it on), with
compensation by reason and by funder. The operator console shows the same answer
(``anxin.platform.kpis.report``); the definitions are in ``docs/pages.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require
from anxin.api.errors import ApiError, json_response, responses
from anxin.api.keys import ApiKey
from anxin.platform import facts

router = APIRouter(tags=["platform"])


def kpi_report(
    request: Request, since: dt.date | None, until: dt.date | None, split: dt.date | None
) -> dict[str, object]:
    engine = request.app.state.engine
    pack = engine.book.in_force_or_first(engine.clock.now())
    found = facts.load(request.app.state.sql_engine, pack)
    out = facts.report(found, since, until, split)
    return {
        "pack": pack.name,
        "version": pack.version,
        "ship_within_hours": found.thresholds.ship_within_hours,
        **out,
    }


@router.get(
    "/v1/platform/kpis",
    response_class=Response,
    responses={
        200: {"description": "The platform KPIs: period, per day, before/after a split"},
        **responses(
            401,
            403,
            422,
            d403="Not an operator key",
            d422="A date is not YYYY-MM-DD, or since is after until",
        ),
    },
)
async def platform_kpis(
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
    since: Annotated[
        dt.date | None, Query(description="first local day (default: first fact)")
    ] = None,
    until: Annotated[
        dt.date | None, Query(description="last local day (default: last fact)")
    ] = None,
    split: Annotated[
        dt.date | None, Query(description="first day of 'after' (a policy change)")
    ] = None,
) -> Response:
    """Average delivery time, share shipped within the pack's hours, logistics help requests
    per 1,000 orders, negative feedback on content-driven orders, instant-refund coverage and
    loss, compensation paid, merchant response time, dissatisfaction, listings intercepted."""
    if since and until and since > until:
        raise ApiError(422, "invalid_period", "since is after until")
    return json_response(await run_in_threadpool(kpi_report, request, since, until, split))
