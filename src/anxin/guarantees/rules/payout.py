"""Paying a consumer: the ledger transfer and the outbox message every payout rule emits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import msgspec

from anxin.domain import ledger
from anxin.domain.effects import CapClaim, Decision, Effect, Explanation, OutboxMessage
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.policy.pack import PolicyPack

Funder = Literal["merchant_deposit", "platform_fund", "carrier"]


class SharedCap(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Payouts to one buyer from one seller for orders paid the same (local) day: ≤ ``max``."""

    id: str
    max: int | float  # whole currency units
    rules: list[str] = []  # the payout rules it covers; empty: all


class SharedCaps(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    caps: list[SharedCap]

    def check(self, currency: str) -> None:
        for cap in self.caps:
            if cap.max <= 0:
                raise ValueError(f"cap {cap.id}: max must be positive")
            Money.of_major(Decimal(str(cap.max)), currency)


SCHEMAS: dict[str, type[msgspec.Struct]] = {"shared_caps": SharedCaps}


def funding_account(state: OrderState, funded_by: Funder) -> str:
    """Whose money pays: the merchant's deposit, the platform fund, or the order's carrier."""
    if funded_by == "merchant_deposit":
        assert state.merchant_id is not None
        return ledger.merchant_deposit(state.merchant_id)
    if funded_by == "carrier":
        return ledger.carrier(state.parcels[0].carrier if state.parcels else "unknown")
    return ledger.platform_fund()


def compensate(
    state: OrderState,
    pack: PolicyPack,
    *,
    rule_id: str,
    decision_id: str,
    payout_key: str,
    amount: Money,
    at: dt.datetime,
    funded_by: Funder,
    paid_as: str,
    reason: str,
    ledger_reason: str,
) -> list[Effect]:
    """Move ``amount`` to the consumer (idempotent by ``payout_key``) and tell the marketplace
    to hand it over; both carry the decision, rule and policy version behind them."""
    if amount.amount <= 0 or state.consumer_id is None or state.merchant_id is None:
        return []
    key = f"order:{state.order_id}"
    message_id = f"compensation:{decision_id}"
    return [
        *_claims(state, pack, rule_id, payout_key, decision_id, message_id, amount, at),
        ledger.transfer(
            payout_key,
            debit=funding_account(state, funded_by),
            credit=ledger.consumer(state.consumer_id),
            amount=amount,
            occurred_at=at,
            reason=ledger_reason,
            explanation={
                "decision_id": decision_id,
                "rule_id": rule_id,
                "pack": pack.name,
                "version": pack.version,
            },
        ),
        OutboxMessage(
            message_id,
            "consumer.compensation",
            key,
            at,
            {
                "order_id": state.order_id,
                "consumer_id": state.consumer_id,
                "amount": amount.to_dict(),
                "paid_as": paid_as,
                "reason": reason,
                "decision_id": decision_id,
            },
        ),
    ]


def _claims(
    state: OrderState,
    pack: PolicyPack,
    rule_id: str,
    payout_key: str,
    decision_id: str,
    message_id: str,
    amount: Money,
    at: dt.datetime,
) -> list[Effect]:
    """The pack's shared caps this payout counts against (applied by the engine)."""
    config: SharedCaps | None = pack.rule("shared_caps")
    if config is None or state.paid_at is None:
        return []
    day = pack.calendar.local(state.paid_at).date().isoformat()
    return [
        CapClaim(
            f"{cap.id}:{state.consumer_id}:{state.merchant_id}:{day}",
            Money.of_major(Decimal(str(cap.max)), amount.currency).amount,
            amount.currency,
            payout_key,
            decision_id,
            message_id,
            state.order_id,
            at,
        )
        for cap in config.caps
        if not cap.rules or rule_id in cap.rules
    ]


def order_decision(
    state: OrderState,
    pack: PolicyPack,
    *,
    rule_id: str,
    decision_id: str,
    kind: str,
    at: dt.datetime,
    inputs: dict[str, Any],
    outcome: dict[str, Any],
) -> Decision:
    """A rule's decision on the order, explained by the pack version that took it."""
    return Decision(
        decision_id,
        f"order:{state.order_id}",
        rule_id,
        kind,
        at,
        Explanation(rule_id, pack.name, pack.version, inputs),
        outcome,
    )


def decide_and_pay(
    state: OrderState,
    pack: PolicyPack,
    *,
    rule_id: str,
    decision_id: str,
    kind: str,
    at: dt.datetime,
    inputs: dict[str, Any],
    outcome: dict[str, Any],
    amount: Money | None,
    funded_by: Funder,
    paid_as: str,
) -> list[Effect]:
    """A rule's decision on the order, then (when it pays) the payout it orders, keyed by the
    decision: what a rule that pays once per decision returns."""
    effects: list[Effect] = [
        order_decision(state, pack, rule_id=rule_id, decision_id=decision_id, kind=kind, at=at,
                       inputs=inputs, outcome=outcome)
    ]  # fmt: skip
    if amount is not None:
        effects += compensate(
            state,
            pack,
            rule_id=rule_id,
            decision_id=decision_id,
            payout_key=f"payout:{decision_id}",
            amount=amount,
            at=at,
            funded_by=funded_by,
            paid_as=paid_as,
            reason=rule_id,
            ledger_reason=rule_id,
        )
    return effects
