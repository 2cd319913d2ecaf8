"""Platform KPIs as pure computations over daily facts.

Each fact is a *unit* (an order, a chat session, a payout, a screened listing) dated by the
pack's local day it belongs to, carrying for each KPI it counts towards a numerator and a
denominator. A KPI over any set of days, merchants or units is then one ratio of sums — the
same code makes the daily trend, the before / after comparison and the drill-down, so they
always agree with one another.

Order units are dated by their payment day (a cohort: everything later that happens to an order
counts on the day it was paid); chat sessions by their start, payouts by their ledger time,
listings by their screening. The formulas (:func:`order_parts`, :func:`chat_parts`, …) are the
KPI definitions; ``docs/pages.md`` lists them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["order", "chat", "payout", "listing"]
# ratio: Σnum ÷ Σden × scale (pooled, so a busy day weighs more); total: Σnum × scale, and a
# period's figure is the mean per day.
Kind = Literal["ratio", "total"]
Format = Literal["hours", "share", "per_1000", "money", "seconds", "count"]


@dataclass(frozen=True)
class Kpi:
    key: str
    unit: Unit
    kind: Kind
    format: Format
    better: Literal["up", "down"]
    scale: float = 1.0


KPIS: tuple[Kpi, ...] = (
    Kpi("avg_delivery_hours", "order", "ratio", "hours", "down"),
    Kpi("shipped_within_share", "order", "ratio", "share", "up"),
    Kpi("logistics_help_per_1000", "order", "ratio", "per_1000", "down", 1000.0),
    Kpi("content_negative_share", "order", "ratio", "share", "down"),
    Kpi("instant_refund_coverage", "order", "ratio", "share", "up"),
    Kpi("instant_refund_loss_rate", "order", "ratio", "share", "down"),
    Kpi("compensation_paid", "payout", "total", "money", "down", 0.01),
    Kpi("response_seconds", "chat", "ratio", "seconds", "down"),
    Kpi("dissatisfaction_share", "chat", "ratio", "share", "down"),
    Kpi("listings_intercepted", "listing", "total", "count", "up"),
)
BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}

# ------------------------------------------------------------------ facts (one per unit)


@dataclass(frozen=True)
class OrderFact:
    order_id: str
    merchant_id: str
    paid_at: dt.datetime
    shipped_at: dt.datetime | None = None  # the carrier's first pickup
    delivered_at: dt.datetime | None = None  # the first signature
    cancelled_unshipped: bool = False  # cancelled before anything shipped
    content_driven: bool = False  # came from a live stream or a video (selling content)
    stars: int | None = None  # the consumer's review
    logistics_help: bool = False  # the consumer asked for help with the parcel
    requests: int = 0  # money after-sales requests (refund only, return and refund)
    instant: int = 0  # of them decided as instant refunds
    instant_amount: int = 0  # minor units refunded instantly
    instant_lost: int = 0  # of that, refunded before shipment for goods that left anyway


@dataclass(frozen=True)
class ChatFact:
    conversation_id: str
    merchant_id: str
    started_at: dt.datetime
    counted: bool  # started inside the service window the score counts
    rounds: int
    response_seconds: int  # an unanswered round counts as the pack's missed-reply time
    stars: int | None = None
    order_id: str | None = None


@dataclass(frozen=True)
class PayoutFact:
    txn_key: str
    merchant_id: str
    order_id: str | None
    at: dt.datetime
    reason: str
    funder: str  # the kind of account that paid: merchant_deposit, platform_fund, …
    amount: int  # minor units
    currency: str


@dataclass(frozen=True)
class ListingFact:
    listing_id: str
    merchant_id: str
    screened_at: dt.datetime
    verdict: str  # pass | needs_changes | intercept


@dataclass(frozen=True)
class Thresholds:
    """The pack's numbers the formulas read (``platform_kpis``, ``merchant_score``)."""

    ship_within_hours: int = 48
    low_star_max: int = 2
    dissatisfied_max_stars: int = 3


Parts = dict[str, tuple[float, float]]


