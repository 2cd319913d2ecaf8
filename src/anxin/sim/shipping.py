"""The merchant's side of an order after payment: ship on time or late, run out of stock,
fake a shipment or its tracking, or send an empty parcel; and the parcel's journey."""

from __future__ import annotations

from typing import Literal, cast

from anxin.contract.events import (
    Event,
    OrderCancelled,
    OrderCancelledPayload,
    ShipmentCreated,
    ShipmentCreatedPayload,
)
from anxin.sim import aftersales
from anxin.sim.aftersales import Request
from anxin.sim.carriers import CARRIERS, tracking_number
from anxin.sim.context import Context
from anxin.sim.geo import ABROAD, BY_NAME, INTERNATIONAL, LANE_NAMES, PROVINCES, route
from anxin.sim.governance import MerchantDay
from anxin.sim.merchants import Merchant, Today
from anxin.sim.outcomes import Facts
from anxin.sim.timeline import DAY, HOUR, at, courier_hours, local_midnight
from anxin.sim.tracking import Parcel
from anxin.sim.truth import OrderTruth, ParcelTruth, ShipmentTruth, ShipmentWhy, Truth

CancelBy = Literal["consumer", "merchant", "platform", "system"]
_CHANNELS = frozenset({"live_stream", "video", "chat"})  # promises made by a selling channel
# Imports clear customs at the gateway nearest the buyer.
_IMPORT_GATEWAY = {
    "北京": "BEIJING",
    "天津": "BEIJING",
    "河北": "BEIJING",
    "辽宁": "BEIJING",
    "广东": "GUANGZHOU",
    "广西": "GUANGZHOU",
    "海南": "GUANGZHOU",
    "福建": "GUANGZHOU",
}


