"""Listing screening over HTTP (issue 15).

- ``POST /v1/listings/screen``: one listing or a batch (``{"listings": [...]}``, at most
  1,000), each with its verdict and hits under the pack in force. Operators screen any
  listing; a merchant key screens its own (the listings are taken as its shop's).
- ``POST /v1/content/screen``: one piece of selling content (its text and the listings it
  sells): claims, prohibited goods, efficacy outside medicine, and a material it claims that
  a listing's attributes contradict. Operators and merchant keys.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Request, Response

from anxin.api.auth import require
from anxin.api.errors import ApiError, json_response, responses, schema_ref
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
