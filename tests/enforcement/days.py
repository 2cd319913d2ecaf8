"""Hand-made merchant days that just break (or just miss) a pack's violation rule: the numbers
come from the pack, so a test states the boundary, not a copy of it."""

from __future__ import annotations

import datetime as dt
import math

from anxin.enforcement.config import EnforcementConfig
from anxin.enforcement.facts import Day, MerchantFacts


def breaking(type_: str, config: EnforcementConfig) -> Day:
    """One day's counters that break ``type_`` (its first, most severe tier), and nothing else."""
    v = config.violations
    match type_:
        case "malicious_non_delivery":
            assert v.malicious_non_delivery is not None
            n = v.malicious_non_delivery.min_orders
            return Day(paid=n, due=n, late=n, non_delivery=n)
        case "false_inventory":
            assert v.false_inventory is not None
            n = v.false_inventory.min_orders
            return Day(paid=n, out_of_stock=n)
        case "false_promise":
            assert v.false_promise is not None
            n = v.false_promise.min_orders
            return Day(paid=n * 10, due=n * 10, late=n, promised=n, promise_broken=n)
        case "trajectory_anomaly":
            assert v.trajectory_anomaly is not None
            n = v.trajectory_anomaly.min_orders
            return Day(paid=n, shipped=n, anomaly=n)
        case "fraud_shipping":
            assert v.fraud_shipping is not None
            n = v.fraud_shipping.min_orders
            return Day(paid=n * 10, shipped=n * 10, fraud=n)
        case "late_shipment_shop":
            assert v.late_shipment_shop is not None
            tier = v.late_shipment_shop.tiers[0]
            late = max(tier.min_late, 1) + 1
            return Day(paid=late, due=late, late=late)
        case "negative_service":
            assert v.negative_service is not None
            r = v.negative_service
            return Day(
                rounds=r.min_rounds,
                sessions=r.min_rounds,
                response_seconds=r.min_rounds * (r.average_over_seconds + 1),
            )
        case "unjustified_refusal":
            assert v.unjustified_refusal is not None
            n = v.unjustified_refusal.min_refusals
            return Day(responses=n, refusals=n, unjustified=n)
        case "overdue_tickets":
            assert v.overdue_tickets is not None
            n = v.overdue_tickets.tiers[0].min_tickets
            return Day(tickets=n, tickets_overdue=n)
    raise AssertionError(type_)


def span(type_: str, config: EnforcementConfig) -> int:
    """Days in a row a violation of ``type_`` needs (a late-shipment pattern over days)."""
    if type_ == "late_shipment_shop":
        assert config.violations.late_shipment_shop is not None
        return config.violations.late_shipment_shop.tiers[0].days
    return 1


def judged_on(type_: str, day: dt.date) -> dt.date:
    """The day a violation of ``day`` is dated: a ticket week's Monday."""
    if type_ == "overdue_tickets":
        return day - dt.timedelta(days=day.weekday())
    return day


def put(m: MerchantFacts, type_: str, day: dt.date, config: EnforcementConfig) -> dt.date:
    """Write a breaking pattern ending on ``day`` (a ticket week: on its Sunday); returns the
    day the violation is judged complete."""
    if type_ == "overdue_tickets":
        day = day + dt.timedelta(days=6 - day.weekday())
    for i in range(span(type_, config)):
        m.days[day - dt.timedelta(days=i)] = breaking(type_, config)
        if type_ == "late_shipment_shop":
            late = m.days[day - dt.timedelta(days=i)].late
            m.overdue += [(day - dt.timedelta(days=i), None)] * late
    return day


def industry_peer(m: MerchantFacts, days: list[dt.date]) -> MerchantFacts:
    """A same-industry shop that answers a lot and refuses nothing (the refusal rule's base)."""
    peer = MerchantFacts(industry=m.industry)
    for d in days:
        peer.days[d] = Day(responses=1000)
    return peer


def ceil_days(hours: int) -> int:
    return math.ceil(hours / 24)
