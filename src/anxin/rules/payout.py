"""Paying a consumer: the ledger transfer and the outbox message every payout rule emits."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from anxin.domain import ledger
from anxin.domain.effects import Effect, OutboxMessage
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.policy.pack import PolicyPack

Funder = Literal["merchant_deposit", "platform_fund", "carrier"]


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
    return [
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
            f"compensation:{decision_id}",
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
