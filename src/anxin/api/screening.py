"""Listing screening over HTTP (issue 15).

- ``POST /v1/listings/screen``: one listing or a batch (``{"listings": [...]}``, at most
  1,000), each with its verdict and hits under the pack in force. Operators screen any
  listing; a merchant key screens its own (the listings are taken as its shop's).
- ``GET /v1/screening/reviews`` and ``POST /v1/screening/reviews/{id}/decision``: the human
  review queue (operators); a decision becomes the listing's verdict and a label.
- ``GET /v1/merchants/{id}/listings/verdicts``: a shop's listings that must change or may not
  sell, as the last screening run left them (operators, or that merchant).
- ``POST /v1/content/screen``: one piece of selling content (its text and the listings it
  sells): claims, prohibited goods, efficacy outside medicine, and a material it claims that
  a listing's attributes contradict. Operators and merchant keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import own_shop, require
from anxin.api.context import Offset
from anxin.api.errors import ApiError, decode_body, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.screening.content import Content, screen_content
from anxin.screening.listing import Listing
from anxin.screening.screen import screen_all

MAX_BATCH = 1_000


class ScreenBody(msgspec.Struct, forbid_unknown_fields=True):
    listings: list[Listing]


class ScreenHit(msgspec.Struct):
    rule_id: str
    field: str
    span: list[int]
    text: str
    why: str


class ScreenResult(msgspec.Struct):
    listing_id: str
    verdict: str  # pass | needs_changes | intercept
    hits: list[ScreenHit]
    pack: str
    version: str


class ScreenResults(msgspec.Struct):
    results: list[ScreenResult]


COMPONENTS: tuple[type[msgspec.Struct], ...] = (
    ScreenBody, ScreenResult, ScreenResults, Content,
)  # fmt: skip
_CONTENT = msgspec.json.Decoder(Content)
_ONE = msgspec.json.Decoder(Listing)
_MANY = msgspec.json.Decoder(ScreenBody)
router = APIRouter(tags=["screening"])


def _decode(raw: bytes) -> list[Listing]:
    try:
        if raw.lstrip().startswith(b'{"listings"'):
            return _MANY.decode(raw).listings
        return [_ONE.decode(raw)]
    except msgspec.ValidationError as e:
        raise ApiError(422, "invalid_listing", str(e)) from None
    except msgspec.DecodeError as e:
        raise ApiError(400, "malformed_json", str(e)) from None


@router.post(
    "/v1/listings/screen",
    response_class=Response,
    responses={
        200: {"description": "Each listing's verdict and hits", **schema_ref("ScreenResults")},
        **responses(400, 401, 403, 413, 422, d403="Not an operator or merchant key",
                    d422="A field is missing, unknown or of the wrong shape (named)"),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("ScreenBody")}},
)  # fmt: skip
async def screen_listings(
    request: Request, key: Annotated[ApiKey, Depends(require("operator", "merchant"))]
) -> Response:
    """Screen one listing, or a batch, against the pack in force: prohibited items, efficacy
    and absolute claims, brands, mandatory attributes, price outliers, category mismatches."""
    listings = _decode(await request.body())
    if len(listings) > MAX_BATCH:
        raise ApiError(413, "batch_too_large", f"at most {MAX_BATCH} listings per request")
    if key.role == "merchant":
        for x in listings:
            x.merchant_id = key.merchant_id
    engine = request.app.state.engine
    pack = engine.book.in_force_or_first(engine.clock.now())
    out: list[dict[str, Any]] = [s.to_dict() for s in screen_all(listings, pack)]
    return json_response(msgspec.convert({"results": out}, ScreenResults))


@router.post(
    "/v1/content/screen",
    response_class=Response,
    responses={
        200: {"description": "The content's verdict and hits", **schema_ref("ScreenResults")},
        **responses(400, 401, 403, 422, d403="Not an operator or merchant key",
                    d422="A field is missing, unknown or of the wrong shape (named)"),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("Content")}},
)  # fmt: skip
async def screen_selling_content(
    request: Request, key: Annotated[ApiKey, Depends(require("operator", "merchant"))]
) -> Response:
    """Screen selling content against the pack in force and the listings it sells."""
    try:
        content = _CONTENT.decode(await request.body())
    except msgspec.ValidationError as e:
        raise ApiError(422, "invalid_content", str(e)) from None
    except msgspec.DecodeError as e:
        raise ApiError(400, "malformed_json", str(e)) from None
    del key  # both roles may screen; nothing is stored
    engine = request.app.state.engine
    pack = engine.book.in_force_or_first(engine.clock.now())
    got = screen_content(content, pack).to_dict()
    return json_response(msgspec.convert({"results": [got]}, ScreenResults))


class ReviewDecision(msgspec.Struct, forbid_unknown_fields=True):
    verdict: Literal["pass", "needs_changes", "intercept"]
    reason: str


_DECISION = msgspec.json.Decoder(ReviewDecision)


@router.get("/v1/screening/reviews", response_class=Response,
            responses=responses(401, 403, d403="Not an operator key"))  # fmt: skip
async def review_queue(
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator"))],
    status: Literal["open", "decided"] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> Response:
    """The review queue, oldest first."""
    from anxin.screening.reviews import queue

    sql = request.app.state.sql_engine
    rows = await run_in_threadpool(queue, sql, status, limit, offset)
    return json_response({"reviews": rows})


@router.post(
    "/v1/screening/reviews/{review_id}/decision",
    response_class=Response,
    responses=responses(
        400, 401, 403, 404, 409, 422, d403="Not an operator key", d409="Already decided"
    ),
)
async def decide_review(
    request: Request, review_id: str, key: Annotated[ApiKey, Depends(require("operator"))]
) -> Response:
    """A reviewer's decision (the key is the reviewer): the listing's verdict when it differs
    from the rules', sent again as ``listing.verdict``; a label for the next training run."""
    from anxin.screening.reviews import AlreadyDecided, ReviewNotFound, decide

    body = decode_body(await request.body(), _DECISION)
    engine = request.app.state.engine

    def run() -> dict[str, Any]:
        try:
            return decide(request.app.state.sql_engine, review_id, body.verdict, body.reason,
                          key.name, engine.clock.now())  # fmt: skip
        except ReviewNotFound:
            raise ApiError(404, "review_not_found", f"no review {review_id!r}") from None
        except AlreadyDecided:
            raise ApiError(409, "already_decided", f"review {review_id!r} is decided") from None

    return json_response(await run_in_threadpool(run))


@router.get("/v1/merchants/{merchant_id}/listings/verdicts", response_class=Response,
            responses=responses(401, 403, 404, d403="Not an operator or merchant key"))  # fmt: skip
async def shop_verdicts(
    request: Request,
    merchant_id: str,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """The shop's listings whose last verdict is not a pass, with their hits."""
    import json

    import sqlalchemy as sa

    from anxin.store import schema as t

    own_shop(key, merchant_id)
    v = t.listing_verdicts.c

    def run() -> list[dict[str, Any]]:
        with request.app.state.sql_engine.connect() as conn:
            rows = conn.execute(sa.select(v.listing_id, v.verdict, v.hits, v.decided_by,
                                          v.pack, v.pack_version)
                                .where(v.merchant_id == merchant_id, v.verdict != "pass")
                                .order_by(v.listing_id))  # fmt: skip
            return [{"listing_id": r.listing_id, "verdict": r.verdict,
                     "hits": json.loads(r.hits), "decided_by": r.decided_by,
                     "pack": r.pack, "version": r.pack_version} for r in rows]  # fmt: skip

    return json_response({"merchant_id": merchant_id, "verdicts": await run_in_threadpool(run)})
