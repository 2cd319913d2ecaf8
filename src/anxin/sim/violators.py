"""Planted violators: merchants who each break one enforcement rule the way a real bad merchant
of that kind does, at a realistic intensity, and behave like any other merchant otherwise.

Which merchants are planted, and how hard, comes from the run's own ``violators`` stream, so
the merchant table's other draws stay as they are. A planted shop's volume is set in orders a
day (``ViolatorMix.orders_per_day``: the rules count orders per day, so the volume is part of
the behaviour); the other merchants keep their relative sizes and are rescaled so the world's
total volume does not change. What was planted is written to the truth stream only
(``ViolatorTruth``).

- ``malicious_non_delivery``: a small scam shop takes payment and never ships a share of its
  orders, nor cancels them; consumers chase it, then ask a refund days after the due.
- ``false_inventory``: sells stock it does not have and cancels the orders as out of stock.
- ``false_promise``: a selling video promises 24 h shipping; the shop ships at its listing's
  72 h pace anyway.
- ``trajectory_anomaly``: uploads tracking numbers with no parcel behind them (picked up days
  later or never) or a bought trace from before the payment, or reuses a number.
- ``fraud_shipping``: sends empty parcels.
- ``late_shipment_shop``: one of the biggest shops; a sales surge its warehouse cannot handle
  makes most parcels due on a few consecutive days late.
- ``negative_service``: one slow agent for a shop whose goods raise many questions: slow
  answers, many never answered.
- ``unjustified_refusal``: poor goods, and most after-sale requests refused.
- ``overdue_tickets``: refuses more than most and never answers the platform's escalations.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from anxin.enforcement.config import VIOLATION_TYPES
from anxin.sim.mix import Span, ViolatorMix
from anxin.sim.params import SimParams

if TYPE_CHECKING:
    from anxin.sim.merchants import Merchant

# Every planted merchant is honest in the other ways: no other bad-actor trait, no selling
# channel with its own promise (their clocks are part of one planted behaviour only).
HONEST = {
    "false_ship_rate": 0.0,
    "fake_tracking_rate": 0.0,
    "fraud_ship_rate": 0.0,
    "live_rate": 0.0,
    "video_rate": 0.0,
    "presale_rate": 0.0,
}


def planned(params: SimParams) -> list[str]:
    """The violation of each merchant to plant, round-robin over the types (every type gets one
    before any gets two), at most ``max_merchant_share`` of the world's merchants."""
    mix = params.mix.violators
    room = int(params.merchants * mix.max_merchant_share)
    most = max((n for _, n in mix.counts), default=0)
    out: list[str] = []
    for r in range(most):
        for t in VIOLATION_TYPES:
            if mix.count(t) > r and len(out) < room:
                out.append(t)
    return out


def plant(params: SimParams, merchants: list[Merchant]) -> list[Merchant]:
    """Pick and shape the planted merchants in place (sizes already normalised to mean 1) and
    return them (their listings are made again from the planted behaviour)."""
    todo = planned(params)
    if not todo:
        return []
    mix = params.mix.violators
    rng = random.Random(f"anxin-sim:{params.seed}:violators")
    # Domestic shops (lanes and clocks as the rules expect); a merchant a run pins through
    # ``overrides`` keeps the behaviour it was given.
    candidates = [
        m for m in merchants if m.country == "CN" and m.merchant_id not in params.overrides
    ]
    rng.shuffle(candidates)
    industries = Counter(m.industry.name for m in merchants)
    refusers: set[str] = set()
    chosen: list[tuple[Merchant, str]] = []
    for violation in todo:
        if not candidates:
            break
        pick = 0
        if violation == "unjustified_refusal":
            # Refusal is judged against the merchant's industry: one refuser per industry,
            # biggest industries first, so the industry's own rate is not its rate.
            free = [i for i, m in enumerate(candidates) if m.industry.name not in refusers]
            if free:
                pick = min(free, key=lambda i: (-industries[candidates[i].industry.name], i))
            refusers.add(candidates[pick].industry.name)
        chosen.append((candidates.pop(pick), violation))

    opmd = params.orders_per_merchant_day or 1.0
    sizes = [mix.volume(v) / opmd for _, v in chosen]
    total = float(len(merchants))  # sizes have mean 1
    room = mix.max_volume_share * total
    scale = min(1.0, room / sum(sizes)) if sum(sizes) > 0 else 1.0
    planted_ids = {m.merchant_id for m, _ in chosen}
    others = [
        m
        for m in merchants
        if m.merchant_id not in planted_ids and m.merchant_id not in params.overrides
    ]
    usual = ordinary(params)
    for (m, violation), size in zip(chosen, sizes, strict=True):
        m.violation = violation
        traits = {"size": size * scale, **_SHAPES[violation](rng, mix, params.days)}
        for k, v in {**HONEST, **usual, **traits}.items():
            setattr(m.behaviour, k, v)
        m.violation_traits = {k: _rounded(v) for k, v in traits.items()}
    pinned = sum(m.behaviour.size for m in merchants if m.merchant_id in params.overrides)
    left = total - pinned - sum(m.behaviour.size for m, _ in chosen)
    current = sum(m.behaviour.size for m in others)
    if others and current > 0 and left > 0:
        for m in others:
            m.behaviour.size *= left / current
    return [m for m, _ in chosen]