def order_parts(o: OrderFact, th: Thresholds) -> Parts:
    """An order's share of each order KPI (absent: it does not count towards that KPI)."""
    parts: Parts = {"logistics_help_per_1000": (float(o.logistics_help), 1.0)}
    if o.delivered_at is not None:
        parts["avg_delivery_hours"] = ((o.delivered_at - o.paid_at).total_seconds() / 3600, 1.0)
    if not (o.cancelled_unshipped and o.shipped_at is None):
        within = o.shipped_at is not None and (
            o.shipped_at - o.paid_at <= dt.timedelta(hours=th.ship_within_hours)
        )  # exactly N h counts; a microsecond later does not
        parts["shipped_within_share"] = (float(within), 1.0)
    if o.content_driven and o.stars is not None:
        parts["content_negative_share"] = (float(o.stars <= th.low_star_max), 1.0)
    if o.requests:
        parts["instant_refund_coverage"] = (float(o.instant), float(o.requests))
    if o.instant_amount:
        parts["instant_refund_loss_rate"] = (float(o.instant_lost), float(o.instant_amount))
    return parts


def chat_parts(c: ChatFact, th: Thresholds) -> Parts:
    if not c.counted:
        return {}
    parts: Parts = {}
    if c.rounds:
        parts["response_seconds"] = (float(c.response_seconds), float(c.rounds))
    if c.stars is not None:
        parts["dissatisfaction_share"] = (float(c.stars <= th.dissatisfied_max_stars), 1.0)
    return parts


def payout_parts(p: PayoutFact) -> Parts:
    return {"compensation_paid": (float(p.amount), 1.0)}


def listing_parts(x: ListingFact) -> Parts:
    return {"listings_intercepted": (float(x.verdict == "intercept"), 1.0)}


@dataclass(frozen=True)
class Row:
    """A unit as the KPIs see it."""

    unit: Unit
    id: str
    merchant_id: str
    order_id: str | None
    day: dt.date
    parts: Mapping[str, tuple[float, float]]
    labels: Mapping[str, str] = field(default_factory=dict)  # reason, funder …


def rows(
    orders: Iterable[OrderFact],
    chats: Iterable[ChatFact],
    payouts: Iterable[PayoutFact],
    listings: Iterable[ListingFact],
    zone: dt.tzinfo,
    th: Thresholds,
) -> list[Row]:
    def day(at: dt.datetime) -> dt.date:
        return at.astimezone(zone).date()

    out = [
        Row("order", o.order_id, o.merchant_id, o.order_id, day(o.paid_at), order_parts(o, th))
        for o in orders
    ]
    out += [
        Row(
            "chat",
            c.conversation_id,
            c.merchant_id,
            c.order_id,
            day(c.started_at),
            chat_parts(c, th),
        )
        for c in chats
    ]
    out += [
        Row(
            "payout",
            p.txn_key,
            p.merchant_id,
            p.order_id,
            day(p.at),
            payout_parts(p),
            {"reason": p.reason, "funder": p.funder, "currency": p.currency},
        )
        for p in payouts
    ]
    out += [
        Row(
            "listing",
            x.listing_id,
            x.merchant_id,
            None,
            day(x.screened_at),
            listing_parts(x),
            {"verdict": x.verdict},
        )
        for x in listings
    ]
    return out


# ------------------------------------------------------------------ sums to figures


@dataclass
class Sum:
    num: float = 0.0
    den: float = 0.0
    units: int = 0

    def add(self, part: tuple[float, float]) -> None:
        self.num += part[0]
        self.den += part[1]
        self.units += 1


def figure(kpi: Kpi, s: Sum, days: int = 1) -> float | None:
    """The KPI's value for a sum: a ratio (None when nothing counted), or a total per day."""
    if kpi.kind == "total":
        return round(s.num * kpi.scale / max(days, 1), 4)
    return round(s.num / s.den * kpi.scale, 4) if s.den else None


def _in(r: Row, since: dt.date | None, until: dt.date | None) -> bool:
    return (since is None or r.day >= since) and (until is None or r.day <= until)


def days_of(rs: Sequence[Row], since: dt.date | None, until: dt.date | None) -> list[dt.date]:
    """Every day of the bounds that lies between the first and the last fact, gaps included
    (a day without facts still counts towards a total's mean per day)."""
    dates = [r.day for r in rs]
    if not dates:
        return []
    first, last = min(dates), max(dates)
    first, last = max(first, since or first), min(last, until or last)
    if first > last:
        return []
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def daily(
    rs: Sequence[Row], since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, list[dict[str, object]]]:
    """Each KPI per day: ``{kpi: [{day, value, num, den}]}``."""
    sums: dict[tuple[str, dt.date], Sum] = defaultdict(Sum)
    for r in rs:
        if _in(r, since, until):
            for key, part in r.parts.items():
                sums[(key, r.day)].add(part)
    days = days_of(rs, since, until)
    return {
        k.key: [
            {
                "day": d.isoformat(),
                "value": figure(k, sums.get((k.key, d), Sum())),
                "num": sums.get((k.key, d), Sum()).num,
                "den": sums.get((k.key, d), Sum()).den,
            }
            for d in days
        ]
        for k in KPIS
    }


