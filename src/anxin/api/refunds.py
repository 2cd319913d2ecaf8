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

import asyncio
import contextvars
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import msgspec
from fastapi import APIRouter, Request, Response

from anxin.api.auth import SECURITY, key_of, presented_key, usable_id
from anxin.api.errors import ApiError, decode_body, json_response, responses, schema_ref
from anxin.application import load_policy
from anxin.refunds.model import load
from anxin.refunds.service import (
    DecideBody,
    Decided,
    Decider,
    RefundDecision,
    RefundService,
    UnknownOrder,
    order_facts,
)
from anxin.refunds.writer import DecisionWriter

COMPONENTS: tuple[type[msgspec.Struct], ...] = (DecideBody, RefundDecision)
_DECODER = msgspec.json.Decoder(DecideBody)
_LOCK = threading.Lock()
_ROLES = frozenset({"operator", "consumer"})
# PostgreSQL reads go over the network, so they leave the event loop, to a few threads of
# their own (the shared 40-thread pool made threads queue for the GIL: a 5 ms switch interval
# after each short read). SQLite reads are a local file's pages: the event loop does them.
WORKERS = 2

router = APIRouter(tags=["refunds"])


def service_for(request: Request) -> RefundService:
    """Built on first use (the model is loaded once per process)."""
    state = request.app.state
    svc: RefundService | None = getattr(state, "refund_service", None)
    if svc is None:
        with _LOCK:
            svc = getattr(state, "refund_service", None)
            if svc is None:
                svc = build_service(state.sql_engine, state.engine.book)
                state.refund_writer = DecisionWriter(svc)
                on_loop = state.sql_engine.dialect.name == "sqlite"
                state.refund_workers = None if on_loop else ThreadPoolExecutor(WORKERS)
                state.refund_service = svc
    return svc


def writer_for(request: Request) -> DecisionWriter:
    service_for(request)
    writer: DecisionWriter = request.app.state.refund_writer
    return writer


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
    the field (``details[0].loc``: ``["body", "amount", "currency"]``)."""
    return decode_body(raw, _DECODER)


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
    openapi_extra={
        "requestBody": {"required": True, **schema_ref("DecideBody")},
        "security": SECURITY,
    },
)
async def decide_refund(request: Request) -> Response:
    """Decide an after-sales request now: approve the refund at once (``refund_at``:
    ``request``, or ``first_scan`` of the return parcel), follow the standard flow, send it to
    manual review, or decline the instant path. Deciding the same request again under the same
    pack and model versions returns the same ``decision_id`` and executes nothing twice."""
    secret = presented_key(request)
    raw = await request.body()
    writer = writer_for(request)
    svc = writer.service
    clock = request.app.state.engine.clock

    def run() -> tuple[list[Decided], dt.datetime]:
        # One call for the key, the body and the decision: each hop to a thread and back
        # costs about as much as a history read.
        key = key_of(request, secret, _ROLES)
        body = parse_body(raw)
        if not usable_id(body.order_id):  # no stored order has it (PostgreSQL refuses NUL)
            raise UnknownOrder(body.order_id)
        if key.role == "consumer":
            from anxin.api.orders import order_parties

            parties = order_parties(svc.sql, body.order_id)
            if parties is None or parties[1] != key.consumer_id:
                raise UnknownOrder(body.order_id)
        now = clock.now()
        return svc.evaluate(body, now), now

    try:
        workers: ThreadPoolExecutor | None = request.app.state.refund_workers
        if workers is None:
            decided, now = run()
        else:
            ctx = contextvars.copy_context()
            decided, now = await asyncio.get_running_loop().run_in_executor(workers, ctx.run, run)
    except UnknownOrder as exc:
        raise ApiError(404, "order_not_found", f"no order {exc.args[0]!r}") from None
    # Answered once committed, in a batch with the decisions of concurrent requests.
    committed: asyncio.Future[RefundDecision] = asyncio.wrap_future(writer.submit(decided, now))
    return json_response(await committed)


__all__ = ["COMPONENTS", "order_facts", "router"]
