"""One order's whole life, generated at once when it is placed: items and promises, payment,
the merchant's shipping (on time, late, out of stock, false or fake), the parcel's scans and
the consumer's reactions. The order's events are returned in time order with its ground truth.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Literal

from anxin.contract.events import (
    ContentPayload,
    ContentPublished,
    Event,
    Item,
    OrderCancelled,
    OrderCancelledPayload,
    OrderPaid,
    OrderPaidPayload,
    OrderPlaced,
    OrderPlacedPayload,
    Promise,
)
from anxin.sim import chats
from anxin.sim.content import publish
from anxin.sim.context import Context
from anxin.sim.governance import MerchantDay
from anxin.sim.merchants import Merchant, Today
from anxin.sim.outcomes import Facts, react
from anxin.sim.shipping import Shipping
from anxin.sim.timeline import HOUR, at, day_start, end_of_day, local_midnight
from anxin.sim.truth import OrderTruth, Truth

_BY_TIME = attrgetter("occurred_at")
Channel = Literal["shelf", "live_stream", "video", "search", "other"]


class Orders:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.shipping = Shipping(ctx)
        self.latest: dt.datetime | None = None  # the last instant of any order's life

    def live_stream(self, m: Merchant, day: dt.date, out: list[Event]) -> tuple[int, Promise]:
        """A live stream the merchant runs from its opening hour, promising same-day shipping."""
        ctx = self.ctx
        start = day_start(day) + m.behaviour.chat_open * HOUR
        promise = Promise(
            kind="ship", source="live_stream", named=ctx.om.live_promise, made_at=at(start)
        )
        cid = live_content_id(m, start)
        sold = m.listings[:3]
        text, m.live_misleading = publish(
            ctx.params.seed, m.merchant_id, cid, "直播间下单，当天发货！",
            [(x.listing_id, x.title, x.category, x.material) for x in sold], ctx.content_standards,
        )  # fmt: skip
        out.append(
            ContentPublished(
                id=f"{cid}:published",
                occurred_at=at(start),
                source=ctx.source,
                payload=ContentPayload(
                    content_id=cid,
                    merchant_id=m.merchant_id,
                    kind="live_stream",
                    listing_ids=[x.listing_id for x in sold],
                    text=text,
                    promises=[promise],
                ),
            )
        )
        return start, promise

    def video(self, m: Merchant, t: int, out: list[Event]) -> None:
        """A selling video published before the run, promising a ship-by to its viewers."""
        hours = m.behaviour.video_promise_hours
        m.video = Promise(kind="ship", source="video", within_hours=hours, made_at=at(t))
        cid = video_content_id(m)
        sold = m.spot_listings[:2]
        text, m.video_misleading = publish(
            self.ctx.params.seed, m.merchant_id, cid, f"{hours}小时内发货，放心拍！",
            [(x.listing_id, x.title, x.category, x.material) for x in sold],
            self.ctx.content_standards,
        )  # fmt: skip
        out.append(
            ContentPublished(
                id=f"{cid}:published",
                occurred_at=at(t),
                source=self.ctx.source,
                payload=ContentPayload(
                    content_id=cid,
                    merchant_id=m.merchant_id,
                    kind="video",
                    listing_ids=[x.listing_id for x in sold],
                    text=text,
                    promises=[m.video],
                ),
            )
        )

    def order(
        self,
        m: Merchant,
        today: Today,
        placed: int,
        presale_share: float,
        live: tuple[int, Promise] | None,
        out: list[Event],
        truth: list[Truth],
        stats: MerchantDay,
    ) -> None:
        ctx = self.ctx
        rng, om, src = ctx.rng, ctx.om, ctx.source
        rand = rng.random
        b = m.behaviour
        m.order_seq += 1
        oid = f"O{m.index:05d}-{m.order_seq:06d}"
        consumers = ctx.consumers
        ci = consumers.pick(rng, placed)
        cid = f"C{ci:07d}"
        province, city = consumers.region(ci)
        evs: list[Event] = []
        stats.orders += 1

        presale = bool(m.presale_listings) and rand() < presale_share
        pool = m.presale_listings if presale else m.spot_listings
        listing = pool[int(rand() * len(pool))]
        items: list[Item] = []
        amount = 0
        for _ in range(om.items.sample(rng)):
            x = pool[int(rand() * len(pool))] if items else listing
            q = om.quantity.sample(rng)
            amount += x.price * q
            items.append(
                Item(
                    sku=f"{x.listing_id}-{int(rand() * 3)}",
                    quantity=q,
                    unit_price=ctx.money(x.price),
                    listing_id=x.listing_id,
                    category=x.category,
                    title=x.title,
                )
            )

        # Promises shown to this consumer: the shortest binds (domain.promises).
        promises: list[Promise] = []
        dues: list[tuple[int, str]] = []  # (due or hours marker, source), resolved after payment
        within: list[tuple[int, str]] = []
        channel: Channel = "shelf" if rand() < 0.6 else "search"
        content_id: str | None = None
        misled = False  # bought on content with a hollow claim
        presale_by = None
        if presale:
            presale_by = end_of_day(placed, rng.randint(*om.presale_days))
            dues.append((presale_by, "presale"))
        else:
            if listing.promise_hours:
                promises.append(ctx.listing_promises[listing.promise_hours])
                within.append((listing.promise_hours, "listing"))
            if live is not None and placed >= live[0] and rand() < b.live_rate:
                channel = "live_stream"
                promises.append(live[1])
                content_id = live_content_id(m, live[0])
                misled = m.live_misleading
            elif m.video is not None and rand() < b.video_rate:
                channel = "video"
                promises.append(m.video)
                content_id = video_content_id(m)
                misled = m.video_misleading
                within.append((b.video_promise_hours, "video"))
        if rand() < om.pre_chat_rate * b.chat_factor:
            asked = placed - int(120 + 1800 * rand())
            answer_promise = rand() < om.chat_promise_rate * b.chat_promise_factor and not presale
            text = chats.PROMISE_ANSWER if answer_promise else chats.PRESALE_ANSWER[0]
            question = chats.PRESALE_ASK[int(rand() * len(chats.PRESALE_ASK))]
            replied = chats.conversation(ctx, m, f"{oid}:c1", cid, None, asked, question, text, evs)
            if answer_promise and replied is not None and replied < placed:
                hours = om.chat_promise_hours
                promises.append(
                    Promise(kind="ship", source="chat", within_hours=hours, made_at=at(replied))
                )
                within.append((hours, "chat"))
        evs.append(
            OrderPlaced(
                id=f"{oid}:placed",
                occurred_at=at(placed),
                source=src,
                payload=OrderPlacedPayload(
                    order_id=oid,
                    merchant_id=m.merchant_id,
                    consumer_id=cid,
                    items=items,
                    amount=ctx.money(amount),
                    promises=promises,
                    presale_ship_by=at(presale_by) if presale_by is not None else None,
                    destination=ctx.destination(province, city, consumers.address_id(ci)),
                    channel=channel,
                    content_id=content_id,
                    consumer_since=at(consumers.since[ci]),
                ),
            )
        )

        if rand() < om.unpaid_rate:
            evs.append(
                OrderCancelled(
                    id=f"{oid}:cancelled",
                    occurred_at=at(placed + om.unpaid_cancel_minutes * 60),
                    source=src,
                    payload=OrderCancelledPayload(
                        order_id=oid, by="system", reason="unpaid_timeout"
                    ),
                )
            )
            evs.sort(key=_BY_TIME)  # a pre-sale chat may be rated after the order
            out += evs
            return

        paid = placed + 1 + int(om.pay_seconds.sample(rng))
        paid_amount = amount
        if rand() < om.coupon_rate:
            paid_amount -= amount * om.coupon_percent.sample(rng) // 100
        evs.append(
            OrderPaid(
                id=f"{oid}:paid",
                occurred_at=at(paid),
                source=src,
                payload=OrderPaidPayload(order_id=oid, amount_paid=ctx.money(paid_amount)),
            )
        )
        stats.paid += 1
        stats.amount_paid += paid_amount
        dues.extend((paid + h * HOUR, s) for h, s in within)
        if channel == "live_stream":
            dues.append((self._named(paid, ctx.om.live_promise), "live_stream"))
        if not dues:
            dues.append((self._named(paid, ctx.pack.default_promise), "default"))
        due, source = min(dues)
        facts = Facts(oid, ci, cid, paid, paid_amount, due, listing, misled_by_content=misled)
        record = OrderTruth(
            order_id=oid,
            merchant_id=m.merchant_id,
            promised_due=at(due),
            promise_source=source,
            presale=presale,
        )
        self.shipping.fulfil(m, today, facts, record, province, city, evs, truth, stats)
        facts.cancelled = record.cancelled
        react(ctx, m, facts, evs, truth)
        truth.append(record)
        evs.sort(key=_BY_TIME)
        if self.latest is None or evs[-1].occurred_at > self.latest:
            self.latest = evs[-1].occurred_at
        out += evs

    def _named(self, paid: int, named: str) -> int:
        if named == "same_day":
            before = paid - local_midnight(paid) < self.ctx.pack.same_day_cutoff_s
            return end_of_day(paid, 0 if before else 1)
        return end_of_day(paid, 1)


def live_content_id(m: Merchant, start: int) -> str:
    """The id of the merchant's live stream that began at ``start`` (one a day)."""
    return f"V{m.merchant_id[1:]}-{at(start):%Y%m%d}"


def video_content_id(m: Merchant) -> str:
    return f"W{m.merchant_id[1:]}-1"
