"""The consumer's guarantee hall (issue 17): one order's journey with the rights in force at
each node, their clocks, compensation already paid, the parcel's scans, the messages the
platform sent first, and the buttons that start an after-sale or a complaint.

Every figure comes from the read model the API answers ``GET /v1/orders/{id}/guarantees``
with (:func:`anxin.guarantees.hall.load_hall`); the page only arranges it. The journey's dates
are the order state's own facts (payment, the shipment's upload, the first pickup scan, the
signature), read the same way the state derives its status.

Who sees what: an order's link token opens that order (``/hall?token=…`` keeps the token in a
cookie and leaves the address bar clean); a consumer key lists its own orders; a merchant key
its shop's; an operator any. Anyone else's order is a 404, exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from anxin.api.auth import usable_id
from anxin.domain.money import Money
from anxin.domain.order import OrderState, decode_state
from anxin.guarantees.hall import GuaranteeHall, OrderNotFound, RightView, load_hall
from anxin.store import schema as t
from anxin.web import hall_ask, i18n
from anxin.web.render import page
from anxin.web.session import LINK_COOKIE, PageError, Role, Viewer, need, own_order

router = APIRouter(include_in_schema=False)

NODES = ("paid", "shipped", "in_transit", "delivered", "after_sales")
# The node an order's status stands at (the journey's "now").
AT_NODE = {"placed": -1, "unknown": -1, "paid": 0, "cancelled": 0, "shipped": 1,
           "in_transit": 2, "returning": 2, "delivered": 3}  # fmt: skip
LIST_LIMIT = 200  # orders listed at most (newest first); the rest open by id
READERS: tuple[Role, ...] = ("link", "consumer", "merchant", "operator")


@dataclass(frozen=True, slots=True)
class NodeView:
    node: str
    stage: str  # done / now / ahead
    at: dt.datetime | None
    rights: list[RightView]


@dataclass(frozen=True, slots=True)
class Paid:
    """One payout as the page lists it: the right it was paid on and the ledger's entry."""

    right: RightView
    amount: Money
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class OrderRow:
    order_id: str
    status: str
    paid_at: dt.datetime | None
    paid: Money | None


@dataclass(slots=True)
class HallPage:
    hall: GuaranteeHall
    state: OrderState
    nodes: list[NodeView]
    paid: list[Paid]
    parcels: dict[str, str] = field(default_factory=dict)  # tracking number → carrier


# ------------------------------------------------------------------------------ reading


def load_state(sql: sa.Engine, order_id: str) -> OrderState | None:
    if not usable_id(order_id):  # no stored order has it (PostgreSQL refuses NUL)
        return None
    with sql.connect() as conn:
        raw = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == order_id)
        ).scalar_one_or_none()
    return decode_state(raw) if raw is not None else None


def own_state(request: Request, who: Viewer, order_id: str) -> OrderState:
    """The order's state when ``who`` may see it; 404 otherwise, as for a missing order."""
    state = load_state(request.app.state.sql_engine, order_id)
    if state is None:
        raise PageError(404, f"no order {order_id!r}")
    own_order(who, order_id, state.merchant_id, state.consumer_id)
    return state


def node_times(state: OrderState) -> dict[str, dt.datetime | None]:
    """When the order reached each node, from the state's facts."""
    pickups = [p for x in state.parcels if (p := x.pickup_at()) is not None]
    asked = [a.requested_at for a in state.aftersales]
    return {
        "paid": state.paid_at,
        "shipped": min((p.created_at for p in state.parcels), default=None),
        "in_transit": min(pickups, default=None),
        "delivered": state.delivered_at(),
        "after_sales": min(asked, default=state.delivered_at()),
    }


def arrange(hall: GuaranteeHall, state: OrderState) -> HallPage:
    at = AT_NODE.get(hall.status, -1)
    if hall.status == "delivered":  # signed for: the after-sales window is open
        at = 4
    times = node_times(state)
    nodes = []
    for i, node in enumerate(NODES):
        stage = "done" if i < at else "now" if i == at else "ahead"
        if hall.status == "cancelled":  # the journey stopped: reached steps are done
            stage = "done" if times[node] is not None else "ahead"
        rights = [r for r in hall.rights if r.node == node]
        nodes.append(NodeView(node, stage, times[node], rights))
    paid = [
        Paid(r, Money(int(p["amount"]), str(p["currency"])), p["paid_at"])
        for r in hall.rights
        for p in r.payouts
    ]
    paid.sort(key=lambda p: p.at)
    parcels = {s.tracking_number: s.carrier for s in hall.timeline}
    return HallPage(hall, state, nodes, paid, parcels)


