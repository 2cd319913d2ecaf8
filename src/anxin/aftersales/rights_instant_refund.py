"""Refund before shipment (未发货极速退款, platform-rules.md §4.1): from payment until a real
tracking number is uploaded, a refund-only request is approved at once when the order's paid
amount is within the pack's limit and no item is of an excluded kind (virtual, custom-made,
blind box).

The limit is per category with a default (the 2026-07-09 revision says limits "vary by
category"): an order's limit is the lowest of its items' (the strictest item binds). The
platform's "instant refund" item tag is not in the contract: every item is taken as tagged.
The rule is pure and pack-driven; a risk model may later veto what it finds eligible.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import msgspec

from anxin.aftersales.rights_base import (
    case_inputs,
    categories_text,
    decide,
    excluded,
    items_of,
    shipped_before,
    shipped_click,
    words,
)
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect, OutboxMessage
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import VOID, Right, RightStatus
from anxin.domain.wording import Text, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook

RULE_ID = "instant_refund"
TOPIC = "refund.instant_approved"


class InstantRefundConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    max_paid: int | float  # whole currency units: the order's paid amount must not exceed it
    category_limits: dict[str, int | float] = {}  # a category's own limit, instead of max_paid
    excluded_categories: list[str] = []
    kinds: list[str] = msgspec.field(default_factory=lambda: ["refund_only"])

    def check(self, currency: str) -> None:
        for name, value in {"max_paid": self.max_paid, **self.category_limits}.items():
            if value <= 0:
                raise ValueError(f"{name}: a limit must be positive")
            Money.of_major(Decimal(str(value)), currency)

    def limit(self, categories: list[str], currency: str) -> Money:
        values = [self.category_limits.get(c, self.max_paid) for c in categories] or [self.max_paid]
        return Money.of_major(Decimal(str(min(values))), currency)


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: InstantRefundConfig}


def ineligible(state: OrderState, config: InstantRefundConfig, items: list[ev.Item]) -> Text | None:
    """Why the order's refund cannot be instant (None: it can), before the shipment test."""
    paid = state.paid()
    if paid is None:
        return Text("订单未付款。", "The order is not paid.")
    bad = excluded(items, config.excluded_categories)
    if bad:
        names = categories_text(bad)
        return Text(
            f"{names.zh}类商品不支持极速退款。", f"Items in {names.en} are not refunded instantly."
        )
    limit = config.limit([i.category for i in items], paid.currency)
    if paid > limit:
        return Text(
            f"实付{money(paid)}超过极速退款上限{money(limit)}。",
            f"The {money(paid)} paid is over the {money(limit)} instant-refund limit.",
        )
    return None


class InstantRefund:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleRequested,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleRequested)
        found = config_at_payment(state, book, RULE_ID)
        case = state.aftersale(event.payload.aftersale_id)
        if found is None or case is None or state.paid_at is None:
            return []
        pack, config = found
        at = case.requested_at
        if case.kind not in config.kinds or at < state.paid_at or shipped_before(state, at):
            return []  # not a refund before shipment: the standard flow
        decision_id = f"order:{state.order_id}:{RULE_ID}:{case.aftersale_id}"
        items = items_of(state, case.skus)
        paid = state.paid()
        assert paid is not None
        limit = config.limit([i.category for i in items], paid.currency)
        inputs = case_inputs(case) | {
            "paid": paid.to_dict(),
            "limit": limit.to_dict(),
            "categories": sorted({i.category for i in items if i.category}),
            "shipped": False,
        }
        why = ineligible(state, config, items)
        if why is not None:
            return [
                decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                       kind="instant_refund_ineligible", at=at, inputs=inputs,
                       outcome={"why": words(why)})
            ]  # fmt: skip
        why = Text(
            f"未发货且实付{money(paid)}不超过{money(limit)}：退款申请立即同意。",
            f"Not shipped and {money(paid)} paid is within {money(limit)}: the refund is"
            " approved at once.",
        )
        amount = Money(min(case.amount, paid.amount), paid.currency)
        body = {
            "order_id": state.order_id,
            "consumer_id": state.consumer_id,
            "aftersale_id": case.aftersale_id,
            "amount": amount.to_dict(),
            "decision_id": decision_id,
        }
        key = f"order:{state.order_id}"
        return [
            decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                   kind="instant_refund_eligible", at=at, inputs=inputs,
                   outcome={"amount": amount.to_dict(), "why": words(why)}),
            OutboxMessage(f"instant_refund:{decision_id}", TOPIC, key, at, body),
        ]  # fmt: skip

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        paid = state.paid()
        if found is None or paid is None:
            return []
        pack, config = found
        limit = config.limit([i.category for i in state.items], paid.currency)
        title = Text(
            f"未发货极速退款：发货前申请退款（实付不超过{money(limit)}）立即同意。",
            f"Until the parcel ships, a refund request up to {money(limit)} is approved at once.",
        )
        prefix = f"order:{state.order_id}:{RULE_ID}"
        zone = pack.calendar.zone
        granted = next(
            (f for f in state.findings if f.rule_id == RULE_ID
             and f.kind == "instant_refund_eligible"),
            None,
        )  # fmt: skip
        click = shipped_click(state)
        why = ineligible(state, config, state.items)
        status: RightStatus
        kept_at = None
        if granted is not None:
            status, kept_at = "kept", granted.at
            at = when(granted.at, zone, now)
            explanation = Text(f"已于{at.zh}极速退款。", f"Refunded at once at {at.en}.")
        elif why is not None:
            status, explanation = "expired", Text("不适用：", "Excluded: ") + why
        elif click is not None:
            at = when(click, zone, now)
            status = "expired"
            explanation = Text(
                f"商家已于{at.zh}发货，退款按标准售后流程处理。",
                f"The parcel shipped at {at.en}: refunds follow the standard after-sales flow.",
            )
        elif state.cancelled_at is not None:
            status, explanation = "expired", VOID
        else:
            status = "in_force"
            explanation = Text(
                "保障中：发货前申请退款将立即同意。",
                "In force: a refund asked for before the parcel ships is approved at once.",
            )
        return [
            Right("instant_refund", RULE_ID, "paid", title, status, click, prefix,
                  {"limit": limit.to_dict()}, kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = InstantRefund()
