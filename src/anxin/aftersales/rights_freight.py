"""Return-freight insurance (运费险, platform-rules.md §4.2): a return or an exchange asked for
within the pack's days of the merchant's ship click gets its return postage back, up to a cap by
parcel class, once per order and once per return tracking number.

The platform pays a self-shipped return within the pack's hours after the refund or exchange
succeeds; anxin pays at that very resolution (an ``aftersale.resolved`` refunded or exchanged,
for a return or exchange whose goods were sent back), so the payout is always within the hours.
Amount: the fee the consumer paid (``return.shipped`` ``freight``), at most the cap; the cap
itself when the fee is not reported. Once per order: the decision and the ledger key are the
order's. Once per tracking number: the payout claims the whole of a cap keyed by the return
parcel (``CapClaim(once=True)``), so another order's claim on the same number finds no room.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal

import msgspec

from anxin.aftersales.rights_base import case_inputs, decide, shipped_click, words
from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import CapClaim, Effect
from anxin.domain.money import Money
from anxin.domain.order import AfterSale, OrderState
from anxin.domain.rights import PENDING, VOID, Right, RightStatus
from anxin.domain.wording import Text, days, hours, money, when
from anxin.guarantees.rules.base import config_at_payment
from anxin.guarantees.rules.payout import Funder, compensate
from anxin.policy.pack import PolicyBook, PolicyPack

RULE_ID = "return_freight"
ParcelClass = Literal["small", "upgraded", "large"]
CLASSES: tuple[ParcelClass, ...] = ("small", "upgraded", "large")
CLASS_NAMES = {
    "small": Text("小件", "small parcel"),
    "upgraded": Text("升级件", "upgraded parcel"),
    "large": Text("大件", "large item"),
}


class ParcelCaps(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The most a claim pays, by parcel class, in whole currency units."""

    small: int | float
    upgraded: int | float
    large: int | float

    def of(self, parcel_class: str, currency: str) -> Money:
        value = getattr(self, parcel_class if parcel_class in CLASSES else "small")
        return Money.of_major(Decimal(str(value)), currency)


class ReturnFreightConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    claim_days: int  # a return or exchange asked for within these days of the ship click
    caps: ParcelCaps
    pay_within_hours: int  # after the refund or exchange succeeds
    kinds: list[str] = msgspec.field(default_factory=lambda: ["return_refund", "exchange"])
    funded_by: Funder = "platform_fund"
    paid_as: Literal["coupon", "cash", "red_packet"] = "cash"

    def check(self, currency: str) -> None:
        if self.claim_days < 1 or self.pay_within_hours < 1:
            raise ValueError("claim_days and pay_within_hours must be at least 1")
        for name in CLASSES:
            if getattr(self.caps, name) <= 0:
                raise ValueError(f"caps.{name} must be positive")
            self.caps.of(name, currency)
        if not self.kinds:
            raise ValueError("kinds must name at least one after-sale kind")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ReturnFreightConfig}


def claim_closes(state: OrderState, config: ReturnFreightConfig) -> dt.datetime | None:
    """The last instant a covered request may be made (inclusive), once the order shipped."""
    click = shipped_click(state)
    return None if click is None else click + dt.timedelta(days=config.claim_days)


def withdrawn(state: OrderState, pack: PolicyPack) -> list[str]:
    """Why the order is uninsured: the kinds of the merchant's measures in force at placement
    that the pack lists under ``privileges.withdrawn_by.freight_insurance``, or
    ``grant_refused`` when the daily grant had refused the privilege. Empty: insured (no
    standing read, or never evaluated, keeps the platform's default cover)."""
    standing = state.freight_standing
    if standing is None:
        return []
    cfg = pack.rule("privileges")
    kinds = set(getattr(cfg, "withdrawn_by", {}).get("freight_insurance", ()))
    out = sorted({m.kind for m in standing.measures if m.kind in kinds})
    if standing.granted is False:
        out.append("grant_refused")
    return out


def covered(state: OrderState, case: AfterSale, config: ReturnFreightConfig) -> bool:
    """A return or exchange asked for in the window whose goods were sent back."""
    closes = claim_closes(state, config)
    return (
        closes is not None
        and case.kind in config.kinds
        and case.return_shipped_at is not None
        and case.requested_at <= closes
    )


def owed(case: AfterSale, config: ReturnFreightConfig, currency: str) -> tuple[Money, Money]:
    """(payout, cap): the fee paid, at most the cap; the cap when no fee was reported."""
    cap = config.caps.of(case.parcel_class, currency)
    fee = case.return_freight
    return Money(cap.amount if fee is None else min(fee, cap.amount), currency), cap


