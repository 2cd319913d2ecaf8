"""What a consumer does once an order's fate is known: after-sale requests, reviews, complaints
and follow-up chats. Stars follow product quality and what went wrong (lateness, damage)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from anxin.contract.events import (
    ComplaintFiled,
    ComplaintPayload,
    Event,
    ReviewPayload,
    ReviewPosted,
)
from anxin.sim import aftersales, chats
from anxin.sim.aftersales import Request
from anxin.sim.catalog import Listing
from anxin.sim.consumers import EMPTY_BOX, HEAVY_RETURNER, RING, WARDROBER
from anxin.sim.context import Context
from anxin.sim.merchants import Merchant
from anxin.sim.timeline import DAY, HOUR, at
from anxin.sim.tracking import Parcel
from anxin.sim.truth import AbuseKind, HelpTruth, Truth

REVIEW_TEXT = (
    "",
    "质量太差了，非常失望",
    "一般般，有点失望",
    "还行吧",
    "挺好的，物流也快",
    "非常满意，质量很好，好评！",
)
LATE_HOURS_COMPLAINT = 48
NO_REASON_LAST_HOUR = 7 * 24 - 2  # honest no-reason returns are asked inside the 7 days


@dataclass(slots=True)
class Facts:
    """One paid order's facts, as the consumer experiences them."""

    order_id: str
    consumer: int
    consumer_id: str
    paid: int
    amount_paid: int
    due: int
    listing: Listing
    late_s: int = 0  # seconds picked up after the due (0: on time)
    parcel: Parcel | None = None
    never_shipped: bool = False  # no real parcel: stock-out, false shipment or fake tracking
    shipped_claim_at: int = 0  # when the merchant said it shipped (fake and false shipments)
    fraud: bool = False
    cancelled: bool = False  # closed before shipment: no after-sale, no review
    closed_before_due: bool = False  # cancelled by the merchant before the due: nothing to chase
    misled_by_content: bool = False  # bought on content with a hollow claim


