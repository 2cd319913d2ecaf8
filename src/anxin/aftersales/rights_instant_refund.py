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
from typing import ClassVar

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
from anxin.domain.effects import Effect
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import VOID, Right, RightStatus
from anxin.domain.wording import Text, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook
from anxin.refunds.config import InstantRefundConfig

RULE_ID = "instant_refund"


def limit_of(config: InstantRefundConfig, items: list[ev.Item], currency: str) -> Money | None:
    """The order's limit: the lowest of its items' category limits (the strictest item binds);
    None when the pack sets no limit."""
    bs = config.before_shipment
    limits = [bs.limit(i.category, currency) for i in items] or [bs.limit("", currency)]
    known = [m for m in limits if m is not None]
    return min(known, key=lambda m: m.amount) if known else None


def ineligible(state: OrderState, config: InstantRefundConfig, items: list[ev.Item]) -> Text | None:
    """Why the order's refund cannot be instant (None: it can), before the shipment test."""
    paid = state.paid()
    if paid is None:
        return Text("订单未付款。", "The order is not paid.")
    bad = excluded(items, config.before_shipment.excluded_categories)
    if bad:
        names = categories_text(bad)
        return Text(
            f"{names.zh}类商品不支持极速退款。", f"Items in {names.en} are not refunded instantly."
        )
    limit = limit_of(config, items, paid.currency)
    if limit is not None and paid > limit:
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
        if not config.before_shipment.enabled:
            return []  # not offered by this pack
        at = case.requested_at
        if case.kind != "refund_only" or at < state.paid_at or shipped_before(state, at):
            return []  # not a refund before shipment: the standard flow
        decision_id = f"order:{state.order_id}:{RULE_ID}:{case.aftersale_id}"
        items = items_of(state, case.skus)
        paid = state.paid()
        assert paid is not None
        limit = limit_of(config, items, paid.currency)
        inputs = case_inputs(case) | {
            "paid": paid.to_dict(),
            "limit": None if limit is None else limit.to_dict(),
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
        within = (
            Text("", "")
            if limit is None
            else Text(
                f"且实付{money(paid)}不超过{money(limit)}",
                f" and {money(paid)} paid is within {money(limit)}",
            )
        )
        why = (
            Text("未发货", "Not shipped")
            + within
            + Text("：符合极速退款规则。", ": the request qualifies for an instant refund.")
        )
        amount = Money(min(case.amount, paid.amount), paid.currency)
        # Only the pack's eligibility: the refund itself leaves with anxin.refunds' decision
        # (rules + the consumer's risk), the one sender of refund.instant_approved.
        return [
            decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                   kind="instant_refund_eligible", at=at, inputs=inputs,
                   outcome={"amount": amount.to_dict(), "why": words(why)}),
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
        if not config.before_shipment.enabled:
            return []  # not offered by this pack: not shown
        limit = limit_of(config, state.items, paid.currency)
        upto = (
            Text("", "")
            if limit is None
            else Text(f"（实付不超过{money(limit)}）", f" up to {money(limit)}")
        )
        title = Text(
            "未发货极速退款：发货前申请退款", "Until the parcel ships, a refund request"
        ) + (upto + Text("立即同意。", " is approved at once."))
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
                  {"limit": None if limit is None else limit.to_dict()},
                  kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = InstantRefund()
