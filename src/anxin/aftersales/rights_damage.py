"""Damage on arrival (坏了包退, platform-rules.md §4.3; Douyin fresh food, abolished 2026-07): a
claim within the pack's hours of signature refunds a tier of the item's paid amount by the
share of the items that arrived bad — ≤ 30 % bad: 30 %; 30-50 %: 50 %; > 50 %: 100 %.

The share comes from the request (``damaged_percent``, whole percent): tiers are inclusive upper
bounds, so 30 % is the first tier and 31 % the second. The refund is granted by the after-sales
flow; this rule records the amount the pack entitles the consumer to (a ``damage_tier``
decision) and tells the merchant (``aftersale.entitlement``). The amount is exact integer
arithmetic truncated to the minor unit: the rule says nothing of rounding.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import ClassVar

import msgspec

from anxin.aftersales.rights_base import case_inputs, decide, item_paid, items_of, words
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect, OutboxMessage
from anxin.domain.money import Money
from anxin.domain.order import AfterSale, OrderState
from anxin.domain.rights import PENDING, VOID, Right, RightStatus
from anxin.domain.wording import Text, hours, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.policy.pack import PolicyBook

RULE_ID = "damage_on_arrival"
TOPIC = "aftersale.entitlement"


class DamageTier(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Up to ``up_to_percent`` of the items bad (inclusive; None: any share), refund
    ``refund_percent`` of the items' paid amount."""

    refund_percent: int
    up_to_percent: int | None = None


class DamageConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    claim_hours: int  # after signature, inclusive
    tiers: list[DamageTier]
    categories: list[str] = []  # item categories covered (empty: every category)

    def check(self, currency: str) -> None:
        del currency
        if self.claim_hours < 1:
            raise ValueError("claim_hours must be at least 1")
        bounds = [t.up_to_percent for t in self.tiers]
        if not bounds or bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("tiers must end with one open tier (no up_to_percent)")
        closed = [b for b in bounds if b is not None]
        if closed != sorted(set(closed)) or any(not 1 <= b < 100 for b in closed):
            raise ValueError("up_to_percent must increase strictly within 1..99")
        if any(not 0 < t.refund_percent <= 100 for t in self.tiers):
            raise ValueError("refund_percent must be within 1..100")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: DamageConfig}


def tier_of(config: DamageConfig, damaged_percent: int) -> tuple[int, DamageTier]:
    for i, tier in enumerate(config.tiers):
        if tier.up_to_percent is None or damaged_percent <= tier.up_to_percent:
            return i, tier
    raise AssertionError("check() guarantees an open last tier")


def entitled(base: Money, tier: DamageTier) -> Money:
    """``refund_percent`` of ``base``, exact, truncated to the minor unit."""
    return Money(int(Fraction(base.amount * tier.refund_percent, 100)), base.currency)


def claim_closes(state: OrderState, config: DamageConfig) -> dt.datetime | None:
    signed = state.delivered_at()
    return None if signed is None else signed + dt.timedelta(hours=config.claim_hours)


def tiers_text(config: DamageConfig) -> Text:
    zh, en, low = [], [], 0
    for tier in config.tiers:
        if tier.up_to_percent is None:
            zh.append(f"超过{low}%退{tier.refund_percent}%")
            en.append(f"more than {low}% bad, {tier.refund_percent}% back")
        else:
            zh.append(f"不超过{tier.up_to_percent}%退{tier.refund_percent}%")
            en.append(f"up to {tier.up_to_percent}% bad, {tier.refund_percent}% back")
            low = tier.up_to_percent
    return Text("；".join(zh), "; ".join(en))