def react(ctx: Context, m: Merchant, f: Facts, out: list[Event], truth: list[Truth]) -> None:
    if f.cancelled and not f.never_shipped:  # the consumer changed their mind: nothing follows
        return
    rng, om = ctx.rng, ctx.om
    rand = rng.random
    p = f.parcel
    delivered = p.delivered if p is not None else None
    consumers = ctx.consumers
    req: Request | None = None
    t = 0
    paid = f.amount_paid
    if f.cancelled:
        pass
    elif delivered is None:
        if p is not None and p.returned:
            req, t = Request("refund_only", "refused_delivery", paid), p.last_scan + 3600
        elif rand() < om.not_received_claim_rate:
            last = p.last_scan if p is not None else f.shipped_claim_at
            req, t = (
                Request("refund_only", "not_received", paid),
                last + int((72 + 96 * rand()) * HOUR),
            )
    else:
        t = delivered + int((1.0 + 47.0 * rand()) * HOUR)
        if f.fraud:
            req = Request("refund_only", "empty_parcel", paid)
        elif p is not None and p.damaged and rand() < om.damage_claim_rate:
            req = Request("return_refund", "logistics_damage", paid)
        elif consumers.abusing(f.consumer, delivered) and (
            rand() < consumers.abuse_rate[f.consumer]
        ):
            req, t = _abuse(ctx, consumers.kind[f.consumer], paid, delivered, t)
        elif rand() < om.signed_missing_rate:  # signed for, yet really never reached them
            req = Request("refund_only", "not_received", paid, signed=True)
            t = delivered + int((12.0 + 84.0 * rand()) * HOUR)
        elif rand() < om.quality_rate * (1.0 - m.behaviour.quality):
            req = Request("return_refund", "quality", paid)
        elif f.listing.bad == "misleading" and rand() < om.not_described_rate:
            req = Request("return_refund", "not_as_described", paid)
        elif rand() < om.no_reason_rate * m.industry.no_reason_factor * (
            ctx.params.mix.consumers.heavy_return_factor
            if consumers.kind[f.consumer] == HEAVY_RETURNER
            else 1.0
        ):
            hours = min(NO_REASON_LAST_HOUR, om.no_reason_request_hours.sample(rng))
            t = delivered + int(hours * HOUR)
            if m.industry.name == "apparel" and rand() < om.exchange_share:
                req = Request("exchange", "size", paid)
            else:
                req = Request("return_refund", "no_reason", paid)
    refused = False
    if req is not None:
        _, refused = aftersales.run(ctx, m, f.order_id, 1, req, t, out, truth)

    reach = _Reach(ctx, f.order_id, out)
    if delivered is not None and rand() < ctx.consumers.review_rate[f.consumer]:
        _review(ctx, m, f, req, delivered, out, reach)

    late_long = f.late_s > LATE_HOURS_COMPLAINT * HOUR
    trouble = f.never_shipped or late_long or refused or f.fraud or (p is not None and p.lost)
    rate = ctx.consumers.complaint_rate[f.consumer] * (
        om.complaint_trouble_factor if trouble else 0.05
    )
    if rand() < rate:
        topic = (
            "fraud_shipping"
            if f.fraud
            else "out_of_stock"
            if f.cancelled
            else "not_received"
            if f.never_shipped or delivered is None
            else "aftersale_refused"
            if refused
            else "late_shipment"
            if late_long
            else "service"
        )
        when = max(t, delivered or 0, f.due) + int((1.0 + 71.0 * rand()) * HOUR)
        asks = topic not in LOGISTICS_TOPICS or not reach.deflects(when)
        if topic in LOGISTICS_TOPICS:
            truth.append(_help(m, f, "complaint", when, asks))
        if asks:
            out.append(
                ComplaintFiled(
                    id=f"{f.order_id}:complaint",
                    occurred_at=at(when),
                    source=ctx.source,
                    payload=ComplaintPayload(
                        complaint_id=f"K{f.order_id[1:]}",
                        merchant_id=m.merchant_id,
                        consumer_id=f.consumer_id,
                        topic=topic,
                        order_id=f.order_id,
                    ),
                )
            )
            _answer_complaint(ctx, m, f, when, out)

    if f.closed_before_due:
        pass
    elif f.late_s or f.never_shipped or (p is not None and (p.stalled_hours or p.lost)):
        if rand() < om.trouble_chat_rate:
            asked = f.due + int((2.0 + 22.0 * rand()) * HOUR)
            if p is not None and not f.late_s:  # the parcel left on time but got stuck
                asked = p.first_scan + int((48.0 + 48.0 * rand()) * HOUR)
            said: list[Event] = []
            kept = _counters(m)
            question = _chat(ctx, m, f, asked, chats.TROUBLE_ASK, chats.TROUBLE_ANSWER, said)
            if question in chats.LOGISTICS_ASK:
                asks = not reach.deflects(asked)
                truth.append(_help(m, f, "chat", asked, asks))
                if not asks:  # the same draws were made: only what it said is taken back
                    said.clear()
                    _restore(m, kept)
            out += said
    elif delivered is not None and rand() < om.post_chat_rate * m.behaviour.chat_factor:
        asked = delivered + int((1.0 + 47.0 * rand()) * HOUR)
        _chat(ctx, m, f, asked, chats.USAGE_ASK, chats.USAGE_ANSWER, out)
    reach.at()  # every order is judged, asked or not: the contacts are what anxin sent


COMPLAINT_ANSWER = "亲，非常抱歉给您带来不便，已为您核实处理，请放心"


def _answer_complaint(ctx: Context, m: Merchant, f: Facts, filed: int, out: list[Event]) -> None:
    """The merchant's answer to a complaint's ticket, in chat on the order (or none)."""
    om = ctx.om
    rand = random.Random(f"anxin-sim:{ctx.params.seed}:{f.order_id}:complaint").random
    u = rand()
    in_time = om.complaint_answer_rate * m.behaviour.escalation_reply_rate
    if u < in_time:
        lo, hi = om.complaint_answer_hours
    elif u < in_time + (1.0 - in_time) / 2:
        lo, hi = om.complaint_late_hours
    else:
        return
    t = filed + int((lo + (hi - lo) * rand()) * HOUR)
    cid = f"{f.order_id}:c3"
    out.append(chats.line(ctx, m.merchant_id, cid, 1, f.consumer_id, f.order_id, "agent",
                          COMPLAINT_ANSWER, t))  # fmt: skip


LOGISTICS_TOPICS = frozenset({"not_received", "late_shipment"})


class _Reach:
    """When the platform first reached this order's consumer (asked once, when needed)."""

    __slots__ = ("_asked", "_at", "ctx", "events", "order_id")

    def __init__(self, ctx: Context, order_id: str, events: list[Event]) -> None:
        self.ctx, self.order_id, self.events = ctx, order_id, events
        self._asked = False
        self._at: int | None = None

    def at(self) -> int | None:
        outreach = self.ctx.outreach
        if outreach is None:
            return None
        if not self._asked:
            self._at, self._asked = outreach.first_contact(self.order_id, self.events), True
        return self._at

    def before(self, t: int) -> bool:
        reached = self.at()
        return reached is not None and reached < t

    def deflects(self, asked: int) -> bool:
        """Reached before ``asked``, the consumer does not write (a draw of its own)."""
        return self.before(asked) and (
            self.ctx.react_rng.random() < self.ctx.reactions.proactive_deflect
        )


