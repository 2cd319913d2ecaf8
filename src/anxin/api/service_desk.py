"""The service desk over HTTP (issue 14): the platform's escalation queue, a merchant's own
conversations and escalations, and its automatic-answer opt-in.

- ``GET /v1/service/escalations`` (operator): the queue, soonest due first, paged.
- ``POST /v1/service/escalations/{id}/resolve`` (operator): close one with its resolution.
- ``GET /v1/merchants/{id}/service/conversations`` and ``.../service/escalations``: operator
  keys for any merchant, merchant keys for their own (another shop answers 404, as a missing
  one).
- ``PUT /v1/merchants/{id}/service/auto-answer`` ``{"enabled": true}``: the same keys.

Rows are the read models ``anxin service run`` writes (``anxin.service.views``); instants are
in the pack's zone.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import own_shop as _shop
from anxin.api.auth import require
from anxin.api.context import Offset
from anxin.api.context import now as _now
from anxin.api.context import page as _page
from anxin.api.context import zone as _zone
from anxin.api.errors import ApiError, decode_body, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.service import views

MAX_PAGE = 500
MAX_TEXT = 4000


class ResolveBody(msgspec.Struct, forbid_unknown_fields=True):
    """What the platform did, as the merchant and the consumer will read it."""

    resolution: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]


class AutoAnswerBody(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool


class EscalationQueue(msgspec.Struct):
    """Soonest due first; ``next_offset`` is null on the last page."""

    escalations: list[views.EscalationView]
    next_offset: int | None


class MerchantEscalations(msgspec.Struct):
    merchant_id: str
    escalations: list[views.EscalationView]
    next_offset: int | None


class ConversationList(msgspec.Struct):
    """Latest started first, as the last ``anxin service run`` judged them."""

    merchant_id: str
    conversations: list[views.ConversationView]
    next_offset: int | None


COMPONENTS: tuple[type[msgspec.Struct], ...] = (
    ResolveBody,
    AutoAnswerBody,
    EscalationQueue,
    MerchantEscalations,
    ConversationList,
    views.EscalationView,
    views.ConversationView,
    views.AutoAnswerSetting,
)
_RESOLVE = msgspec.json.Decoder(ResolveBody)
_AUTO = msgspec.json.Decoder(AutoAnswerBody)

MerchantId = Annotated[str, Path(min_length=1, max_length=128, description="the merchant's id")]
EscalationId = Annotated[str, Path(min_length=1, max_length=160, description="the escalation")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page")]
Status = Annotated[Literal["open", "resolved"] | None, Query(description="default: open")]

router = APIRouter(tags=["service"])


_SHOP_ANSWERS = responses(
    401, 403, 404, 422, d403="Not an operator or merchant key", d404="No such merchant visible"
)


@router.get(
    "/v1/service/escalations",
    response_class=Response,
    responses={
        200: {"description": "The platform's queue", **schema_ref("EscalationQueue")},
        **responses(401, 403, 422, d403="Not an operator key"),
    },
)
async def escalation_queue(
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
    status: Status = "open",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Conversations and complaint tickets escalated to the platform, soonest ``due_at`` first
    (``overdue`` past it), with the reason and the rules that escalated them."""
    rows = await run_in_threadpool(
        views.escalations, request.app.state.sql_engine, _zone(request), _now(request),
        status=status, limit=limit + 1, offset=offset,
    )  # fmt: skip
    return json_response(EscalationQueue(*_page(rows, limit, offset)))


@router.post(
    "/v1/service/escalations/{escalation_id}/resolve",
    response_class=Response,
    responses={
        200: {"description": "Resolved", **schema_ref("EscalationView")},
        **responses(
            400, 401, 403, 404, 422,
            d400="The body is not a JSON object",
            d403="Not an operator key",
            d404="No such escalation",
            d422="A field is missing, unknown or of the wrong shape (named in details)",
        ),
        409: {"description": "Already resolved (`already_resolved`)",
              **schema_ref("ApiErrorBody")},
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("ResolveBody")}},
)  # fmt: skip
async def resolve_escalation(
    escalation_id: EscalationId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator"))],
) -> Response:
    """Close the escalation with the platform's resolution."""
    body = decode_body(await request.body(), _RESOLVE)
    missing = ApiError(404, "escalation_not_found", f"no escalation {escalation_id!r}")
    if "\x00" in escalation_id:
        raise missing
    if "\x00" in body.resolution:
        raise ApiError(422, "invalid_body", "resolution: NUL is not allowed")

    def run() -> views.EscalationView:
        try:
            return views.resolve(request.app.state.sql_engine, escalation_id, f"api:{key.name}",
                                 body.resolution, _now(request), _zone(request))  # fmt: skip
        except views.NotFound:
            raise missing from None
        except views.AlreadyResolved:
            raise ApiError(409, "already_resolved", f"{escalation_id} is resolved") from None

    return json_response(await run_in_threadpool(run))


@router.get(
    "/v1/merchants/{merchant_id}/service/conversations",
    response_class=Response,
    responses={
        200: {"description": "The merchant's conversations", **schema_ref("ConversationList")},
        **_SHOP_ANSWERS,
    },
)
async def merchant_conversations(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Each conversation: rounds, first response (service seconds), waiting or answered, every
    round's reply SLA (active, hit, missed) with its due, and its escalation if any."""
    _shop(key, merchant_id)
    rows = await run_in_threadpool(
        views.conversations, request.app.state.sql_engine, _zone(request), merchant_id,
        limit=limit + 1, offset=offset,
    )  # fmt: skip
    return json_response(ConversationList(merchant_id, *_page(rows, limit, offset)))


@router.get(
    "/v1/merchants/{merchant_id}/service/escalations",
    response_class=Response,
    responses={
        200: {"description": "The merchant's escalations", **schema_ref("MerchantEscalations")},
        **_SHOP_ANSWERS,
    },
)
async def merchant_escalations(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
    status: Annotated[Literal["open", "resolved"] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The merchant's conversations and tickets the platform took over (soonest due first)."""
    _shop(key, merchant_id)
    rows = await run_in_threadpool(
        views.escalations, request.app.state.sql_engine, _zone(request), _now(request),
        merchant_id=merchant_id, status=status, limit=limit + 1, offset=offset,
    )  # fmt: skip
    page = MerchantEscalations(merchant_id, *_page(rows, limit, offset))
    return json_response(page)


@router.put(
    "/v1/merchants/{merchant_id}/service/auto-answer",
    response_class=Response,
    responses={
        200: {"description": "The setting now", **schema_ref("AutoAnswerSetting")},
        **responses(
            400, 401, 403, 404, 422,
            d400="The body is not a JSON object",
            d403="Not an operator or merchant key",
            d404="No such merchant visible",
            d422="A field is missing, unknown or of the wrong shape (named in details)",
        ),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("AutoAnswerBody")}},
)  # fmt: skip
async def put_auto_answer(
    merchant_id: MerchantId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """Opt in (or out) of automatic answers: where the order's facts settle a waiting
    consumer's question (where is my parcel, when does it ship, the refund's state), the next
    `anxin service run` sends the filled reply in the merchant's name."""
    body = decode_body(await request.body(), _AUTO)
    _shop(key, merchant_id)
    found = await run_in_threadpool(
        views.set_auto_answer, request.app.state.sql_engine, merchant_id, body.enabled,
        f"api:{key.name}", _now(request),
    )  # fmt: skip
    at = found.updated_at.astimezone(_zone(request)) if found.updated_at else None
    return json_response(views.AutoAnswerSetting(merchant_id, found.enabled, at, found.updated_by))
