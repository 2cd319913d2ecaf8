"""``GET /v1/merchants/{id}/score``: a merchant's latest stored score with its explanation.

Operators and that merchant's own keys. Another merchant's score answers 404, as a merchant
never scored does.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require, usable_id
from anxin.api.errors import ApiError, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.store import schema as t


class MerchantScore(msgspec.Struct):
    """The latest day the merchant was scored: the score (an exact decimal, as text), its
    stage, the pack version and engine that computed it, and the explanation (every
    indicator's value, band and weight, floors, deductions and bonuses)."""

    merchant_id: str
    day: str
    score: str
    stage: str
    pack: str
    pack_version: str
    engine: str
    explanation: Any


COMPONENTS: tuple[type[msgspec.Struct], ...] = (MerchantScore,)


def latest_score(sql: sa.Engine, merchant_id: str) -> MerchantScore | None:
    s = t.merchant_scores.c
    with sql.connect() as conn:
        row = conn.execute(
            sa.select(s.day, s.score, s.stage, s.pack, s.pack_version, s.engine, s.explanation)
            .where(s.merchant_id == merchant_id)
            .order_by(s.day.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return MerchantScore(
        merchant_id, row.day, row.score, row.stage, row.pack, row.pack_version, row.engine,
        msgspec.json.decode(row.explanation),
    )  # fmt: skip


router = APIRouter(tags=["merchants"])


@router.get(
    "/v1/merchants/{merchant_id}/score",
    response_class=Response,
    responses={
        200: {"description": "The latest score", **schema_ref("MerchantScore")},
        **responses(
            401, 403, 404, 422, d403="Not an operator or merchant key", d404="No score visible"
        ),
    },
)
async def merchant_score(
    merchant_id: Annotated[str, Path(min_length=1, max_length=128)],
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """The merchant's latest stored score with its explanation (`anxin score explain` shows
    the same, with the daily history). 404 when the merchant was never scored, or is not the
    key's own merchant."""
    not_found = ApiError(404, "score_not_found", f"no score for merchant {merchant_id!r}")
    if key.role == "merchant" and key.merchant_id != merchant_id:
        raise not_found
    if not usable_id(merchant_id):
        raise not_found
    found = await run_in_threadpool(latest_score, request.app.state.sql_engine, merchant_id)
    if found is None:
        raise not_found
    return json_response(found)
