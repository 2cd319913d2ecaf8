"""After-sales flows: a request, the merchant's (or the system's) answer, escalation to the
platform, returns shipped and received, and the resolution.

Requests are justified (quality, damage, not received ...) or abusive (a false "not received"
on a signed parcel, an empty box or a wrong item sent back, worn goods returned). What shows in
the stream is what a marketplace sees: the request, the merchant's answer (refusing more often
a "not received" on a parcel signed for, abusive or not), the condition the merchant reports at
reception, the escalation and the platform's decision, right most of the time. Whether a
request was abusive is written to the truth only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from anxin.contract.events import (
    AfterSaleEscalated,
    AfterSaleEscalatedPayload,
    AfterSaleRequested,
    AfterSaleRequestedPayload,
    AfterSaleResolved,
    AfterSaleResolvedPayload,
    AfterSaleResponded,
    AfterSaleRespondedPayload,
    Event,
    ReturnReceived,
    ReturnReceivedPayload,
    ReturnShipped,
    ReturnShippedPayload,
)
from anxin.sim.carriers import CARRIERS, tracking_number
from anxin.sim.context import Context
from anxin.sim.merchants import Merchant
from anxin.sim.timeline import HOUR, at
from anxin.sim.truth import AbuseKind, AfterSaleTruth, Truth

Kind = Literal["refund_only", "return_refund", "exchange"]
Condition = Literal["ok", "damaged", "empty", "wrong_item", "missing_parts"]
DISPUTE_TEXT: dict[Condition, str] = {
    "empty": "退回空包裹",
    "wrong_item": "退回商品与订单不符",
    "damaged": "退回商品已使用或损坏",
    "missing_parts": "退回商品缺少配件",
}
# The merchant's evidence once a case is escalated, by who escalated it.
EVIDENCE_TEXT = {
    "consumer": "已上传发货凭证及商品质检照片，请平台核实",
    "merchant": "已上传退货签收开箱视频，请平台核实",
}
REQUEST_TEXT = {
    "quality": "质量太差了，申请退货退款",
    "not_as_described": "实物和描述不符",
    "no_reason": "七天无理由退货",
    "size": "尺码不合适，申请换货",
    "logistics_damage": "收到的时候外包装破损，商品坏了",
    "not_received": "一直没有收到货",
    "empty_parcel": "收到的是空包裹",
    "refused_delivery": "快递已拒收，申请退款",
    "changed_mind": "拍错了/不想要了",
    "not_shipped": "商家迟迟不发货",
}


@dataclass(frozen=True, slots=True)
class Request:
    kind: Kind
    reason: str
    amount: int  # refund asked, minor units
    abuse: AbuseKind = ""  # truth only: what the consumer really does ("" = honest)
    signed: bool = False  # "not received" on a parcel the tracking shows signed for
    instant: bool = False  # approved by the system at once (refund before shipment)

    @property
    def abusive(self) -> bool:
        return bool(self.abuse)


def run(
    ctx: Context,
    m: Merchant,
    order_id: str,
    n: int,
    req: Request,
    t: int,
    out: list[Event],
    truth: list[Truth],
) -> tuple[int, bool]:
    """Append the flow from request at ``t``; return (end instant, refused by the merchant)."""
    rng, src, om = ctx.rng, ctx.source, ctx.om
    rand = rng.random
    aid = f"A{order_id[1:]}-{n}"
    out.append(
        AfterSaleRequested(
            id=f"{aid}:requested",
            occurred_at=at(t),
            source=src,
            payload=AfterSaleRequestedPayload(
                aftersale_id=aid,
                order_id=order_id,
                kind=req.kind,
                reason=req.reason,
                amount=ctx.money(req.amount),
                text=REQUEST_TEXT.get(req.reason, ""),
            ),
        )
    )
    b = m.behaviour
    if req.instant:
        by: Literal["merchant", "system"] = "system"
        t += 5 + int(rand() * 60)
        refuse = False
    else:
        hours = b.aftersale_hours * math.exp(rng.gauss(0.0, 0.9))
        if hours > om.system_timeout_hours:  # no answer in time: approved for the consumer
            by, t, refuse = "system", t + int(om.system_timeout_hours * HOUR), False
        else:
            by, t = "merchant", t + int(hours * HOUR) + 60
            rate = om.abuse_refusal_rate if req.signed else b.refusal_rate
            refuse = rand() < rate
    unjustified = refuse and not req.abusive
    decision: Literal["agree", "refuse", "agree_return"] = (
        "refuse" if refuse else "agree" if req.kind == "refund_only" else "agree_return"
    )
    out.append(
        AfterSaleResponded(
            id=f"{aid}:responded",
            occurred_at=at(t),
            source=src,
            payload=AfterSaleRespondedPayload(
                aftersale_id=aid, order_id=order_id, by=by, decision=decision
            ),
        )
    )
    outcome: Literal["refunded", "refused", "exchanged", "closed"]
    decided: Literal["merchant", "platform", "system", "consumer"] = by
    stats = m.stats
    if stats is not None and by == "merchant":
        stats.responses += 1
        stats.refusals += refuse
    if refuse:
        t, outcome, decided = _escalate(ctx, m, aid, order_id, "consumer", not req.abusive, t, out)
        if stats is not None and decided == "platform" and outcome == "refunded":
            stats.unjustified += 1
    elif decision == "agree_return":
        t += int(om.return_ship_hours.sample(rng) * HOUR) + 600
        carrier = m.carriers[0]
        tn = tracking_number(CARRIERS[carrier], m.next_serial())
        out.append(
            ReturnShipped(
                id=f"{aid}:return-shipped",
                occurred_at=at(t),
                source=src,
                payload=ReturnShippedPayload(
                    aftersale_id=aid, order_id=order_id, carrier=carrier, tracking_number=tn
                ),
            )
        )
        t += int(om.return_transit_hours.sample(rng) * HOUR)
        condition = _condition(ctx, req)
        out.append(
            ReturnReceived(
                id=f"{aid}:return-received",
                occurred_at=at(t),
                source=src,
                payload=ReturnReceivedPayload(
                    aftersale_id=aid, order_id=order_id, condition=condition
                ),
            )
        )
        if condition != "ok" and (req.abusive or rand() < om.damaged_dispute_rate):
            # The merchant disputes what came back with the platform.
            t, outcome, decided = _escalate(
                ctx, m, aid, order_id, "merchant", not req.abusive, t, out, DISPUTE_TEXT[condition]
            )
        else:
            t += int((1.0 + 23.0 * rand()) * HOUR)
            outcome = "exchanged" if req.kind == "exchange" else "refunded"
    else:
        t += 1 + int(rand() * 30)
        outcome = "refunded"
    refund = ctx.money(req.amount) if outcome == "refunded" else None
    out.append(
        AfterSaleResolved(
            id=f"{aid}:resolved",
            occurred_at=at(t),
            source=src,
            payload=AfterSaleResolvedPayload(
                aftersale_id=aid,
                order_id=order_id,
                outcome=outcome,
                decided_by=decided,
                refund=refund,
            ),
        )
    )
    truth.append(
        AfterSaleTruth(
            aftersale_id=aid,
            order_id=order_id,
            reason=req.reason,
            abusive=req.abusive,
            abuse_kind=req.abuse,
            amount=req.amount,
            refunded=req.amount if refund is not None else 0,
            unjustified_refusal=unjustified,
        )
    )
    return t, refuse


def _condition(ctx: Context, req: Request) -> Condition:
    """What the merchant reports on receiving the return: abuse shows when it is noticed."""
    rand, om = ctx.rng.random, ctx.om
    if req.abuse == "wardrobing":
        if rand() < om.worn_noticed_rate:
            return "damaged" if rand() < 0.65 else "missing_parts"  # worn, tags or parts gone
        return "ok"
    if req.abuse in ("empty_box", "wrong_item"):
        if rand() < om.swap_noticed_rate:
            return "empty" if req.abuse == "empty_box" else "wrong_item"
        return "ok"
    return "damaged" if rand() < om.return_damage_rate else "ok"


def _escalate(
    ctx: Context,
    m: Merchant,
    aid: str,
    order_id: str,
    by: Literal["consumer", "merchant"],
    consumer_right: bool,
    t: int,
    out: list[Event],
    reason: str = "商家拒绝售后",
) -> tuple[
    int,
    Literal["refunded", "refused", "closed"],
    Literal["merchant", "platform", "system", "consumer"],
]:
    """The refused side may take it to the platform, which is right most of the time."""
    rand, om = ctx.rng.random, ctx.om
    if by == "consumer" and rand() >= om.escalate_rate:
        return t + int((24 + 48 * rand()) * HOUR), "closed", "consumer"
    t += int((1.0 + 47.0 * rand()) * HOUR)
    out.append(
        AfterSaleEscalated(
            id=f"{aid}:escalated",
            occurred_at=at(t),
            source=ctx.source,
            payload=AfterSaleEscalatedPayload(
                aftersale_id=aid,
                order_id=order_id,
                by=by,
                reason=reason,
            ),
        )
    )
    decide_at = t + int((24.0 + 48.0 * rand()) * HOUR)
    stats = m.stats
    answered = rand() < m.behaviour.escalation_reply_rate
    if stats is not None:
        stats.tickets += 1
        stats.tickets_overdue += not answered
    if answered:
        # The merchant's evidence for the platform, well before its decision.
        hours = om.escalation_reply_hours.sample(ctx.rng)
        replied = min(t + 60 + int(hours * HOUR), decide_at - 600)
        out.append(
            AfterSaleResponded(
                id=f"{aid}:evidence",
                occurred_at=at(replied),
                source=ctx.source,
                payload=AfterSaleRespondedPayload(
                    aftersale_id=aid,
                    order_id=order_id,
                    by="merchant",
                    decision="propose",
                    text=EVIDENCE_TEXT[by],
                ),
            )
        )
    t = decide_at
    right = rand() < om.platform_accuracy
    refunded = consumer_right == right
    return t, "refunded" if refunded else "refused", "platform"
