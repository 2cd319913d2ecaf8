"""Fraud shipping (欺诈发货): an after-sale upheld for an empty parcel, a wrong item or a short
quantity is the evidence. Douyin pays the consumer 30 % (10-500) of the amount paid, once per
order, from the merchant's deposit (platform-rules.md §3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import Right, RightStatus
from anxin.domain.wording import Text, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.guarantees.rules.late_shipment import PayoutSpec
from anxin.guarantees.rules.payout import decide_and_pay
from anxin.policy.pack import PolicyBook

RULE_ID = "fraud_shipping"


class FraudShippingConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    reasons: list[str]  # after-sale reasons that, once upheld, prove fraud shipping
    payout: PayoutSpec
    paid_as: Literal["coupon", "cash", "red_packet"] = "coupon"
    funded_by: Literal["merchant_deposit", "platform_fund"] = "merchant_deposit"

    def check(self, currency: str) -> None:
        if not self.reasons:
            raise ValueError("reasons must name at least one after-sale reason")
        self.payout.amount(Money(0, currency))


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: FraudShippingConfig}

# The pack's after-sale reasons in words (another reason is shown as the pack names it).
REASONS = {
    "empty_parcel": Text("空包", "an empty parcel"),
    "wrong_item": Text("错发商品", "a wrong item"),
    "short_quantity": Text("少件", "a short quantity"),
}


class FraudShipping:
    rule_id: ClassVar[str] = RULE_ID
    scan_statuses: ClassVar[frozenset[str] | None] = None
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleResolved,)

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleResolved)
        found = config_at_payment(state, book, RULE_ID)
        if found is None or event.payload.outcome != "refunded":
            return []
        pack, config = found
        aftersale = state.aftersale(event.payload.aftersale_id)
        if aftersale is None or aftersale.reason not in config.reasons:
            return []
        key = f"order:{state.order_id}"
        decision_id = f"{key}:{RULE_ID}"  # one finding per order, whatever the evidence count
        if state.decided(decision_id):
            return []
        paid = state.paid()
        amount = config.payout.amount(paid) if paid else None
        at = event.occurred_at
        inputs: dict[str, Any] = {
            "aftersale_id": aftersale.aftersale_id,
            "reason": aftersale.reason,
            "kind": aftersale.kind,
            "decided_by": event.payload.decided_by,
        }
        outcome = {"family": RULE_ID, "payout": amount.to_dict() if amount else None}
        return decide_and_pay(
            state, pack, rule_id=RULE_ID, decision_id=decision_id, kind="breach", at=at,
            inputs=inputs, outcome=outcome, amount=amount, funded_by=config.funded_by,
            paid_as=config.paid_as,
        )  # fmt: skip

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # evidence-driven: no clock

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        """No clock: a standing promise that the goods are what was bought, broken by an upheld
        after-sale with one of the pack's reasons (as ``on_event`` judges it)."""
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        paid = state.paid()
        amount = config.payout.amount(paid) if paid else None
        names = [REASONS.get(r, Text(r, r)) for r in config.reasons]
        zh = "、".join(n.zh for n in names[:-1]) + ("或" if len(names) > 1 else "") + names[-1].zh
        en = ", ".join(n.en for n in names[:-1]) + (" or " if len(names) > 1 else "") + names[-1].en
        title = Text(f"因{zh}申请售后并成立的", f"If an after-sale for {en} is upheld")
        if amount is not None and amount.amount > 0:
            title += Text(f"，赔付{money(amount)}。", f", you receive {money(amount)}.")
        else:
            title += Text("，商家须承担责任。", ", the merchant is held to account.")
        evidence = next(
            (
                a
                for a in state.aftersales
                if a.reason in config.reasons and a.outcome == "refunded" and a.resolved_at
            ),
            None,
        )
        status: RightStatus = "in_force"
        explanation = Text(
            "保障中：如收到的商品有上述问题，可申请售后。",
            "In force: if what arrives has one of these problems, ask for an after-sale.",
        )
        due = None
        if evidence is not None and evidence.resolved_at is not None:
            status, due = "breached", evidence.resolved_at
            at, why = when(due, pack.calendar.zone, now), REASONS.get(evidence.reason)
            reason = why or Text(evidence.reason, evidence.reason)
            explanation = Text(
                f"售后{evidence.aftersale_id}（{reason.zh}）已于{at.zh}判定成立。",
                f"After-sale {evidence.aftersale_id} ({reason.en}) was upheld at {at.en}.",
            )
        elif state.cancelled_at is not None and not state.parcels:
            status = "expired"
            explanation = Text(
                "订单未发货即已取消，本项保障不适用。",
                "The order was cancelled before it shipped; this protection does not apply.",
            )
        prefix = f"order:{state.order_id}:{RULE_ID}"
        facts = {"reasons": list(config.reasons)}
        return [
            Right(
                "genuine_goods", RULE_ID, "after_sales", title, status, due, prefix, facts,
                explanation=explanation,
            )
        ]  # fmt: skip


RULE = FraudShipping()
