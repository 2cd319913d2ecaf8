"""The score's aggregations, written once as Ibis expressions, run on any engine.

Every engine returns the same integer sums and counts per merchant (numerators, denominators,
microsecond totals) for the window ending at ``as_of``; rates and means are divided out in
Python afterwards, so SQLite, PostgreSQL, DuckDB and Spark agree exactly, not just to rounding.
Only portable forms are used: ``ifelse(cond, 1, 0).sum()``, integer arithmetic, ``cases``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


def _count(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, 1, 0).sum()


def _total(cond: ir.BooleanValue, value: ir.IntegerValue) -> ir.IntegerScalar:
    return ibis.ifelse(cond, value, 0).sum()


def pickup_scores(
    orders: ir.Table,
    as_of_us: int,
    ladder: Sequence[tuple[float, int]],
    worst: int,
    anomaly: int | None = None,
) -> tuple[ir.BooleanValue, ir.IntegerValue]:
    """(counted, score) per order: the per-order pickup score from hours to pickup (the clock
    starts at ``pickup_start_us``), ``worst`` once the slowest rung has passed unpicked or when
    the order had an anomaly or fraud payout; orders still inside the ladder are not counted."""
    o = orders
    picked = o.shipped_at_us.notnull() & (o.shipped_at_us <= as_of_us)
    elapsed = ibis.ifelse(picked, o.shipped_at_us - o.pickup_start_us, as_of_us - o.pickup_start_us)
    last_us = int(ladder[-1][0] * HOUR_US)
    counted = picked | (elapsed > last_us)
    rungs = [(elapsed <= int(hours * HOUR_US), score) for hours, score in ladder]
    score = ibis.cases(*rungs, else_=worst)
    flagged = worst if anomaly is None else anomaly
    return counted, ibis.ifelse(o.anomaly_or_fraud == 1, flagged, score)


def order_sums(
    orders: ir.Table,
    as_of_us: int,
    window_days: int,
    ladder: Sequence[tuple[float, int]],
    worst: int,
    anomaly: int | None = None,
) -> ir.Table:
    """Per merchant, the order-based sums of the score's indicators over the window."""
    o = orders
    start = as_of_us - window_days * DAY_US
    paid = (o.paid_at_us >= start) & (o.paid_at_us < as_of_us)
    valid = paid & (o.valid == 1)
    signed = o.signed_at_us.notnull() & (o.signed_at_us >= start) & (o.signed_at_us < as_of_us)
    rated = signed & o.rating.notnull() & (o.rated_at_us < as_of_us)
    returned = signed & o.aftersale_at_us.notnull() & (o.aftersale_at_us < as_of_us)
    counted, pickup = pickup_scores(o, as_of_us, ladder, worst, anomaly)
    due = (
        o.delivery_due_us.notnull() & (o.delivery_due_us >= start) & (o.delivery_due_us < as_of_us)
    )
    on_time = (
        o.signed_at_us.notnull() & (o.signed_at_us <= o.delivery_due_us) & (o.anomaly_or_fraud == 0)
    )
    asked = (
        o.aftersale_at_us.notnull() & (o.aftersale_at_us >= start) & (o.aftersale_at_us < as_of_us)
    )
    agreed = asked & o.agreed_at_us.notnull() & (o.agreed_at_us < as_of_us)
    waited = ibis.greatest(o.agreed_at_us - o.review_start_us, 0)
    logistics_return = (
        valid
        & (o.first_reason == "logistics")
        & (o.logistics_finding == 1)
        & (o.aftersale_at_us < as_of_us)
    )
    return o.group_by("merchant_id").aggregate(
        valid_orders=_count(valid),
        signed=_count(signed),
        rated=_count(rated),
        rating_total=_total(rated, o.rating),
        bad_ratings=_count(rated & (o.rating <= 2)),
        quality_returns=_count(returned & (o.first_reason == "quality")),
        pickup_orders=_count(valid & counted),
        pickup_total=_total(valid & counted, pickup),
        deliveries_due=_count(due),
        deliveries_on_time=_count(due & on_time),
        logistics_returns=_count(logistics_return),
        reviews=_count(agreed),
        review_us=_total(agreed, waited),
        sought_help=_count(paid & (o.sought_help == 1)),
        escalated=_count(paid & (o.sought_help == 1) & (o.escalated == 1)),
    )


def chat_sums(chats: ir.Table, as_of_us: int, window_days: int) -> ir.Table:
    """Per merchant, chat rounds, response time and ratings of sessions in the service window."""
    c = chats
    start = as_of_us - window_days * DAY_US
    session = (c.started_at_us >= start) & (c.started_at_us < as_of_us) & (c.counted == 1)
    rated = session & c.rating.notnull()
    return c.group_by("merchant_id").aggregate(
        chat_rounds=_total(session, c.rounds),
        chat_response_seconds=_total(session, c.response_seconds),
        chats_rated=_count(rated),
        chats_dissatisfied=_count(rated & (c.rating <= 3)),
    )


ORDER_COLUMNS = (
    "valid_orders", "signed", "rated", "rating_total", "bad_ratings", "quality_returns",
    "pickup_orders", "pickup_total", "deliveries_due", "deliveries_on_time", "logistics_returns",
    "reviews", "review_us", "sought_help", "escalated",
)  # fmt: skip
CHAT_COLUMNS = ("chat_rounds", "chat_response_seconds", "chats_rated", "chats_dissatisfied")


def collect(table: ir.Table, columns: Sequence[str]) -> dict[str, dict[str, int]]:
    """Run the expression and return {merchant: {column: int}} (NULL sums → 0)."""
    frame: Any = table.to_pyarrow()
    data = frame.to_pydict()
    out: dict[str, dict[str, int]] = {}
    for i, merchant in enumerate(data["merchant_id"]):
        out[str(merchant)] = {c: int(data[c][i] or 0) for c in columns}
    return out