def ordinary(params: SimParams) -> dict[str, float]:
    """The mix's typical merchant: a planted shop is big, and a tail draw of another trait
    (a 15 % refusal rate, a 30 % stock-out rate) would make it break a second rule."""
    mm = params.mix.merchants
    return {
        "late_ship_rate": mm.late_ship_rate.mean,
        "out_of_stock_rate": mm.out_of_stock_rate.mean,
        "refusal_rate": mm.refusal_rate.mean,
        "chat_miss_rate": mm.chat_miss_rate.mean,
        "reply_minutes": mm.reply_minutes.median,
        "bad_listing_rate": mm.bad_listing_rate.mean,
    }


def _rounded(v: float) -> float:
    return round(v, 4) if isinstance(v, float) else v


def _u(rng: random.Random, span: Span) -> float:
    lo, hi = span
    return lo + (hi - lo) * rng.random()


Shape = Callable[[random.Random, ViolatorMix, int], dict[str, float]]


def _non_delivery(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {"non_delivery_rate": _u(rng, mix.non_delivery_rate)}


def _false_inventory(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {
        "out_of_stock_rate": _u(rng, mix.false_inventory_rate),
        "oos_cancel_share": 1.0,
        "oos_cancel_hours": mix.false_inventory_cancel_hours,
    }


def _false_promise(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {
        "video_rate": _u(rng, mix.false_promise_video_rate),
        "video_promise_hours": 24,
        "promise_hours": 72,
        "false_promise_rate": 1.0,
        "ship_fraction": _u(rng, mix.false_promise_ship_fraction),
    }


def _trajectory(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {
        "false_ship_rate": _u(rng, mix.false_ship_rate),
        "fake_tracking_rate": _u(rng, mix.fake_tracking_rate),
    }


def _fraud(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {"fraud_ship_rate": _u(rng, mix.fraud_ship_rate)}


def _late_shop(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    lo, hi = mix.meltdown_days
    length = max(1, min(rng.randint(lo, hi), days - 1))
    # Not in the first days: parcels due then were partly paid before the run.
    first = min(3, max(1, days - length))
    start = rng.randint(first, max(first, days - length))
    return {
        "chat_promise_factor": 0.0,  # its agents know the warehouse is behind: no ship-by promise
        "surge_factor": _u(rng, mix.surge_factor),
        "meltdown_start": start,
        "meltdown_days": length,
        "meltdown_late_rate": _u(rng, mix.meltdown_late_rate),
    }


def _negative_service(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {
        "reply_minutes": _u(rng, mix.reply_minutes),
        "chat_miss_rate": _u(rng, mix.chat_miss_rate),
        "chat_factor": _u(rng, mix.chat_factor),
    }


def _refusal(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {"refusal_rate": _u(rng, mix.refusal_rate), "quality": _u(rng, mix.refuser_quality)}


def _overdue(rng: random.Random, mix: ViolatorMix, days: int) -> dict[str, float]:
    return {"refusal_rate": _u(rng, mix.overdue_refusal_rate), "escalation_reply_rate": 0.0}


_SHAPES: dict[str, Shape] = {
    "malicious_non_delivery": _non_delivery,
    "false_inventory": _false_inventory,
    "false_promise": _false_promise,
    "trajectory_anomaly": _trajectory,
    "fraud_shipping": _fraud,
    "late_shipment_shop": _late_shop,
    "negative_service": _negative_service,
    "unjustified_refusal": _refusal,
    "overdue_tickets": _overdue,
}
