"""Flat facts for the merchant score, derived from order states and chat events (pure).

The score's dataframe expressions (``anxin.score.metrics``) read one row per order and one per
chat conversation, with every instant they window or compare (µs UTC) and the night-window
clock starts already applied: the same rows serve SQLite, PostgreSQL, DuckDB and Spark.
How facts are derived — which after-sale reasons count as quality or logistics, the night
windows, the route delivery standards, what makes an order valid — is pack data
(``merchant_score.facts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.domain.calendar import BusinessCalendar
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.guarantees.rules.late_shipment import binding_at_payment
from anxin.guarantees.rules.logistics_config import LogisticsConfig, RegionHours
from anxin.policy.pack import PolicyPack
from anxin.score.config import Clocks
from anxin.score.formula import (
    chat_session_counts,
    pickup_clock_start,
    review_clock_start,
    round_minutes,
)
from anxin.service.sla import Line, response_seconds, rounds


class FactsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    quality_reasons: list[str]
    logistics_reasons: list[str]
    min_valid_amount: int | float  # whole units: cheaper orders are "low-price", not valid
    clocks: Clocks
    delivery_standard_hours: RegionHours  # from pickup, by lane
    adjustment_topics: dict[str, str] = {}  # complaint topic → deduction kind


def _next_day_end(paid_at: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The last instant of the day after payment (local): a 明日达 (next-day) delivery's bound."""
    day = paid_at.astimezone(tz).date() + dt.timedelta(days=2)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz) - dt.timedelta(microseconds=1)


def _us(t: dt.datetime | None) -> int | None:
    return to_us(t) if t is not None else None


LOGISTICS_RULES = frozenset({"late_shipment", "logistics", "fraud_shipping"})


def order_row(state: OrderState, pack: PolicyPack, facts: FactsConfig) -> dict[str, Any] | None:
    """One ``score_orders`` row, or None for an order never paid."""
    if state.paid_at is None or state.merchant_id is None:
        return None
    tz = pack.calendar.zone
    paid = state.paid()
    amount = paid.amount if paid else 0
    shipped = state.shipped_at()
    cancelled = state.cancelled_at
    unshipped_cancel = cancelled is not None and (shipped is None or cancelled < shipped)
    floor = Money.of_major(Decimal(str(facts.min_valid_amount)), paid.currency) if paid else None
    valid = (
        paid is not None
        and (floor is None or amount >= floor.amount)
        and not unshipped_cancel
        and state.exemption is None
    )
    breaches = [f for f in state.findings if f.kind == "breach"]
    anomaly = any(
        f.family in ("trajectory_anomaly",) or f.rule_id == "fraud_shipping" for f in breaches
    )
    logistics: LogisticsConfig | None = pack.rule("logistics")
    to = state.current_destination()
    province = to.province if to else ""
    origin = state.parcels[0].origin_province if state.parcels else ""
    delivery_due = None
    if shipped is not None:
        lane = logistics.lane_class(origin, province) if logistics else "cross_province"
        hours = getattr(facts.delivery_standard_hours, lane)
        delivery_due = shipped + dt.timedelta(hours=hours)
    deliver_by = [p.by for p in state.promises if p.kind == "deliver" and p.by is not None]
    first = min(state.aftersales, key=lambda a: (a.requested_at, a.aftersale_id), default=None)
    reason = None
    agreed = None
    if first is not None:
        reason = (
            "quality"
            if first.reason in facts.quality_reasons
            else "logistics"
            if first.reason in facts.logistics_reasons
            else "other"
        )
        if first.response in ("agree", "agree_return"):
            agreed = first.responded_at
        elif first.outcome == "refunded" and first.decided_by == "system":
            agreed = first.resolved_at
    claims = [f.at for f in breaches if f.rule_id == "delivery_promise"]
    return {
        "order_id": state.order_id,
        "merchant_id": state.merchant_id,
        "paid_at_us": to_us(state.paid_at),
        "valid": int(valid),
        "amount_paid": amount,
        "cancelled_at_us": _us(cancelled),
        "merchant_cancelled": int(unshipped_cancel and state.cancelled_by == "merchant"),
        "ship_by_us": to_us(binding_at_payment(state, pack).due_at),
        "shipped_at_us": _us(shipped),
        "pickup_start_us": to_us(pickup_clock_start(state.paid_at, tz, facts.clocks)),
        "tracked": int(any(p.scans for p in state.parcels)),
        "anomaly_or_fraud": int(anomaly),
        "logistics_finding": int(any(f.rule_id in LOGISTICS_RULES for f in breaches)),
        "signed_at_us": _us(state.delivered_at()),
        "delivery_due_us": _us(delivery_due),
        "deliver_by_us": _us(min(deliver_by)) if deliver_by else None,
        "next_day_by_us": to_us(_next_day_end(state.paid_at, tz)),
        "remote": int(bool(logistics and province in logistics.remote)),
        "rating": state.review_stars,
        "rated_at_us": _us(state.reviewed_at),
        "first_reason": reason,
        "aftersale_at_us": _us(first.requested_at) if first else None,
        "review_start_us": (
            to_us(review_clock_start(first.requested_at, tz, facts.clocks)) if first else None
        ),
        "agreed_at_us": _us(agreed),
        "claim_at_us": _us(min(claims)) if claims else None,
        "sought_help": int(bool(state.aftersales)),
        "escalated": int(
            state.complaints > 0
            or any(a.escalated_at is not None for a in state.aftersales)
            # a merchant clock that ran out into platform arbitration (the after-sales rule)
            or any(f.rule_id == "aftersales" and f.kind == "escalated" for f in state.findings)
        ),
    }


class ChatLine(msgspec.Struct, frozen=True):
    at: dt.datetime
    sender: str


def chat_row(
    conversation_id: str,
    merchant_id: str,
    lines: Iterable[ChatLine],
    rating: int | None,
    tz: dt.tzinfo,
    facts: FactsConfig,
    hours: BusinessCalendar | None = None,
) -> dict[str, Any] | None:
    """One ``score_chats`` row: human rounds (a consumer turn and the agent's answer) and their
    response time (service time where the pack has service hours: ``hours``); an unanswered
    round counts as ``unanswered_round_minutes``."""
    ordered = sorted(lines, key=lambda line: line.at)
    if not ordered:
        return None
    found = rounds([Line(x.at, x.sender) for x in ordered])  # the service's rounds
    seconds = 0
    for r in found:
        if r.answered_at is None:
            seconds += int(round_minutes(None, facts.clocks) * 60)
        else:
            seconds += response_seconds(r.asked_at, r.answered_at, hours)
    started = ordered[0].at
    return {
        "conversation_id": conversation_id,
        "merchant_id": merchant_id,
        "started_at_us": to_us(started),
        "counted": int(chat_session_counts(started, tz, facts.clocks)),
        "rounds": len(found),
        "response_seconds": seconds,
        "rating": rating,
    }


def adjustment_row(event: ev.ComplaintFiled, facts: FactsConfig) -> dict[str, Any] | None:
    kind = facts.adjustment_topics.get(event.payload.topic)
    if kind is None:
        return None
    return {
        "adjustment_id": event.id,
        "merchant_id": event.payload.merchant_id,
        "kind": kind,
        "at_us": to_us(event.occurred_at),
    }


SCHEMAS: dict[str, type[msgspec.Struct]] = {"score_facts": FactsConfig}
