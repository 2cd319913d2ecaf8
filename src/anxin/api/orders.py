"""Order views: the guarantee hall, the decisions behind it, and link tokens.

- ``GET /v1/orders/{id}/guarantees``: operator, the order's merchant, the order's consumer, or
  a link token for this order.
- ``GET /v1/orders/{id}/decisions``: operator or the order's merchant.
- ``POST /v1/orders/{id}/link`` and ``DELETE /v1/orders/{id}/link/{token_id}``: operator.

An order under another party answers 404, exactly as an order that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import Reader, key_or_link, require, usable_id, visible
from anxin.api.errors import ApiError, json_response, responses, schema_ref
from anxin.api.keys import ApiKey, UnknownOrder, create_link, revoke_link
from anxin.clock import from_us
from anxin.domain.order import decode_state
from anxin.guarantees.hall import GuaranteeHall, OrderNotFound, load_hall
from anxin.store import schema as t

READER_ROLES = frozenset({"operator", "merchant", "consumer"})

OrderId = Annotated[str, Path(min_length=1, max_length=128, description="the order's id")]


class DecisionView(msgspec.Struct):
    """One decision a rule took on the order: which rule, under which policy version, on
    which inputs (``explanation``), with which outcome."""

    decision_id: str
    rule_id: str
    kind: str
    decided_at: dt.datetime
    pack: str
    pack_version: str
    explanation: Any
    outcome: Any


class OrderDecisions(msgspec.Struct):
    order_id: str
    merchant_id: str | None
    decisions: list[DecisionView]


class LinkCreated(msgspec.Struct):
    """The link token, shown this once (it is stored hashed). Send it as ``X-Link-Token`` or
    ``?token=`` to ``GET /v1/orders/{order_id}/guarantees``."""

    token: str
    token_id: str
    order_id: str


COMPONENTS: tuple[type[msgspec.Struct], ...] = (
    GuaranteeHall,
    DecisionView,
    OrderDecisions,
    LinkCreated,
)


def order_parties(sql: sa.Engine, order_id: str) -> tuple[str | None, str | None] | None:
    """(merchant id, consumer id) of a stored order, or None when the store has no such
    order."""
    if not usable_id(order_id):
        return None
    with sql.connect() as conn:
        raw = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
        ).scalar_one_or_none()
    if raw is None:
        return None
    state = decode_state(raw)
    return state.merchant_id, state.consumer_id


def _not_found(order_id: str) -> ApiError:
    return ApiError(404, "order_not_found", f"no order {order_id!r}")


def _check_visible(sql: sa.Engine, reader: Reader, order_id: str) -> None:
    parties = order_parties(sql, order_id)
    if parties is None or not visible(reader, order_id, *parties):
        raise _not_found(order_id)


def _decisions(sql: sa.Engine, order_id: str) -> list[DecisionView]:
    d = t.decisions.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(d.decision_id, d.rule_id, d.kind, d.decided_at_us, d.pack, d.pack_version,
                      d.explanation, d.outcome)
            .where(d.aggregate_key == f"order:{order_id}")
            .order_by(d.decided_at_us, d.decision_id)
        ).all()  # fmt: skip
    return [
        DecisionView(
            r.decision_id,
            r.rule_id,
            r.kind,
            from_us(r.decided_at_us),
            r.pack,
            r.pack_version,
            msgspec.json.decode(r.explanation),
            msgspec.json.decode(r.outcome),
        )
        for r in rows
    ]


router = APIRouter(tags=["orders"])


@router.get(
    "/v1/orders/{order_id}/guarantees",
    response_class=Response,
    responses={
        200: {"description": "The order's guarantee hall", **schema_ref("GuaranteeHall")},
        **responses(401, 403, 404, 422, d403="An ingest key"),
    },
)
async def order_guarantees(
    order_id: OrderId, request: Request, reader: Annotated[Reader, Depends(key_or_link)]
) -> Response:
    """The order's guarantee hall: every right protecting it, its clock, status and payouts,
    with the explanation behind each decision, and the parcel timeline.

    Operators see every order; a merchant key its shop's orders; a consumer key its own
    orders; a link token the one order it was made for. Any other order answers 404."""
    if isinstance(reader, ApiKey) and reader.role not in READER_ROLES:
        raise ApiError(403, "forbidden", f"role {reader.role!r} may not read guarantee halls")
    state = request.app.state

    def run() -> GuaranteeHall:
        _check_visible(state.sql_engine, reader, order_id)
        engine = state.engine
        return load_hall(state.sql_engine, order_id, engine.book, engine.clock.now(), engine.rules)

    try:
        return json_response(await run_in_threadpool(run))
    except OrderNotFound:
        raise _not_found(order_id) from None


@router.get(
    "/v1/orders/{order_id}/decisions",
    response_class=Response,
    responses={
        200: {"description": "Every decision on the order", **schema_ref("OrderDecisions")},
        **responses(401, 403, 404, 422, d403="Not an operator or merchant key"),
    },
)
async def order_decisions(
    order_id: OrderId,
    request: Request,
    key: Annotated[ApiKey, Depends(require("operator", "merchant"))],
) -> Response:
    """The decisions rules took on the order, oldest first: rule id, kind, policy pack and
    version, the inputs and reasoning (``explanation``) and the outcome. Operators and the
    order's merchant."""
    sql = request.app.state.sql_engine

    def run() -> OrderDecisions:
        parties = order_parties(sql, order_id)
        if parties is None or not visible(key, order_id, *parties):
            raise _not_found(order_id)
        return OrderDecisions(order_id, parties[0], _decisions(sql, order_id))

    return json_response(await run_in_threadpool(run))


@router.post(
    "/v1/orders/{order_id}/link",
    response_class=Response,
    status_code=201,
    responses={
        201: {"description": "A new link token", **schema_ref("LinkCreated")},
        **responses(401, 403, 404, 422, d403="Not an operator key"),
    },
)
async def create_order_link(
    order_id: OrderId, request: Request, key: Annotated[ApiKey, Depends(require("operator"))]
) -> Response:
    """A new link token opening this order's guarantee hall (and nothing else) to whoever
    holds it, e.g. the consumer, by a link. Shown once; revoke it with ``DELETE``."""
    state = request.app.state

    def run() -> LinkCreated:
        if not usable_id(order_id):
            raise UnknownOrder(order_id)
        token = create_link(
            state.sql_engine, order_id, created_by=f"key:{key.key_id}", clock=state.engine.clock
        )
        return LinkCreated(token, token.split("_", 2)[1], order_id)

    try:
        return json_response(await run_in_threadpool(run), 201)
    except UnknownOrder:
        raise _not_found(order_id) from None


@router.delete(
    "/v1/orders/{order_id}/link/{token_id}",
    response_class=Response,
    status_code=204,
    responses={
        204: {"description": "Revoked"},
        **responses(401, 403, 404, 422, d403="Not an operator key", d404="No such active token"),
    },
)
async def revoke_order_link(
    order_id: OrderId,
    token_id: Annotated[str, Path(min_length=1, max_length=32)],
    request: Request,
    _key: Annotated[ApiKey, Depends(require("operator"))],
) -> Response:
    """Revoke one of the order's link tokens: it answers 401 from now on."""
    state = request.app.state

    def run() -> bool:
        if not (usable_id(order_id) and usable_id(token_id)):
            return False
        return revoke_link(state.sql_engine, token_id, clock=state.engine.clock, order_id=order_id)

    if not await run_in_threadpool(run):
        raise ApiError(404, "link_not_found", f"no active link token {token_id!r} on this order")
    return Response(status_code=204)