def order_page(request: Request, who: Viewer, order_id: str) -> HallPage:
    state = own_state(request, who, order_id)
    app = request.app.state
    engine = app.engine
    try:
        hall = load_hall(app.sql_engine, order_id, engine.book, engine.clock.now(), engine.rules)
    except OrderNotFound:
        raise PageError(404, f"no order {order_id!r}") from None
    return arrange(hall, state)


def list_orders(sql: sa.Engine, who: Viewer) -> list[OrderRow]:
    """The orders ``who`` may open, newest first, at most :data:`LIST_LIMIT`.

    A consumer's id lives only inside the stored state (no column): the state's JSON is
    narrowed with a LIKE on its exact encoding, then decoded and checked."""
    o = t.order_state.c
    query = sa.select(o.order_id, o.state)
    if who.role == "consumer":
        if not who.consumer_id:
            return []
        needle = '"consumer_id":' + msgspec.json.encode(who.consumer_id).decode()
        query = query.where(o.state.contains(needle, autoescape=True))
    elif who.role == "merchant":
        query = query.where(o.merchant_id == who.merchant_id)
    elif who.role != "operator":
        return []
    # A consumer's LIKE may match another's text (rare): read a margin, checked below.
    margin = 5 if who.role == "consumer" else 1
    query = query.order_by(o.order_id.desc()).limit(LIST_LIMIT * margin)
    with sql.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for order_id, raw in rows:
        state = decode_state(raw)
        if who.role == "consumer" and state.consumer_id != who.consumer_id:
            continue
        out.append(OrderRow(order_id, state.status, state.paid_at, state.paid()))
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    out.sort(key=lambda r: (r.paid_at or floor, r.order_id), reverse=True)
    return out[:LIST_LIMIT]


# ------------------------------------------------------------------------------ pages


@router.get("/hall")
async def hall_home(request: Request) -> Response:
    """A link token goes straight to its order (the token kept in a cookie, not the URL); a
    key lists the orders it may open."""
    who = await run_in_threadpool(need, request, *READERS)
    if who.role == "link":
        where = f"/hall/orders/{quote(who.order_id or '', safe='')}"
        return keep_link(request, who, RedirectResponse(where, 303))
    rows = await run_in_threadpool(list_orders, request.app.state.sql_engine, who)
    heading = {"consumer": "hall.orders", "merchant": "hall.orders.shop"}.get(
        who.role, "hall.orders.all"
    )
    return page(request, "hall/orders.html", who, rows=rows, heading=heading,
                limit=LIST_LIMIT, label=label)  # fmt: skip


@router.get("/hall/go")
async def hall_go(request: Request) -> Response:
    """The "open an order by its id" form of the list."""
    await run_in_threadpool(need, request, *READERS)
    order_id = request.query_params.get("order_id", "").strip()
    if not order_id:
        return RedirectResponse("/hall", 303)
    return RedirectResponse(f"/hall/orders/{quote(order_id, safe='')}", 303)


_DONE = re.compile(r"^(aftersale|complaint|duplicate):([A-Za-z0-9:_-]{1,128})$")


def notice(request: Request) -> tuple[str, str] | None:
    """The answer to a request just sent (``?done=kind:id``, ``?refused=code``)."""
    done = _DONE.match(request.query_params.get("done", ""))
    if done:
        return done.group(1), done.group(2)
    refused = request.query_params.get("refused", "")[:80]
    if refused:
        return "refused", refused
    return None


@router.get("/hall/orders/{order_id}")
async def hall_order(order_id: str, request: Request) -> Response:
    who = await run_in_threadpool(need, request, *READERS)
    view = await run_in_threadpool(order_page, request, who, order_id)
    response = page(request, "hall/order.html", who, v=view, hall=view.hall,
                can_ask=who.role in hall_ask.ASKERS,
                actions=hall_ask.offered(view.state), request_id=secrets.token_hex(8),
                notice=notice(request), decided=request.query_params.get("decided") == "1",
                label=label,
                known=i18n.glossary().__contains__)  # fmt: skip
    return keep_link(request, who, response)


def keep_link(request: Request, who: Viewer, response: Response) -> Response:
    """A link token given in the query is kept in a cookie: the hall's own links, the language
    switch and its forms carry no token. Lax, so the link opened from a message still works."""
    token = request.query_params.get("token")
    if who.role == "link" and token:
        response.set_cookie(LINK_COOKIE, token.strip(), httponly=True, samesite="lax")
    return response


hall_ask.install(router, own_state)


def label(prefix: str, value: str, fallback: str = "") -> str:
    """The glossary key ``prefix.value``, or ``prefix.<fallback>`` for a value it lacks."""
    key = f"{prefix}.{value}"
    if key in i18n.glossary() or not fallback:
        return key
    return f"{prefix}.{fallback}"
