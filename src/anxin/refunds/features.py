"""Features of one after-sales request, read from the history *as of* the request instant.

Leakage guards (docs/decisions/0010-instant-refund-risk-model.md):
- only facts dated strictly before the request instant count (a fact one microsecond after is
  not there); per-day merchant and category counts use whole days before the request's day;
- the request's own outcome (response, escalation, return condition, resolution) is never read:
  a request's own entry in its consumer's requests is dropped by its instant (strictly before);
- account age is from the first order seen, or the marketplace's ``consumer_since`` when given.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import msgspec

from anxin.refunds.history import (
    DAY_US,
    AddressFacts,
    Buckets,
    ConsumerFacts,
    OrderFacts,
    claims_not_received_after_delivery,
)

WINDOW_DAYS = 90  # the history features' window (Taobao's "last 90 days", §4.5)
WINDOW_US = WINDOW_DAYS * DAY_US
HOUR_US = 3_600_000_000

KINDS: tuple[str, ...] = ("refund_only", "return_refund", "exchange")
# The reasons marketplaces use (the simulator's among them); any other is "other".
REASONS: tuple[str, ...] = (
    "not_shipped",
    "changed_mind",
    "not_received",
    "refused_delivery",
    "quality",
    "not_as_described",
    "no_reason",
    "size",
    "logistics_damage",
    "empty_parcel",
    "wrong_item",
    "other",
)
PARCEL_STATES: tuple[str, ...] = ("not_shipped", "shipped_no_scan", "in_transit", "delivered")

NAMES: tuple[str, ...] = (
    "amount",
    "kind",
    "reason",
    "parcel_state",
    "hours_since_order",
    "hours_since_delivery",
    "not_received_after_delivery",
    "account_age_days",
    "orders_90d",
    "orders_all",
    "requests_90d",
    "request_rate_90d",
    "requests_all",
    "same_reason_requests_90d",
    "refunds_90d",
    "refunded_amount_90d",
    "findings_all",
    "findings_90d",
    "complaints_90d",
    "days_since_last_request",
    "addresses",
    "address_accounts",
    "merchant_orders_90d",
    "merchant_request_rate_90d",
    "merchant_finding_rate_90d",
    "category_request_rate_90d",
    "category_finding_rate_90d",
)
CATEGORICAL: tuple[str, ...] = ("kind", "reason", "parcel_state")


class Request(msgspec.Struct, frozen=True, kw_only=True):
    """What a consumer-facing app sends when a consumer asks for money back."""

    aftersale_id: str
    order_id: str
    kind: str
    reason: str
    amount: int  # minor units
    requested_us: int


def parcel_state(order: OrderFacts, at_us: int) -> str:
    if order.shipped_us is None or order.shipped_us >= at_us:
        return "not_shipped"
    if order.delivered_us is not None and order.delivered_us < at_us:
        return "delivered"
    if order.first_scan_us is not None and order.first_scan_us < at_us:
        return "in_transit"
    return "shipped_no_scan"


def _before(dated: Sequence[tuple[Any, ...]], at: int) -> int:
    """How many of ``dated`` (sorted by instant) lie strictly before ``at``: ``(at,)`` sorts
    before every ``(at, ...)``."""
    return bisect_left(dated, (at,))


def _rates(b: Buckets | None, at_us: int) -> tuple[float, float, float]:
    """(orders, requests ÷ orders, findings ÷ requests) over whole days in the window."""
    if b is None:
        return 0.0, 0.0, 0.0
    today = at_us // DAY_US
    first = today - WINDOW_US // DAY_US
    orders = requests = findings = 0
    for day, (o, r, f) in b.days.items():
        if first <= day < today:
            orders, requests, findings = orders + o, requests + r, findings + f
    return float(orders), requests / max(orders, 1), findings / max(requests, 1)


def features(
    req: Request,
    order: OrderFacts,
    consumer: ConsumerFacts | None,
    address: AddressFacts | None,
    merchant: Buckets | None,
    category: Buckets | None,
) -> list[float]:
    """The feature vector (``NAMES`` order) of ``req`` as of ``req.requested_us``.

    ``consumer``'s lists must be sorted by instant (``sort_facts``)."""
    t = req.requested_us
    since = t - WINDOW_US
    c = consumer or ConsumerFacts()
    orders_all = _before(c.orders, t)
    orders_90 = orders_all - _before(c.orders, since)
    req_all = _before(c.requests, t)
    req_90 = req_all - _before(c.requests, since)
    same = sum(1 for at, _, r in c.requests[req_all - req_90 : req_all] if r == req.reason)
    ref_all = _before(c.refunds, t)
    ref_lo = _before(c.refunds, since)
    refunded = sum(a for _, a in c.refunds[ref_lo:ref_all])
    fi_all = _before(c.findings, t)
    fi_90 = fi_all - _before(c.findings, since)
    compl = bisect_left(c.complaints, t) - bisect_left(c.complaints, since)
    last_req = c.requests[req_all - 1][0] if req_all else None
    first = c.since_us if c.since_us is not None else c.first_us
    age = (t - first) / DAY_US if first is not None and first < t else 0.0
    addrs = _before(c.addresses, t)
    others = 0
    if address is not None and order.consumer_id:
        others = sum(
            1 for who, at in address.first_us.items() if at < t and who != order.consumer_id
        )
    state = parcel_state(order, t)
    delivered = order.delivered_us
    m_orders, m_rate, m_find = _rates(merchant, t)
    _, c_rate, c_find = _rates(category, t)
    reason = req.reason if req.reason in REASONS else "other"
    kind = KINDS.index(req.kind) if req.kind in KINDS else -1
    return [
        float(req.amount),
        float(kind),
        float(REASONS.index(reason)),
        float(PARCEL_STATES.index(state)),
        (t - order.placed_us) / HOUR_US if order.placed_us else -1.0,
        (t - delivered) / HOUR_US if delivered is not None and delivered < t else -1.0,
        1.0 if claims_not_received_after_delivery(req.reason, order, t) else 0.0,
        age,
        float(orders_90),
        float(orders_all),
        float(req_90),
        req_90 / max(orders_90, 1),
        float(req_all),
        float(same),
        float(ref_all - ref_lo),
        float(refunded),
        float(fi_all),
        float(fi_90),
        float(compl),
        (t - last_req) / DAY_US if last_req is not None else -1.0,
        float(addrs),
        float(others),
        m_orders,
        m_rate,
        m_find,
        c_rate,
        c_find,
    ]


def sort_facts(c: ConsumerFacts) -> ConsumerFacts:
    c.orders.sort()
    c.requests.sort()
    c.refunds.sort()
    c.findings.sort()
    c.complaints.sort()
    c.addresses.sort()
    return c


def as_dict(values: Sequence[float]) -> dict[str, float]:
    return {n: (v if math.isfinite(v) else 0.0) for n, v in zip(NAMES, values, strict=True)}