def period(
    rs: Sequence[Row], kpi: Kpi, since: dt.date | None, until: dt.date | None
) -> dict[str, object]:
    s = Sum()
    for r in rs:
        if _in(r, since, until) and kpi.key in r.parts:
            s.add(r.parts[kpi.key])
    n = len(days_of(rs, since, until))
    return {"value": figure(kpi, s, n), "num": s.num, "den": s.den, "units": s.units, "days": n}


def compare(
    rs: Sequence[Row], split: dt.date, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, dict[str, object]]:
    """Each KPI before ``split`` (days < split) and from it on, and the change."""
    before_end = split - dt.timedelta(days=1)
    out: dict[str, dict[str, object]] = {}
    for k in KPIS:
        b = period(rs, k, since, before_end)
        a = period(rs, k, split, until)
        bv, av = b["value"], a["value"]
        change = (
            round(float(av) - float(bv), 4)
            if isinstance(av, float | int) and isinstance(bv, float | int)
            else None
        )
        out[k.key] = {"before": b, "after": a, "change": change}
    return out


def totals(
    rs: Sequence[Row], since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, dict[str, object]]:
    return {k.key: period(rs, k, since, until) for k in KPIS}


def by_merchant(
    rs: Sequence[Row], kpi: Kpi, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, object]]:
    """Each merchant's contribution: its own figure, numerator and denominator; the biggest
    numerator first."""
    sums: dict[str, Sum] = defaultdict(Sum)
    for r in rs:
        if _in(r, since, until) and kpi.key in r.parts:
            sums[r.merchant_id].add(r.parts[kpi.key])
    n = len(days_of(rs, since, until))
    out = [
        {"merchant_id": m, "value": figure(kpi, s, n), "num": s.num, "den": s.den, "units": s.units}
        for m, s in sums.items()
    ]
    return sorted(out, key=lambda x: (-float(x["num"]), str(x["merchant_id"])))  # type: ignore[arg-type]


def numerator(
    rs: Sequence[Row],
    kpi: Kpi,
    since: dt.date | None = None,
    until: dt.date | None = None,
    merchant_id: str | None = None,
    rest: bool = False,
) -> list[Row]:
    """The units in the KPI's numerator (a non-zero share of it), biggest first; ``rest``:
    those counted in the denominator only (the orders that missed, for a share)."""
    found = [
        r
        for r in rs
        if _in(r, since, until)
        and kpi.key in r.parts
        and bool(r.parts[kpi.key][0]) != rest
        and (merchant_id is None or r.merchant_id == merchant_id)
    ]
    return sorted(found, key=lambda r: (-r.parts[kpi.key][0], -r.parts[kpi.key][1], r.id))


def breakdown(
    rs: Sequence[Row], label: str, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, object]]:
    """Compensation paid grouped by a payout label (``reason`` or ``funder``)."""
    sums: dict[tuple[str, str], Sum] = defaultdict(Sum)
    for r in rs:
        if r.unit == "payout" and _in(r, since, until):
            sums[(r.labels[label], r.labels["currency"])].add(r.parts["compensation_paid"])
    out = [
        {label: k, "currency": c, "payouts": s.units, "amount": int(s.num)}
        for (k, c), s in sums.items()
    ]
    return sorted(out, key=lambda x: (-int(x["amount"]), str(x[label])))  # type: ignore[call-overload]


def report(
    rs: Sequence[Row],
    since: dt.date | None = None,
    until: dt.date | None = None,
    split: dt.date | None = None,
) -> dict[str, object]:
    """What ``GET /v1/platform/kpis`` answers and the console shows: each KPI over the
    period, per day, before / after ``split`` (when given), and compensation by reason and by
    funder."""
    days = days_of(rs, since, until)
    return {
        "since": days[0].isoformat() if days else None,
        "until": days[-1].isoformat() if days else None,
        "split": split.isoformat() if split else None,
        "kpis": totals(rs, since, until),
        "daily": daily(rs, since, until),
        "compare": compare(rs, split, since, until) if split else None,
        "compensation": {
            "by_reason": breakdown(rs, "reason", since, until),
            "by_funder": breakdown(rs, "funder", since, until),
        },
    }
