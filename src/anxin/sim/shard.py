"""One shard of the marketplace, simulated day by day.

A shard owns a contiguous block of merchants and its own seeded generator; it holds the
merchant and consumer tables and nothing per order beyond the chunk being written. At the end
of each day it hands governance the day's ground truth and applies the measures it returns.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import asdict

from anxin.contract.events import (
    Event,
    ListingPayload,
    ListingSubmitted,
    MerchantPayload,
    MerchantRegistered,
)
from anxin.sim.catalog import attributes
from anxin.sim.consumers import Consumers, consumer_truth
from anxin.sim.content import ContentStandards
from anxin.sim.context import Context, PackView, pack_view
from anxin.sim.governance import DayReport, Governance, NoGovernance
from anxin.sim.merchants import Merchant, make_merchants, typical
from anxin.sim.orders import Orders
from anxin.sim.outreach import Outreach
from anxin.sim.params import SimParams
from anxin.sim.timeline import (
    CST,
    DAY,
    HOUR,
    at,
    day_factor,
    day_start,
    in_presale_season,
    order_times,
    poisson,
)
from anxin.sim.truth import ListingTruth, MeasureTruth, MerchantTruth, Truth, ViolatorTruth

CHUNK_EVENTS = 20_000  # events per chunk handed to the writer

Chunk = tuple[list[Event], list[Truth], int]  # events, truth records, orders placed


def shard_bounds(params: SimParams, index: int) -> tuple[int, int]:
    n, s = params.merchants, params.shards
    return index * n // s, (index + 1) * n // s


class Shard:
    def __init__(
        self,
        params: SimParams,
        index: int = 0,
        governance: Governance | None = None,
        pack: PackView | None = None,
        outreach: Outreach | None = None,
        content_standards: ContentStandards | None = None,
    ) -> None:
        self.params = params
        self.index = index
        self.governance: Governance = governance or NoGovernance()
        lo, hi = shard_bounds(params, index)
        self.merchants: list[Merchant] = make_merchants(params)[lo:hi]
        self.by_id = {m.merchant_id: m for m in self.merchants}
        self.consumers = Consumers(params)
        rng = random.Random(f"anxin-sim:{params.seed}:shard:{index}")
        self.ctx = Context(params, rng, self.consumers, pack or pack_view(params.pack, params))
        self.ctx.outreach = outreach
        self.ctx.content_standards = content_standards
        self.ctx.react_rng = random.Random(f"anxin-sim:{params.seed}:shard:{index}:reactions")
        self.orders = Orders(self.ctx)
        self.first_day = params.start.astimezone(CST).date()
        self.typical = typical(params)  # what a rectified merchant is brought back toward

    def chunks(self) -> Iterator[Chunk]:
        """The shard's whole stream: registrations first, then each day's orders."""
        yield self._registrations()
        for d in range(self.params.days):
            yield from self._day(self.first_day + dt.timedelta(days=d))

    def _registrations(self) -> Chunk:
        src, rng = self.ctx.source, self.ctx.rng
        start = day_start(self.first_day)
        events: list[Event] = []
        truth: list[Truth] = []
        for m in self.merchants:
            settled = start - int((30 + 700 * rng.random()) * DAY)
            region = self.ctx.region(m.country, m.province, m.city.split(" - ")[0])
            events.append(
                MerchantRegistered(
                    id=f"{m.merchant_id}:registered",
                    occurred_at=at(settled),
                    source=src,
                    payload=MerchantPayload(
                        merchant_id=m.merchant_id,
                        name=m.name,
                        industry=m.industry.name,
                        shop_type=m.shop_type,
                        region=region,
                        deposit=self.ctx.money(m.deposit),
                        settled_at=at(settled),
                    ),
                )
            )
            truth.append(
                MerchantTruth(
                    merchant_id=m.merchant_id,
                    industry=m.industry.name,
                    shop_type=m.shop_type,
                    province=m.province,
                    country=m.country,
                    carriers=list(m.carriers),
                    behaviour={k: round(v, 4) for k, v in asdict(m.behaviour).items()},
                )
            )
            if m.violation:
                truth.append(
                    ViolatorTruth(
                        merchant_id=m.merchant_id,
                        violation=m.violation,
                        behaviour=dict(m.violation_traits),
                    )
                )
            t = settled
            for x in m.listings:
                t += int((1 + 48 * rng.random()) * HOUR)
                promises = (
                    []
                    if x.presale or not x.promise_hours
                    else [self.ctx.listing_promises[x.promise_hours]]
                )
                events.append(
                    ListingSubmitted(
                        id=f"{x.listing_id}:submitted",
                        occurred_at=at(min(t, start - 1)),
                        source=src,
                        payload=ListingPayload(
                            listing_id=x.listing_id,
                            merchant_id=m.merchant_id,
                            title=x.title,
                            category=x.category,
                            price=self.ctx.money(x.price),
                            promises=promises,
                            presale=x.presale,
                            attributes=attributes(x.industry, x.material),
                        ),
                    )
                )
                truth.append(
                    ListingTruth(
                        listing_id=x.listing_id,
                        merchant_id=m.merchant_id,
                        bad=bool(x.bad),
                        why=x.bad,
                    )
                )
            if m.behaviour.video_rate > 0:
                self.orders.video(m, min(t + HOUR, start - 1), events)
        if self.index == 0:  # the consumer table is shared: shard 0 reports it
            truth.extend(consumer_truth(self.consumers))
        return events, truth, 0

    def _day(self, day: dt.date) -> Iterator[Chunk]:
        params, ctx, orders = self.params, self.ctx, self.orders
        rng, reactions = ctx.rng, ctx.reactions
        mean = params.orders_per_merchant_day * day_factor(day)
        season = ctx.om.presale_season_factor if in_presale_season(day) else 1.0
        report = DayReport(day)
        events: list[Event] = []
        truth: list[Truth] = []
        placed = 0
        index = (day - self.first_day).days
        for m in self.merchants:
            m.settle(day, reactions, self.typical)
            today = m.today(day, reactions)
            b = m.behaviour
            size = b.size
            # A surge from two days before the meltdown: those orders are due on its days.
            if b.meltdown_days and -2 <= index - b.meltdown_start < b.meltdown_days - 1:
                size *= b.surge_factor
            n = poisson(rng, size * mean)
            if today.cap is not None:
                n = min(n, today.cap)
            if n == 0:
                continue
            stats = m.stats = report.of(m.merchant_id)
            stats.industry = m.industry.name
            live = orders.live_stream(m, day, events) if m.behaviour.live_rate > 0 else None
            presale_share = min(1.0, today.presale_rate * season)
            for t in order_times(rng, day, n):
                orders.order(m, today, t, presale_share, live, events, truth, stats)
            placed += n
            if len(events) >= CHUNK_EVENTS:
                yield events, truth, placed
                events, truth, placed = [], [], 0
        truth.extend(self._govern(day, report))
        yield events, truth, placed

    def _govern(self, day: dt.date, report: DayReport) -> list[Truth]:
        ids = [m.merchant_id for m in self.merchants]
        decided = self.governance.measures(day, ids, report)
        applied: list[Truth] = []
        for mid in sorted(decided):
            m = self.by_id.get(mid)
            if m is None:
                continue
            for x in decided[mid]:
                if x.kind == "penalty":
                    m.penalty_until = max(m.penalty_until or x.until, x.until)
                    m.penalties_paid += x.amount
                elif x.kind == "payout":
                    m.payout_until = max(m.payout_until or x.until, x.until)
                    m.penalties_paid += x.amount
                elif x.kind == "presale_off":
                    m.presale_off_until = max(m.presale_off_until or x.until, x.until)
                elif x.kind == "order_cap":
                    m.cap, m.cap_until = x.amount, x.until
                elif x.kind == "rectify":
                    m.rectify(x.about, x.until)
                applied.append(
                    MeasureTruth(
                        merchant_id=mid,
                        day=day,
                        measure=x.kind,
                        until=x.until,
                        amount=x.amount,
                        reason=x.reason,
                    )
                )
        return applied