class ReturnFreight:
    rule_id: ClassVar[str] = RULE_ID
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (ev.AfterSaleResolved,)
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleResolved)
        if event.payload.outcome not in ("refunded", "exchanged"):
            return []
        found = config_at_payment(state, book, RULE_ID)
        case = state.aftersale(event.payload.aftersale_id)
        if found is None or case is None or state.currency is None:
            return []
        pack, config = found
        decision_id = f"order:{state.order_id}:{RULE_ID}"  # one claim per order
        if not covered(state, case, config) or state.decided(decision_id):
            return []
        if withdrawn(state, pack):
            return []  # the merchant had lost the privilege when the order was placed
        return self._pay(state, pack, config, case, decision_id, event.occurred_at)

    @staticmethod
    def _pay(
        state: OrderState,
        pack: PolicyPack,
        config: ReturnFreightConfig,
        case: AfterSale,
        decision_id: str,
        at: dt.datetime,
    ) -> list[Effect]:
        assert state.currency is not None
        amount, cap = owed(case, config, state.currency)
        inputs = case_inputs(case) | {
            "return_shipped_at": case.return_shipped_at,
            "carrier": case.return_carrier,
            "tracking_number": case.return_tracking,
            "freight": case.return_freight,
            "parcel_class": case.parcel_class,
            "ship_click_at": shipped_click(state),
            "outcome": case.outcome,
        }
        due = at + dt.timedelta(hours=config.pay_within_hours)
        why = Text(
            f"退货运费{money(amount)}（{CLASS_NAMES[case.parcel_class].zh}上限{money(cap)}）"
            "在退款或换货成功时赔付。",
            f"Return postage of {money(amount)} ({CLASS_NAMES[case.parcel_class].en} cap"
            f" {money(cap)}) paid when the refund or exchange succeeded.",
        )
        outcome = {
            "payout": amount.to_dict(),
            "cap": cap.to_dict(),
            "pay_by": due,
            "funded_by": config.funded_by,
            "why": words(why),
        }
        key = f"payout:{decision_id}"
        effects: list[Effect] = [
            decide(state, pack, rule_id=RULE_ID, decision_id=decision_id, kind="claim_paid",
                   at=at, inputs=inputs, outcome=outcome),
            *compensate(state, pack, rule_id=RULE_ID, decision_id=decision_id, payout_key=key,
                        amount=amount, at=at, funded_by=config.funded_by,
                        paid_as=config.paid_as, reason=RULE_ID, ledger_reason=RULE_ID),
        ]  # fmt: skip
        if case.return_tracking:
            effects.append(
                CapClaim(
                    f"{RULE_ID}:{case.return_carrier}:{case.return_tracking}",
                    cap.amount,
                    cap.currency,
                    key,
                    decision_id,
                    f"compensation:{decision_id}",
                    state.order_id,
                    at,
                    once=True,
                )
            )
        return effects

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        return []  # paid at the resolution itself: no clock can run out

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        found = config_at_payment(state, book, RULE_ID)
        if found is None or state.currency is None:
            return []
        pack, config = found
        zone, currency = pack.calendar.zone, state.currency
        caps = [f"{CLASS_NAMES[c].zh}{money(config.caps.of(c, currency))}" for c in CLASSES]
        caps_en = [f"{money(config.caps.of(c, currency))} ({CLASS_NAMES[c].en})" for c in CLASSES]
        span, within = days(config.claim_days), hours(config.pay_within_hours)
        title = Text(
            f"运费险：发货后{span.zh}内申请退货或换货，退货运费在退款或换货成功后{within.zh}内"
            f"赔付，上限{'/'.join(caps)}；每单、每个运单号限赔一次。",
            f"Return-freight insurance: a return or exchange asked for within {span.en} of"
            f" shipping gets its return postage back within {within.en} of the refund or"
            f" exchange, up to {' / '.join(caps_en)}; once per order and per tracking number.",
        )
        closes = claim_closes(state, config)
        prefix = f"order:{state.order_id}:{RULE_ID}"
        facts: dict[str, object] = {"ship_click_at": shipped_click(state)}
        status: RightStatus
        due, kept_at = closes, None
        claim = next((a for a in state.aftersales if covered(state, a, config)), None)
        lost = withdrawn(state, pack)
        if lost:
            facts["withdrawn_by"] = lost
            why = Text(
                f"下单时商家的运费险资格已被暂停（{'、'.join(lost)}），本单不含运费险。",
                "The merchant's return-freight insurance was withdrawn when the order was"
                f" placed ({', '.join(lost)}): this order is not insured.",
            )
            return [
                Right("return_freight", RULE_ID, "after_sales", title, "expired", None, prefix,
                      facts, explanation=why)
            ]  # fmt: skip
        if closes is None:
            status = "expired" if state.cancelled_at is not None else "pending"
            explanation = VOID if status == "expired" else PENDING
            if status == "pending" and state.paid_at is not None:
                explanation = Text("商家发货后开始计时。", "The clock starts when the order ships.")
        elif (
            claim is not None
            and claim.resolved_at is not None
            and claim.outcome
            in (
                "refunded",
                "exchanged",
            )
        ):
            due = claim.resolved_at + dt.timedelta(hours=config.pay_within_hours)
            status, kept_at = "kept", claim.resolved_at
            at, by = when(claim.resolved_at, zone, now), when(due, zone, now)
            explanation = Text(
                f"售后{claim.aftersale_id}已于{at.zh}成功，运费须于{by.zh}前赔付。",
                f"After-sale {claim.aftersale_id} succeeded at {at.en}; the postage is due by"
                f" {by.en}.",
            )
            facts |= {"aftersale_id": claim.aftersale_id, "tracking_number": claim.return_tracking}
        elif claim is not None:
            status = "in_force"
            explanation = Text(
                f"售后{claim.aftersale_id}的退货已寄出：退款或换货成功后赔付运费。",
                f"The return of after-sale {claim.aftersale_id} is on its way: the postage is"
                " paid when the refund or exchange succeeds.",
            )
        elif now <= closes:
            by = when(closes, zone, now)
            status = "in_force"
            explanation = Text(
                f"保障中：{by.zh}前申请的退货或换货可获运费赔付。",
                f"In force: a return or exchange asked for by {by.en} is covered.",
            )
        else:
            by = when(closes, zone, now)
            status = "expired"
            explanation = Text(f"申请期限已于{by.zh}届满。", f"The claim window closed at {by.en}.")
        return [
            Right("return_freight", RULE_ID, "after_sales", title, status, due, prefix, facts,
                  kept_at=kept_at, explanation=explanation)
        ]  # fmt: skip


RULE = ReturnFreight()