class DamageOnArrival:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleRequested,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleRequested)
        found = config_at_payment(state, book, RULE_ID)
        case = state.aftersale(event.payload.aftersale_id)
        if found is None or case is None or not case.damaged_percent:
            return []  # no share given (or 0 %): not a damage claim
        pack, config = found
        if not self._covers(state, case, config):
            return []
        closes = claim_closes(state, config)
        at = case.requested_at
        decision_id = f"order:{state.order_id}:{RULE_ID}:{case.aftersale_id}"
        inputs = case_inputs(case) | {
            "damaged_percent": case.damaged_percent,
            "signed_at": state.delivered_at(),
            "claim_closes_at": closes,
        }
        zone = pack.calendar.zone
        if closes is None or at > closes:
            why = (
                Text(
                    f"申请晚于签收后{hours(config.claim_hours).zh}（{when(closes, zone).zh}）。",
                    f"Asked after the {hours(config.claim_hours).en} from signature"
                    f" ({when(closes, zone).en}).",
                )
                if closes is not None
                else Text("订单尚未签收。", "The order was not signed for yet.")
            )
            return [
                decide(state, pack, rule_id=RULE_ID, decision_id=decision_id,
                       kind="damage_window_closed", at=at, inputs=inputs,
                       outcome={"why": words(why)})
            ]  # fmt: skip
        base = item_paid(state, case.skus)
        if base is None:
            return []
        index, tier = tier_of(config, case.damaged_percent)
        amount = entitled(base, tier)
        why = Text(
            f"{case.damaged_percent}%的商品损坏，按档退实付{money(base)}的{tier.refund_percent}%"
            f"，即{money(amount)}。",
            f"{case.damaged_percent}% of the items arrived bad: the tier refunds"
            f" {tier.refund_percent}% of the {money(base)} paid, {money(amount)}.",
        )
        outcome = {
            "tier": index,
            "refund_percent": tier.refund_percent,
            "item_paid": base.to_dict(),
            "entitled": amount.to_dict(),
            "why": words(why),
        }
        body = {
            "order_id": state.order_id,
            "merchant_id": state.merchant_id,
            "aftersale_id": case.aftersale_id,
            "right": RULE_ID,
            "amount": amount.to_dict(),
            "decision_id": decision_id,
        }
        key = f"order:{state.order_id}"
        return [
            decide(state, pack, rule_id=RULE_ID, decision_id=decision_id, kind="damage_tier",
                   at=at, inputs=inputs, outcome=outcome),
            OutboxMessage(f"entitlement:{decision_id}", TOPIC, key, at, body),
        ]  # fmt: skip

    @staticmethod
    def _covers(state: OrderState, case: AfterSale, config: DamageConfig) -> bool:
        if not config.categories:
            return True
        return any(i.category in config.categories for i in items_of(state, case.skus))

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # a claim is judged when it arrives

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None:
            return []
        pack, config = found
        if config.categories and not any(i.category in config.categories for i in state.items):
            return []  # the guarantee covers none of these goods
        zone = pack.calendar.zone
        within = hours(config.claim_hours)
        table = tiers_text(config)
        title = Text(
            f"坏了包退：签收后{within.zh}内申请，按损坏比例退款（{table.zh}）。",
            f"Damaged on arrival: claim within {within.en} of signing; refund by the share"
            f" that arrived bad ({table.en}).",
        )
        closes = claim_closes(state, config)
        prefix = f"order:{state.order_id}:{RULE_ID}"
        claim = next(
            (a for a in state.aftersales if a.damaged_percent and closes
             and a.requested_at <= closes),
            None,
        )  # fmt: skip
        status: RightStatus
        kept_at = None
        if closes is None:
            status = "expired" if state.cancelled_at is not None else "pending"
            explanation = VOID if status == "expired" else PENDING
            if status == "pending" and state.paid_at is not None:
                explanation = Text("签收后开始计时。", "The clock starts when you sign.")
        elif claim is not None:
            at = when(claim.requested_at, zone, now)
            status, kept_at = "kept", claim.requested_at
            explanation = Text(
                f"已于{at.zh}申请（售后{claim.aftersale_id}，损坏{claim.damaged_percent}%）。",
                f"Claimed at {at.en} (after-sale {claim.aftersale_id},"
                f" {claim.damaged_percent}% bad).",
            )
        elif now <= closes:
            by = when(closes, zone, now)
            status = "in_force"
            explanation = Text(f"保障中：可在{by.zh}前申请。", f"In force: claim by {by.en}.")
        else:
            by = when(closes, zone, now)
            status = "expired"
            explanation = Text(f"申请期限已于{by.zh}届满。", f"The claim window closed at {by.en}.")
        facts = {"signed_at": state.delivered_at()}
        return [
            Right("damage_on_arrival", RULE_ID, "after_sales", title, status, closes, prefix,
                  facts, kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = DamageOnArrival()
