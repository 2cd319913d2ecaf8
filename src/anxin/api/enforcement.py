"""Enforcement over HTTP: a merchant reads its own shop (notices, measures, plans) and appeals;
the operator works its queues and decides appeals.

- ``GET /v1/merchants/{id}/violations``, ``/measures``, ``/rectification``: operator keys for
  any merchant, merchant keys for their own (another merchant answers 404, as a missing one).
- ``GET /v1/violations/{id}``: the violation whole, to its merchant or an operator.
- ``POST /v1/violations/{id}/appeal``: the violation's merchant; 409 when the appeal is refused.
- ``GET /v1/enforcement/queues`` and ``POST /v1/appeals/{id}/decision``: operator keys.

Reads and writes go through ``anxin.enforcement.views`` and ``anxin.enforcement.appeals``, the
same code as ``anxin violations`` and ``anxin appeals``. Instants are in the pack's zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import own_shop as _shop
from anxin.api.auth import require, usable_id
from anxin.api.context import Offset
from anxin.api.context import now as _now
from anxin.api.context import page as _page
from anxin.api.context import zone as _zone
from anxin.api.errors import ApiError, decode_body, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.enforcement import views
from anxin.enforcement.appeals import AppealRefused, decide_appeal, file_appeal

MAX_PAGE = 500
MAX_TEXT = 4000


def _no_nul(value: str) -> bool:
    return "\x00" not in value


class AppealBody(msgspec.Struct, forbid_unknown_fields=True):
    """Why the violation is wrong, as the platform will read it."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]


class DecisionBody(msgspec.Struct, forbid_unknown_fields=True):
    """``upheld``: the violation is reverted with everything it reached; else it stands.
    ``decision``: the reasons, as the merchant will read them."""

    upheld: bool
    decision: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]


class AppealFiled(msgspec.Struct):
    """The appeal is filed; the platform answers by ``decide_by``. The measures stay in force
    meanwhile."""

    appeal_id: str
    violation_id: str
    status: str
    filed_at: dt.datetime
    decide_by: dt.datetime


class AppealDecided(msgspec.Struct):
    """``reverted``: the measures an upheld appeal reverted (empty when rejected)."""

    appeal_id: str
    violation_id: str
    upheld: bool
    decided_at: dt.datetime
    reverted: list[str]


class ViolationList(msgspec.Struct):
    """Newest notice first; ``next_offset`` is null on the last page."""

    merchant_id: str
    violations: list[views.ViolationNotice]
    next_offset: int | None


class MeasureList(msgspec.Struct):
    """Latest start first; ``next_offset`` is null on the last page."""

    merchant_id: str
    measures: list[views.MeasureView]
    next_offset: int | None


class PlanList(msgspec.Struct):
    """Earliest deadline first; ``next_offset`` is null on the last page."""

    merchant_id: str
    plans: list[views.PlanView]
    next_offset: int | None


COMPONENTS: tuple[type[msgspec.Struct], ...] = (
    AppealBody,
    DecisionBody,
    AppealFiled,
    AppealDecided,
    ViolationList,
    MeasureList,
    PlanList,
    views.ViolationDetail,
    views.Queues,
)
_APPEAL = msgspec.json.Decoder(AppealBody)
_DECISION = msgspec.json.Decoder(DecisionBody)

