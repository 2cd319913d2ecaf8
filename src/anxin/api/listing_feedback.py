"""Post-sale feedback on listings over HTTP (issue 15), as of the app's clock.

- ``GET /v1/merchants/{id}/listings/feedback``: the shop's quality-return rate and 1–2★ share
  over the pack's window, smoothed toward its category mix, and the warnings, de-rankings and
  delistings recorded against its listings (each a ``listing_feedback`` violation the merchant
  appeals through ``POST /v1/violations/{id}/appeal``). Operators, or that merchant.
- ``GET /v1/screening/creators``: every creator's content-quality score, for a recommender
  (operators).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import own_shop, require
from anxin.api.context import now, zone
from anxin.api.errors import json_response, responses
from anxin.api.keys import ApiKey
from anxin.enforcement import views
from anxin.screening.feedback_record import TYPE
from anxin.screening.feedback_run import creators, shops

router = APIRouter(tags=["screening"])
MerchantId = Annotated[str, Path(min_length=1, max_length=128, description="the merchant's id")]


@router.get("/v1/merchants/{merchant_id}/listings/feedback", response_class=Response,
            responses=responses(401, 403, 404, d403="Not an operator or merchant key"))  # fmt: skip
async def shop_feedback(
    request: Request,
    merchant_id: MerchantId,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """The shop's post-sale feedback and the actions it led to, with how to appeal each."""
    own_shop(key, merchant_id)
    state = request.app.state
    at, tz = now(request), zone(request)

    def run() -> dict[str, Any]:
        figures = shops(state.sql_engine, state.engine.book, at, merchant_id)
        actions = views.violation_notices(state.sql_engine, tz, merchant_id=merchant_id,
                                          type_=TYPE, newest_first=True)  # fmt: skip
        return {"merchant_id": merchant_id, "as_of": at.astimezone(tz).isoformat(),
                "figures": dataclasses.asdict(figures[0]) if figures else None,
                "actions": actions}  # fmt: skip

    return json_response(await run_in_threadpool(run))


@router.get("/v1/screening/creators", response_class=Response,
            responses=responses(401, 403, d403="Not an operator key"))  # fmt: skip
async def creator_scores(
    request: Request, _key: Annotated[ApiKey, Depends(require("operator"))]
) -> Response:
    """Each creator's content quality: 100 × (1 − the smoothed share of its content-driven
    orders that drew a 1–2★ review or a quality return)."""
    state = request.app.state
    at = now(request)
    found = await run_in_threadpool(creators, state.sql_engine, state.engine.book, at)
    return json_response({"as_of": at.isoformat(),
                          "creators": [dataclasses.asdict(c) for c in found]})  # fmt: skip