def _help(m: Merchant, f: Facts, channel: str, when: int, asked: bool) -> HelpTruth:
    return HelpTruth(order_id=f.order_id, merchant_id=m.merchant_id, channel=channel,
                     at=at(when), asked=asked)  # fmt: skip


_COUNTED = ("sessions", "unanswered", "rounds", "response_seconds")


def _counters(m: Merchant) -> tuple[int, ...]:
    return tuple(getattr(m.stats, k) for k in _COUNTED) if m.stats is not None else ()


def _restore(m: Merchant, kept: tuple[int, ...]) -> None:
    if m.stats is not None and kept:
        for k, v in zip(_COUNTED, kept, strict=True):
            setattr(m.stats, k, v)


def _abuse(ctx: Context, kind: int, paid: int, delivered: int, t: int) -> tuple[Request, int]:
    """An abuser's request on a delivered order, as their kind abuses, and when they ask."""
    rand, om = ctx.rng.random, ctx.om
    if kind == WARDROBER:  # worn first, sent back late in the no-reason window
        lo, hi = om.wardrobe_request_days
        reason = "no_reason" if rand() < 0.7 else "quality"
        return Request("return_refund", reason, paid, "wardrobing"), delivered + int(
            (lo + (hi - lo) * rand()) * DAY
        )
    if kind == RING:  # burner accounts claim within hours
        lo, hi = om.ring_request_hours
        t = delivered + int((lo + (hi - lo) * rand()) * HOUR)
        if rand() < om.ring_empty_box_share:
            return Request("return_refund", "no_reason", paid, "empty_box"), t
        return Request("refund_only", "not_received", paid, "not_received_signed", True), t
    if kind == EMPTY_BOX:
        swap: AbuseKind = "wrong_item" if rand() < om.wrong_item_share else "empty_box"
        u = rand()
        reason = "no_reason" if u < 0.5 else "quality" if u < 0.8 else "not_as_described"
        return Request("return_refund", reason, paid, swap), t
    # NOT_RECEIVED: the parcel was signed for; they say it never came.
    t = delivered + int((12.0 + 84.0 * rand()) * HOUR)
    return Request("refund_only", "not_received", paid, "not_received_signed", True), t


def _chat(
    ctx: Context,
    m: Merchant,
    f: Facts,
    asked: int,
    asks: tuple[str, ...],
    answers: tuple[str, ...],
    out: list[Event],
) -> str:
    """Append a follow-up conversation; return the consumer's question."""
    rand = ctx.rng.random
    question = asks[int(rand() * len(asks))]
    answer = answers[int(rand() * len(answers))]
    conv = f"{f.order_id}:c2"
    chats.conversation(ctx, m, conv, f.consumer_id, f.order_id, asked, question, answer, out)
    return question


def _review(
    ctx: Context,
    m: Merchant,
    f: Facts,
    req: Request | None,
    delivered: int,
    out: list[Event],
    reach: _Reach,
) -> None:
    rng = ctx.rng
    rand = rng.random
    p = f.parcel
    if f.fraud:
        stars = 1
    elif req is not None and req.reason in ("quality", "not_as_described"):
        stars = 1 if rand() < 0.6 else 2
    else:
        mu = 1.2 + 4.0 * m.behaviour.quality
        if f.late_s:
            mu -= 1.2 if f.late_s > LATE_HOURS_COMPLAINT * HOUR else 0.6
        if p is not None and p.damaged:
            mu -= 1.5
        if p is not None and p.stalled_hours:
            mu -= 0.5
        if f.misled_by_content:
            mu -= ctx.reactions.misled_star_penalty  # not what the stream promised
        if (f.late_s or (p is not None and p.stalled_hours)) and reach.before(delivered):
            mu += ctx.reactions.proactive_star_lift  # told before they had to ask
        stars = min(5, max(1, round(mu + rng.gauss(0.0, 0.9))))
    when = delivered + int(ctx.om.review_hours.sample(rng) * HOUR) + 600
    out.append(
        ReviewPosted(
            id=f"{f.order_id}:review",
            occurred_at=at(when),
            source=ctx.source,
            payload=ReviewPayload(
                review_id=f"R{f.order_id[1:]}",
                order_id=f.order_id,
                merchant_id=m.merchant_id,
                stars=stars,
                listing_id=f.listing.listing_id,
                text=REVIEW_TEXT[stars],
            ),
        )
    )