MerchantId = Annotated[str, Path(min_length=1, max_length=128, description="the merchant's id")]
ViolationId = Annotated[str, Path(min_length=1, max_length=200, description="the violation's id")]
AppealId = Annotated[str, Path(min_length=1, max_length=240, description="the appeal's id")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page (each list)")]

router = APIRouter(tags=["enforcement"])


_SHOP_ANSWERS = responses(
    401, 403, 404, 422, d403="Not an operator or merchant key", d404="No such merchant visible"
)


_TYPE = (
    "one type, e.g. `listing_feedback` (listings consumers rejected: warned, de-ranked or delisted)"
)


@router.get(
    "/v1/merchants/{merchant_id}/violations",
    response_class=Response,
    responses={
        200: {"description": "The merchant's violation notices", **schema_ref("ViolationList")},
        **_SHOP_ANSWERS,
    },
)
async def merchant_violations(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
    status: Annotated[Literal["active", "reverted"] | None, Query()] = None,
    type_: Annotated[str | None, Query(alias="type", max_length=40, description=_TYPE)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Each violation as its notice (Chinese and English): type, day, its number in the
    counting period, the facts, the measures it imposed, until when it may be appealed."""
    _shop(key, merchant_id)
    rows = await run_in_threadpool(
        views.violation_notices, request.app.state.sql_engine, _zone(request),
        merchant_id=merchant_id, type_=type_, status=status, newest_first=True, limit=limit + 1,
        offset=offset,
    )  # fmt: skip
    page, more = _page(rows, limit, offset)
    return json_response(ViolationList(merchant_id, page, more))


@router.get(
    "/v1/merchants/{merchant_id}/measures",
    response_class=Response,
    responses={
        200: {"description": "The merchant's measures", **schema_ref("MeasureList")},
        **_SHOP_ANSWERS,
    },
)
async def merchant_measures(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
    status: Annotated[
        Literal["active", "lifted", "reverted", "done"] | None,
        Query(description="`active`: in force now"),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Each measure: kind, start, end, how it lifts, its money (``{amount, currency}``) or
    order cap, and its notice."""
    _shop(key, merchant_id)
    rows = await run_in_threadpool(
        views.merchant_measures, request.app.state.sql_engine, _zone(request), merchant_id,
        status=status, limit=limit + 1, offset=offset,
    )  # fmt: skip
    page, more = _page(rows, limit, offset)
    return json_response(MeasureList(merchant_id, page, more))


@router.get(
    "/v1/merchants/{merchant_id}/rectification",
    response_class=Response,
    responses={
        200: {"description": "The merchant's rectification plans", **schema_ref("PlanList")},
        **_SHOP_ANSWERS,
    },
)
async def merchant_rectification(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
    status: Annotated[Literal["open", "completed", "failed"] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """整改 plans: the indicators to fix, their targets, the deadline and the daily progress."""
    _shop(key, merchant_id)
    today = _now(request).astimezone(_zone(request)).date()
    rows = await run_in_threadpool(
        views.plans, request.app.state.sql_engine, merchant_id=merchant_id, status=status,
        today=today, limit=limit + 1, offset=offset,
    )  # fmt: skip
    page, more = _page(rows, limit, offset)
    return json_response(PlanList(merchant_id, page, more))


_VIOLATION_404 = "No such violation visible"


def _hidden(violation_id: str) -> ApiError:
    return ApiError(404, "violation_not_found", f"no violation {violation_id!r}")


@router.get(
    "/v1/violations/{violation_id}",
    response_class=Response,
    responses={
        200: {"description": "The violation whole", **schema_ref("ViolationDetail")},
        **responses(
            401, 403, 404, 422, d403="Not an operator or merchant key", d404=_VIOLATION_404
        ),
    },
)
async def violation(
    violation_id: ViolationId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """Its notice, facts, rule and pack version, every measure, the appeal and the plan."""
    if not usable_id(violation_id):
        raise _hidden(violation_id)
    found = await run_in_threadpool(
        views.violation_detail, request.app.state.sql_engine, _zone(request), violation_id,
        _now(request),
    )  # fmt: skip
    if found is None or (key.role == "merchant" and found.merchant_id != key.merchant_id):
        raise _hidden(violation_id)
    return json_response(found)


@router.post(
    "/v1/violations/{violation_id}/appeal",
    response_class=Response,
    status_code=201,
    responses={
        201: {"description": "The appeal is filed", **schema_ref("AppealFiled")},
        **responses(
            400,
            401,
            403,
            404,
            422,
            d400="The body is not a JSON object",
            d403="Not a merchant key",
            d404=_VIOLATION_404,
            d422="A field is missing, unknown or of the wrong shape (named in details)",
        ),
        409: {
            "description": "Refused: the window closed (`appeal_window_closed`), already "
            "appealed (`already_appealed`) or the violation was reverted (`violation_reverted`)",
            **schema_ref("ApiErrorBody"),
        },
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("AppealBody")}},
)
async def appeal(
    violation_id: ViolationId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("merchant"))],
) -> Response:
    """File the merchant's appeal against its violation, within the pack's days of the notice
    (douyin: 7 natural days). One appeal per violation; the measures stay in force until the
    platform decides (by ``decide_by``: the pack's working days later)."""
    body = decode_body(await request.body(), _APPEAL)
    if not usable_id(violation_id):
        raise _hidden(violation_id)
    if not _no_nul(body.reason):
        raise ApiError(422, "invalid_body", "reason: NUL is not allowed")
    sql = request.app.state.sql_engine
    now = _now(request)

    def run() -> AppealFiled:
        if views.violation_owner(sql, violation_id) != key.merchant_id:
            raise _hidden(violation_id)
        try:
            filed = file_appeal(sql, request.app.state.engine.book, violation_id,
                                key.merchant_id or "", body.reason, now)  # fmt: skip
        except AppealRefused as exc:
            raise _refused(exc, violation_id) from None
        zone = _zone(request)
        return AppealFiled(filed.appeal_id, filed.violation_id, "filed", now.astimezone(zone),
                           filed.decide_by.astimezone(zone))  # fmt: skip

    return json_response(await run_in_threadpool(run), 201)


_CODES = {
    "late": "appeal_window_closed",
    "already_appealed": "already_appealed",
    "reverted": "violation_reverted",
    "already_decided": "already_decided",
}


def _refused(exc: AppealRefused, violation_id: str) -> ApiError:
    if exc.code == "not_found":
        return _hidden(violation_id)
    return ApiError(409, _CODES.get(exc.code, "appeal_refused"), str(exc))


@router.get(
    "/v1/enforcement/queues",
    response_class=Response,
    responses={
        200: {"description": "The operator's queues", **schema_ref("Queues")},
        **responses(401, 403, 422, d403="Not an operator key"),
    },
)
async def enforcement_queues(
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Appeals to decide (soonest ``decide_by`` first, ``overdue`` past it), the latest active
    violations (newest first) and open rectification plans (earliest deadline first)."""
    found = await run_in_threadpool(
        views.queues, request.app.state.sql_engine, _zone(request), _now(request), limit, offset
    )
    return json_response(found)


@router.post(
    "/v1/appeals/{appeal_id}/decision",
    response_class=Response,
    responses={
        200: {"description": "Decided", **schema_ref("AppealDecided")},
        **responses(
            400, 401, 403, 404, 422,
            d400="The body is not a JSON object",
            d403="Not an operator key",
            d404="No such appeal",
            d422="A field is missing, unknown or of the wrong shape (named in details)",
        ),
        409: {"description": "Already decided (`already_decided`)",
              **schema_ref("ApiErrorBody")},
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("DecisionBody")}},
)  # fmt: skip
async def decide(
    appeal_id: AppealId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator"))],
) -> Response:
    """Uphold (revert the violation: its measures end, a deduction is paid back, a freeze
    released, privileges return) or reject the appeal. Answers the measures reverted."""
    body = decode_body(await request.body(), _DECISION)
    missing = ApiError(404, "appeal_not_found", f"no appeal {appeal_id!r}")
    if not usable_id(appeal_id):
        raise missing
    if not _no_nul(body.decision):
        raise ApiError(422, "invalid_body", "decision: NUL is not allowed")
    sql = request.app.state.sql_engine
    now = _now(request)

    def run() -> AppealDecided:
        parties = views.appeal_parties(sql, appeal_id)
        if parties is None:
            raise missing
        try:
            reverted = decide_appeal(sql, appeal_id, upheld=body.upheld,
                                     decided_by=f"api:{key.name}", decision=body.decision,
                                     at=now)  # fmt: skip
        except AppealRefused as exc:
            if exc.code == "not_found":
                raise missing from None
            raise ApiError(409, _CODES.get(exc.code, "appeal_refused"), str(exc)) from None
        return AppealDecided(appeal_id, parties[0], body.upheld, now.astimezone(_zone(request)),
                             reverted)  # fmt: skip

    return json_response(await run_in_threadpool(run))
