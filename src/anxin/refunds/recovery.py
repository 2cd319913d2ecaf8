"""Recovering a refund that left before its return came back. Pure.

An instant refund (on the request, or at the return parcel's first scan) is paid before anyone
has seen the goods: the merchant's deposit funded it (``aftersales.rule``: payer → refunds
payable → consumer). When the return's fate is in the stream:
- it arrived as expected: nothing to do;
- it never came within the pack's window, came empty, with the wrong item or missing parts:
  the merchant is made whole from the platform fund (Amazon SAFE-T, platform-rules.md §4.6;
  pack ``merchant_made_whole``), and the refund is charged back to the consumer (``payer:
  consumer``, Amazon's advanced refunds §4.6) or absorbed (``payer: platform``, TikTok's
  refund without return §4.7).

Transaction and message ids derive from the case (``refund-recovery:<aftersale>:…``), so a
repeat posts nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from anxin.domain import ledger
from anxin.domain.effects import OutboxMessage
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.money import Money
from anxin.refunds.config import Recovery

ReturnFate = Literal["never_came", "empty", "wrong_item", "missing_parts"]
#: The return conditions that leave an advanced refund unearned.
UNEARNED: frozenset[str] = frozenset({"empty", "wrong_item", "missing_parts"})


def settle(
    *,
    aftersale_id: str,
    order_id: str,
    consumer_id: str,
    merchant_id: str,
    amount: Money,
    fate: ReturnFate,
    at: dt.datetime,
    decision_id: str,
    policy: Recovery,
) -> tuple[list[LedgerTransaction], list[OutboxMessage]]:
    """The transfers (and the charge-back message) that close an unearned advanced refund."""
    why = {"decision_id": decision_id, "aftersale_id": aftersale_id, "fate": fate}
    transactions: list[LedgerTransaction] = []
    bearer = ledger.merchant_deposit(merchant_id)
    if policy.merchant_made_whole:
        transactions.append(
            ledger.transfer(
                f"refund-recovery:{aftersale_id}:merchant",
                debit=ledger.platform_fund(),
                credit=ledger.merchant_deposit(merchant_id),
                amount=amount,
                occurred_at=at,
                reason="refund_recovery_merchant_whole",
                explanation=why,
            )
        )
        bearer = ledger.platform_fund()
    if policy.payer == "platform":
        return transactions, []  # absorbed: the consumer keeps the refund
    transactions.append(
        ledger.transfer(
            f"refund-recovery:{aftersale_id}:charge-back",
            debit=ledger.consumer(consumer_id),
            credit=bearer,
            amount=amount,
            occurred_at=at,
            reason="refund_recovery_charge_back",
            explanation=why,
        )
    )
    message = OutboxMessage(
        message_id=f"refund-recovery:{aftersale_id}:charge-back",
        topic="refund.charged_back",
        aggregate_key=f"order:{order_id}",
        created_at=at,
        body={
            "order_id": order_id,
            "aftersale_id": aftersale_id,
            "consumer_id": consumer_id,
            "amount": amount.to_dict(),
            "decision_id": decision_id,
            "reason": fate,
        },
    )
    return transactions, [message]
