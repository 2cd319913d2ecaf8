"""``POST /v1/refunds/decide``: may this after-sales request be refunded now?

Consumer-facing apps call it when a consumer asks for money back: operator keys for any order,
consumer keys for their own orders (another consumer's order answers 404, as a missing one).
The answer is the live decision (``approve_now`` / ``standard_flow`` / ``manual_review`` /
``decline``) with the rules it hit, the top features behind the score and the pack and model
versions; an ``approve_now`` also leaves through the outbox (``refund.instant_approved``).

The model is the artefact named by ``ANXIN_REFUND_MODEL`` (``anxin refunds train``); without
one, the pack's rules decide alone and anything the score would decide goes the standard way.
A candidate (``ANXIN_REFUND_CANDIDATE_MODEL`` and/or ``ANXIN_REFUND_CANDIDATE_PACK``) decides
beside it in shadow: stored, never executed.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import require
from anxin.api.errors import ApiError, json_response, responses, schema_ref
from anxin.api.keys import ApiKey
from anxin.application import load_policy
from anxin.refunds.model import load
from anxin.refunds.service import (
    DecideBody,
    Decider,
    RefundDecision,
    RefundService,
    UnknownOrder,
    order_facts,
)

COMPONENTS: tuple[type[msgspec.Struct], ...] = (DecideBody, RefundDecision)
_DECODER = msgspec.json.Decoder(DecideBody)
_LOCK = threading.Lock()

router = APIRouter(tags=["refunds"])


def service_for(request: Request) -> RefundService:
    """Built on first use (the model is loaded once per process)."""
    state = request.app.state
    svc: RefundService | None = getattr(state, "refund_service", None)
    if svc is None:
        with _LOCK:
            svc = getattr(state, "refund_service", None)
            if svc is None:
                svc = state.refund_service = build_service(state.sql_engine, state.engine.book)
    return svc


def build_service(sql: object, book: object) -> RefundService:
    from anxin.policy.pack import PolicyBook

    assert isinstance(book, PolicyBook)
    path = os.environ.get("ANXIN_REFUND_MODEL")
    live = Decider(book, load(path) if path else None)
    cand_model = os.environ.get("ANXIN_REFUND_CANDIDATE_MODEL")
    cand_pack = os.environ.get("ANXIN_REFUND_CANDIDATE_PACK")
    candidate = None
    if cand_model or cand_pack:
        candidate = Decider(
            load_policy(cand_pack) if cand_pack else book,
            load(cand_model) if cand_model else live.model,
            shadow=True,
        )
    return RefundService(sql, live, candidate)  # type: ignore[arg-type]


def parse_body(raw: bytes) -> DecideBody:
    """400 for bytes that are no JSON object; 422 for a JSON object of the wrong shape, naming
    the field (``details[0].loc``: ``["body", "amount", "currency"]``) as FastAPI's own
    validation errors do."""
    try:
        return _DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise ApiError(422, "invalid_body", message).detailed([_detail(message)]) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_body", str(exc)) from None


def _detail(message: str) -> dict[str, object]:
    """``loc`` from msgspec's words: ``… - at `$.amount.currency``` and, for a missing or
    unknown field, ``… field `kind```."""
    msg, _, path = message.partition(" - at `$")
    loc: list[str] = ["body"]
    loc += [p for p in path.rstrip("`").replace("[", ".").replace("]", "").split(".") if p]
    if "field `" in msg:
        loc.append(msg.split("field `", 1)[1].split("`", 1)[0])
    return {"loc": loc, "msg": msg}


@router.post(
    "/v1/refunds/decide",
    response_class=Response,
    responses={
        200: {"description": "The live decision", **schema_ref("RefundDecision")},
        **responses(
            400,
            401,
            403,
            404,
            422,
            d400="The body is not a JSON object",
            d422="A field is missing, unknown or of the wrong shape (named in details)",
            d403="Not an operator or consumer key",
            d404="No such order (or another consumer's)",
        ),
    },
    openapi_extra={"requestBody": {"required": True, **schema_ref("DecideBody")}},
)
async def decide_refund(
    request: Request, key: Annotated[ApiKey, Depends(require("operator", "consumer"))]
) -> Response:
    """Decide an after-sales request now: approve the refund at once (``refund_at``:
    ``request``, or ``first_scan`` of the return parcel), follow the standard flow, send it to
    manual review, or decline the instant path. Deciding the same request again under the same
    pack and model versions returns the same ``decision_id`` and executes nothing twice."""
    body = parse_body(await request.body())
    svc = service_for(request)
    clock = request.app.state.engine.clock

    def run() -> RefundDecision:
        if key.role == "consumer":
            from anxin.api.orders import order_parties

            parties = order_parties(svc.sql, body.order_id)
            if parties is None or parties[1] != key.consumer_id:
                raise UnknownOrder(body.order_id)
        return svc.decide(body, clock.now())

    try:
        return json_response(await run_in_threadpool(run))
    except UnknownOrder:
        raise ApiError(404, "order_not_found", f"no order {body.order_id!r}") from None


__all__ = ["COMPONENTS", "order_facts", "router"]
