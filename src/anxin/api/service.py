"""Customer service over HTTP (issue 14).

- ``POST /v1/service/suggest``: the reply for a consumer's intent on one order, filled with the
  order's live facts, ready for the merchant to send. Operators, or the order's merchant; any
  other order answers 404, exactly as one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require, usable_id, visible
from anxin.api.errors import ApiError, decode_body, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.api.orders import order_parties
from anxin.guarantees.hall import OrderNotFound, load_hall
from anxin.service.replies import suggest


class SuggestBody(msgspec.Struct, forbid_unknown_fields=True):
    order_id: str
    intent: str  # an engine intent (where_is_my_parcel, refund, …); unknown: the general reply
    lang: Literal["zh", "en"] = "zh"


class Suggestion(msgspec.Struct):
    """A reply ready to send: ``settles`` when the order's facts answer the question (the
    parcel's place, the refund's state), so it may go out automatically where the merchant
    opted in; ``facts`` are the values it was filled with."""

    order_id: str
    intent: str
    lang: str
    variant: str
    text: str
    settles: bool
    facts: dict[str, str]


COMPONENTS: tuple[type[msgspec.Struct], ...] = (SuggestBody, Suggestion)
_BODY = msgspec.json.Decoder(SuggestBody)
router = APIRouter(tags=["service"])


@router.post(
    "/v1/service/suggest",
    response_class=Response,
    responses={
        200: {"description": "The reply, filled", **schema_ref("Suggestion")},
        **responses(
            400, 401, 403, 404, 422,
            d403="Not an operator or merchant key",
            d422="A field is missing, unknown or of the wrong shape (named in details)",
        ),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("SuggestBody")}},
)  # fmt: skip
async def suggest_reply(
    request: Request, key: Annotated[ApiKey, Depends(require("operator", "merchant"))]
) -> Response:
    """The reply for the consumer's intent on the order, in Chinese or English, filled with
    the order's facts as of now (parcel, ship-by, rights in force, compensation, refund)."""
    body = decode_body(await request.body(), _BODY)
    state = request.app.state
    sql, engine = state.sql_engine, state.engine

    def hidden() -> ApiError:
        return ApiError(404, "order_not_found", f"no order {body.order_id!r}")

    def run() -> Suggestion:
        if not usable_id(body.order_id):
            raise hidden()
        parties = order_parties(sql, body.order_id)
        if parties is None or not visible(key, body.order_id, *parties):
            raise hidden()
        now = engine.clock.now()
        try:
            hall = load_hall(sql, body.order_id, engine.book, now, engine.rules)
        except OrderNotFound:
            raise hidden() from None
        zone = engine.book.in_force_or_first(now).calendar.zone
        r = suggest(hall, body.intent, body.lang, zone)
        return Suggestion(r.order_id, r.intent, r.lang, r.variant, r.text, r.settles, r.facts)

    return json_response(await run_in_threadpool(run))