class Shipping:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def fulfil(
        self,
        m: Merchant,
        today: Today,
        f: Facts,
        record: OrderTruth,
        province: str,
        city: str,
        evs: list[Event],
        truth: list[Truth],
        stats: MerchantDay,
    ) -> None:
        """Decide how (and whether) the merchant ships, and trace the parcel."""
        ctx = self.ctx
        rng, om = ctx.rng, ctx.om
        rand = rng.random
        b = m.behaviour
        paid, due = f.paid, f.due
        window = due - paid
        if rand() < om.consumer_cancel_rate:
            t = paid + 60 + int(rand() * min(window, 24 * HOUR))
            self.refund_before_shipment(m, f, record, "changed_mind", "consumer", t, evs, truth)
            return
        if rand() < today.out_of_stock_rate:
            stats.out_of_stock += 1
            record.out_of_stock = True
            f.never_shipped = True
            t = due + int(rand() * 72 * HOUR) + 60
            if b.oos_cancel_hours:  # oversold on purpose: cancelled before the due
                t = min(due - 600, paid + int((0.5 + (b.oos_cancel_hours - 0.5) * rand()) * HOUR))
                f.closed_before_due = True
            stats.due += not f.closed_before_due
            if rand() < b.oos_cancel_share:
                self._cancel(f.order_id, "merchant", "out_of_stock", t, evs)
                record.cancelled = True
                stats.admitted += 1
            else:
                stats.non_delivery += 1
                self.refund_before_shipment(m, f, record, "not_shipped", "system", t, evs, truth)
            return
        stats.due += 1
        channel = record.promise_source in _CHANNELS
        stats.promised += channel
        if b.non_delivery_rate and rand() < b.non_delivery_rate:
            # Paid, never shipped, never cancelled: the consumer chases, then asks a refund.
            record.not_delivered = True
            f.never_shipped = True
            stats.non_delivery += 1
            stats.promise_broken += channel
            lo, hi = ctx.params.mix.violators.non_delivery_refund_hours
            t = due + int((lo + (hi - lo) * rand()) * HOUR)
            self.refund_before_shipment(m, f, record, "not_shipped", "system", t, evs, truth)
            return

        carrier = m.carriers[0] if len(m.carriers) == 1 or rand() < 0.7 else m.carriers[1]
        spec = CARRIERS[carrier]
        why = ""
        pickup: int | None = None
        if rand() < b.fake_tracking_rate:
            click = paid + 60 + int(window * (0.05 + 0.45 * rand()))
            last = m.last_parcel
            if last is not None and last[2] < paid and rand() < om.reused_share:
                why, (carrier, tn, _) = "reused_number", last
            else:
                why, tn = "pre_payment_scan", tracking_number(spec, m.next_serial())
                # A number bought with someone else's trace: it moved before this payment.
                fake_pickup = paid - int((2.0 + 70.0 * rand()) * HOUR)
                there = PROVINCES[int(rand() * len(PROVINCES))]
                origin = (
                    ABROAD[int(rand() * len(ABROAD))][1]
                    if spec.international
                    else PROVINCES[int(rand() * len(PROVINCES))].cities[0]
                )
                self._trace(
                    spec.name, tn, f.order_id, origin, there.cities[-1], there.name, fake_pickup,
                    evs, truth, abroad=spec.international,
                )  # fmt: skip
            f.never_shipped = True
        elif rand() < b.false_ship_rate:
            click = paid + 60 + int(window * (0.1 + 0.8 * rand()))
            tn = tracking_number(spec, m.next_serial())
            if rand() < om.false_ship_never_share:
                why = "no_pickup"
                f.never_shipped = True
            else:
                why = "late_pickup"
                lo, hi = om.false_ship_pickup_hours
                pickup = courier_hours(click + int((lo + (hi - lo) * rand()) * HOUR), rand)
        else:
            late_rate = today.late_ship_rate
            if b.meltdown_days:  # parcels due on a meltdown day are mostly late
                start = ctx.run_start + b.meltdown_start * DAY
                if start <= due < start + b.meltdown_days * DAY:
                    late_rate = max(late_rate, b.meltdown_late_rate)
            pace = due
            if (
                b.false_promise_rate and channel and rand() < b.false_promise_rate
            ):  # the channel's promise is ignored: the shop ships at its listing's pace
                pace = paid + (f.listing.promise_hours or 24) * HOUR
                window = pace - paid
            if rand() < late_rate:
                late_by = 60 + int(rng.expovariate(1.0) * today.late_hours * HOUR)
                pickup = courier_hours(pace + late_by, rand)
            else:
                u = min(0.98, b.ship_fraction * (rand() + rand()))
                planned = min(pace, paid + max(600, int(window * u)))
                pickup = courier_hours(planned, rand)
                if pickup > pace:  # the next round is too late: the courier came the evening before
                    evening = local_midnight(pickup) - DAY + 19 * HOUR + int(rand() * HOUR)
                    pickup = evening if paid + 600 <= evening <= pace else planned
            click = max(paid + 60, pickup - int(om.click_to_pickup_hours.sample(rng) * HOUR))
            tn = tracking_number(spec, m.next_serial())
            if rand() < b.fraud_ship_rate:
                why, f.fraud = "empty_parcel", True
                stats.fraud += 1
        shipment_id = f"{f.order_id}-S1"
        evs.append(
            ShipmentCreated(
                id=f"{f.order_id}:shipped",
                occurred_at=at(click),
                source=ctx.source,
                payload=ShipmentCreatedPayload(
                    order_id=f.order_id,
                    shipment_id=shipment_id,
                    carrier=carrier,
                    tracking_number=tn,
                    origin=ctx.region(m.country, m.province, m.city.split(" - ")[0]),
                ),
            )
        )
        stats.shipped += 1
        f.shipped_claim_at = click
        if why and why != "empty_parcel":
            stats.fake += 1
        if why:
            truth.append(
                ShipmentTruth(
                    order_id=f.order_id,
                    shipment_id=shipment_id,
                    carrier=carrier,
                    tracking_number=tn,
                    fake=why != "empty_parcel",
                    fraud=why == "empty_parcel",
                    why=cast(ShipmentWhy, why),
                )
            )
        stats.promise_broken += channel and (pickup is None or pickup > due)
        if pickup is None:
            return
        record.shipped_at = at(pickup)
        record.shipped_late = pickup > due
        if pickup > due:
            f.late_s = pickup - due
            stats.late += 1
        f.parcel = self._trace(
            carrier,
            tn,
            f.order_id,
            m.city,
            city,
            province,
            pickup,
            evs,
            truth,
            abroad=m.country != "CN",
        )
        m.last_parcel = (carrier, tn, pickup)

    def _trace(
        self,
        carrier: str,
        tn: str,
        order_id: str,
        origin: str,
        city: str,
        province: str,
        pickup: int,
        evs: list[Event],
        truth: list[Truth],
        *,
        abroad: bool = False,
    ) -> Parcel:
        tracker = self.ctx.trackers[carrier]
        hubs: tuple[str, ...]
        if abroad:
            capital = BY_NAME[province].capital_en
            gateway = _IMPORT_GATEWAY.get(province, "SHANGHAI")
            hubs = (origin, f"{gateway} - CHINA MAINLAND", f"{capital} - CHINA MAINLAND")
            if gateway == capital:
                hubs = hubs[:2]
            lane = INTERNATIONAL
            parcel = tracker.trace(self.ctx.rng, tn, lane, hubs, pickup, evs, customs_hub=1)
        else:
            lane, hubs = route(origin, city)
            parcel = tracker.trace(self.ctx.rng, tn, lane, hubs, pickup, evs)
        transit = None
        if parcel.delivered is not None:
            transit = round((parcel.delivered - pickup) / HOUR, 1)
        truth.append(
            ParcelTruth(
                carrier=carrier,
                tracking_number=tn,
                order_id=order_id,
                lane=LANE_NAMES[lane],
                transit_hours=transit,
                stalled_hours=parcel.stalled_hours,
                lost=parcel.lost,
                damaged=parcel.damaged,
                returned=parcel.returned,
                failed_attempts=parcel.failed_attempts,
            )
        )
        return parcel

    def refund_before_shipment(
        self,
        m: Merchant,
        f: Facts,
        record: OrderTruth,
        reason: str,
        by: CancelBy,
        t: int,
        evs: list[Event],
        truth: list[Truth],
    ) -> None:
        """极速退款: a refund before shipment is approved at once and closes the order."""
        req = Request("refund_only", reason, f.amount_paid, instant=True)
        end, _ = aftersales.run(self.ctx, m, f.order_id, 1, req, t, evs, truth)
        self._cancel(f.order_id, by, "refunded", end + 1, evs)
        record.cancelled = True

    def _cancel(self, order_id: str, by: CancelBy, reason: str, t: int, evs: list[Event]) -> None:
        evs.append(
            OrderCancelled(
                id=f"{order_id}:cancelled",
                occurred_at=at(t),
                source=self.ctx.source,
                payload=OrderCancelledPayload(order_id=order_id, by=by, reason=reason),
            )
        )
