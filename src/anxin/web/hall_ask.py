"""The hall's buttons: a consumer asks for a refund, a return, or files a complaint.

No API route takes an after-sales request from a consumer: ``POST /v1/refunds/decide`` decides
the instant-refund path for a request the marketplace already has (consumer and operator keys,
not link tokens), and after-sales requests enter anxin as the marketplace's events. So the page
records the request the way the marketplace would send it: an ``aftersale.requested`` (or
``complaint.filed``) event, ingested by the same engine as ``POST /v1/events`` (validated,
deduplicated by id, under the app's ingest lock). The engine then runs the after-sales flow:
the request joins the order's state and its merchant's response clock starts.

The form carries an id made when the page was drawn, so sending it twice records it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import msgspec
import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from anxin.domain.order import OrderState
from anxin.store import schema as t
from anxin.web.relay import relay
from anxin.web.session import Role, Viewer, need

# Only the order's consumer asks; merchants and operators look.
ASKERS: tuple[Role, ...] = ("link", "consumer")
# What each button may give as its reason (the simulator's and the packs' reason codes).
REASONS: dict[str, tuple[str, ...]] = {
    "refund": ("not_shipped", "not_received", "empty_parcel", "wrong_item", "short_quantity",
               "changed_mind"),
    "return": ("no_reason", "quality", "logistics_damage", "not_as_described", "wrong_item",
               "counterfeit"),
    "complaint": ("late", "service", "counterfeit", "other"),
}  # fmt: skip
KIND = {"refund": "refund_only", "return": "return_refund"}
_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_TEXT = 1000


def offered(state: OrderState) -> list[tuple[str, tuple[str, ...]]]:
    """The buttons the order's stage allows: before shipment a refund (instant where the pack
    allows) or a complaint; once shipped also a return; once cancelled only a complaint."""
    if state.status == "cancelled":
        return [("complaint", REASONS["complaint"])]
    if not state.parcels:
        return [("refund", ("not_shipped", "changed_mind")), ("complaint", REASONS["complaint"])]
    refund = tuple(r for r in REASONS["refund"] if r != "not_shipped")
    return [("refund", refund), ("return", REASONS["return"]),
            ("complaint", REASONS["complaint"])]  # fmt: skip


class Refused(ValueError):
    pass


def event_id(request_id: str) -> str:
    return f"hall:{request_id}"


def recorded(sql: sa.Engine, event: str) -> bool:
    e = t.events.c
    with sql.connect() as conn:
        return conn.execute(sa.select(e.seq).where(e.event_id == event)).first() is not None


def event(state: OrderState, action: str, reason: str, text: str, request_id: str,
          now: str) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The event the marketplace would send for this request: (the request's id, the event)."""
    if not _ID.match(request_id):
        raise Refused("request_id")
    if action not in dict(offered(state)) or reason not in REASONS.get(action, ()):
        raise Refused("action")
    envelope: dict[str, Any] = {"id": event_id(request_id), "occurred_at": now, "source": "hall"}
    if action == "complaint":
        if not (state.merchant_id and state.consumer_id):
            raise Refused("parties")
        ask_id = f"HC-{request_id}"
        envelope["type"] = "complaint.filed"
        envelope["payload"] = {
            "complaint_id": ask_id, "order_id": state.order_id,
            "merchant_id": state.merchant_id, "consumer_id": state.consumer_id,
            "topic": reason, "text": text,
        }  # fmt: skip
    else:
        paid = state.paid()
        if paid is None:
            raise Refused("unpaid")
        ask_id = f"HA-{request_id}"
        envelope["type"] = "aftersale.requested"
        envelope["payload"] = {
            "aftersale_id": ask_id, "order_id": state.order_id, "kind": KIND[action],
            "reason": reason, "amount": paid.to_dict(), "text": text,
        }  # fmt: skip
    return ask_id, envelope


def _request_body(sent: dict[str, Any], state: OrderState) -> dict[str, Any]:
    """``consumer.request``'s body, from the request's event."""
    p = sent["payload"]
    return {"request_id": p.get("aftersale_id") or p["complaint_id"], "order_id": state.order_id,
            "merchant_id": state.merchant_id, "consumer_id": state.consumer_id,
            "kind": p.get("kind", "complaint"), "reason": p.get("reason") or p.get("topic", ""),
            "text": p.get("text", ""), "requested_at": sent["occurred_at"],
            "amount": p.get("amount")}  # fmt: skip


def install(router: APIRouter, own_state: Callable[[Request, Viewer, str], OrderState]) -> None:
    @router.post("/hall/orders/{order_id}/ask")
    async def ask(order_id: str, request: Request) -> Response:
        """Record the consumer's request, then show the order with the answer."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))

        def one(name: str) -> str:
            return (form.get(name) or [""])[0].strip()

        def run() -> dict[str, str]:
            who = need(request, *ASKERS)
            state = own_state(request, who, order_id)
            app = request.app.state
            now = app.engine.clock.now()
            action = one("action")
            try:
                ask_id, sent = event(state, action, one("reason"), one("text")[:MAX_TEXT],
                                     one("request_id"), now.isoformat())  # fmt: skip
            except Refused as exc:
                return {"refused": str(exc)}

            def tell() -> None:  # the marketplace opens the case (once: the id is the request's)
                relay(app.sql_engine, f"{ask_id}:request", "consumer.request",
                      f"merchant:{state.merchant_id}", now, _request_body(sent, state))  # fmt: skip

            with app.ingest_lock:  # one writer per process, as POST /v1/events
                # Sent before (a second click, a reload): its time or words may differ, which
                # the log would refuse as a conflicting event, so it is answered here; its
                # message is sent again in case the first try stopped before it (a no-op else).
                if recorded(app.sql_engine, event_id(one("request_id"))):
                    tell()
                    return {"done": f"duplicate:{ask_id}"}
                raw = msgspec.json.encode(sent)
                report = app.engine.ingest([(0, raw)], source=f"web:hall:{who.role}")
            if report.rejected:
                return {"refused": report.errors[0].code if report.errors else "rejected"}
            tell()
            kind = "complaint" if action == "complaint" else "aftersale"
            answer = {"done": f"{'duplicate' if report.duplicates else kind}:{ask_id}"}
            if report.decisions or report.payouts:  # decided at once (an instant refund, say)
                answer["decided"] = "1"
            return answer

        answer = await run_in_threadpool(run)
        where = f"/hall/orders/{quote(order_id, safe='')}?{urlencode(answer)}#asked"
        return RedirectResponse(where, 303)
