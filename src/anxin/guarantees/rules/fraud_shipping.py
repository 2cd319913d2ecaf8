"""Fraud shipping (欺诈发货): an after-sale upheld for an empty parcel, a wrong item or a short
quantity is the evidence. Douyin pays the consumer 30 % (10-500) of the amount paid, once per
order, from the merchant's deposit (platform-rules.md §3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

import msgspec

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, Effect, Explanation
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.guarantees.rules.base import config_at_payment
from anxin.guarantees.rules.late_shipment import PayoutSpec
from anxin.guarantees.rules.payout import compensate
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
        effects: list[Effect] = [
            Decision(
                decision_id,
                key,
                RULE_ID,
                "breach",
                at,
                Explanation(RULE_ID, pack.name, pack.version, inputs),
                outcome,
            )
        ]
        if amount is not None:
            effects += compensate(
                state,
                pack,
                rule_id=RULE_ID,
                decision_id=decision_id,
                payout_key=f"payout:{decision_id}",
                amount=amount,
                at=at,
                funded_by=config.funded_by,
                paid_as=config.paid_as,
                reason=RULE_ID,
                ledger_reason=RULE_ID,
            )
        return effects

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # evidence-driven: no clock

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        return []  # a finding, not a clock the consumer watches


RULE = FraudShipping()
