"""Counterfeit multiplier (假一赔三, platform-rules.md §4.7, WeChat Store: appraisal fee + product
fee × 3): an after-sale for a counterfeit that the platform resolves as refunded proves it, and
the consumer receives the multiplier times the item's paid amount from the merchant's deposit.

The compensation comes on top of the refund the after-sales flow grants (``includes_refund:
false``: WeChat states the product fee × 3 as the payout, the refund returns the price); a pack
that means "three times in all" sets ``includes_refund: true`` and the refund is subtracted.
No contract fact carries an appraisal fee: it is not paid here. Once per order.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

import msgspec

from anxin.aftersales.rights_base import case_inputs, item_paid, words
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import VOID, Right, RightStatus
from anxin.domain.wording import Text, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.guarantees.rules.payout import Funder, decide_and_pay
from anxin.policy.pack import PolicyBook

RULE_ID = "counterfeit"


class CounterfeitConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    multiplier: int
    reasons: list[str]  # after-sale reasons that claim a counterfeit
    decided_by: list[str] = msgspec.field(
        default_factory=lambda: ["platform"]
    )  # who must uphold it (an appraisal is the platform's)
    includes_refund: bool = False
    funded_by: Funder = "merchant_deposit"
    paid_as: Literal["coupon", "cash", "red_packet"] = "cash"

    def check(self, currency: str) -> None:
        del currency
        if not 1 <= self.multiplier <= 10:
            raise ValueError("multiplier must be within 1..10")
        if not self.reasons or not self.decided_by:
            raise ValueError("reasons and decided_by must name at least one value")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: CounterfeitConfig}


class Counterfeit:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleResolved,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleResolved)
        p = event.payload
        found = config_at_payment(state, book, RULE_ID)
        case = state.aftersale(p.aftersale_id)
        if found is None or case is None or p.outcome != "refunded":
            return []
        pack, config = found
        if case.reason not in config.reasons or p.decided_by not in config.decided_by:
            return []
        decision_id = f"order:{state.order_id}:{RULE_ID}"
        base = item_paid(state, case.skus)
        if base is None or state.decided(decision_id):
            return []
        gross = config.multiplier * base.amount
        refunded = case.refunded if config.includes_refund else 0
        amount = Money(max(0, gross - refunded), base.currency)
        why = Text(
            f"平台认定假货：赔付实付{money(base)}的{config.multiplier}倍"
            + (f"，扣除已退{money(Money(refunded, base.currency))}" if refunded else "")
            + f"，共{money(amount)}。",
            f"The platform upheld a counterfeit: {config.multiplier}× the {money(base)} paid"
            + (f", less the {money(Money(refunded, base.currency))} refunded" if refunded else "")
            + f", {money(amount)}.",
        )
        inputs = case_inputs(case) | {"decided_by": p.decided_by, "item_paid": base.to_dict()}
        outcome = {
            "multiplier": config.multiplier,
            "payout": amount.to_dict(),
            "includes_refund": config.includes_refund,
            "why": words(why),
        }
        return decide_and_pay(
            state, pack, rule_id=RULE_ID, decision_id=decision_id, kind="breach",
            at=event.occurred_at, inputs=inputs, outcome=outcome,
            amount=amount if amount.amount > 0 else None, funded_by=config.funded_by,
            paid_as=config.paid_as,
        )  # fmt: skip

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # evidence-driven: no clock

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        paid = state.paid()
        n = config.multiplier
        title = Text(
            f"假一赔{n}：经平台认定为假货的，赔付商品实付金额的{n}倍",
            f"If the item is proven counterfeit you receive {n}× its price",
        )
        if paid is not None:
            title += Text(
                f"（本单最高{money(Money(n * paid.amount, paid.currency))}）",
                f" (up to {money(Money(n * paid.amount, paid.currency))} on this order)",
            )
        title += Text("。", ".")
        upheld = next(
            (
                a
                for a in state.aftersales
                if a.reason in config.reasons
                and a.outcome == "refunded"
                and a.decided_by in config.decided_by
                and a.resolved_at is not None
            ),
            None,
        )
        status: RightStatus = "in_force"
        due = None
        explanation = Text(
            "保障中：如怀疑收到假货，可申请售后并由平台鉴定。",
            "In force: if you suspect a counterfeit, ask for an after-sale; the platform"
            " appraises it.",
        )
        if upheld is not None and upheld.resolved_at is not None:
            status, due = "breached", upheld.resolved_at
            at = when(upheld.resolved_at, pack.calendar.zone, now)
            explanation = Text(
                f"售后{upheld.aftersale_id}已于{at.zh}被平台认定为假货。",
                f"After-sale {upheld.aftersale_id} was upheld as counterfeit at {at.en}.",
            )
        elif state.cancelled_at is not None and not state.parcels:
            status, explanation = "expired", VOID
        prefix = f"order:{state.order_id}:{RULE_ID}"
        return [
            Right("counterfeit", RULE_ID, "after_sales", title, status, due, prefix,
                  {"multiplier": n}, explanation=explanation)
        ]  # fmt: skip


RULE = Counterfeit()
