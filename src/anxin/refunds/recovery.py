"""Money of an instant refund: the advance, and how it settles when the return is known. Pure.

An approved instant refund is advanced by the platform (``platform_fund`` → consumer) the moment
it leaves. Then, once the return's fate is in the stream:
- it arrived as expected: the merchant reimburses the platform (merchant deposit → fund), as if
  it had refunded itself;
- it never came within the pack's window, came empty, or with the wrong item: the merchant is
  made whole (it pays nothing, pack ``merchant_made_whole``); the refund is charged back to the
  consumer (``payer: consumer``, Amazon §4.6) or absorbed by the platform (``payer: platform``).

Transaction keys derive from the request (``instant-refund:<aftersale>:advance`` …), so a repeat
posts nothing twice; a message tells the marketplace to collect a charge-back.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from anxin.domain import ledger
from anxin.domain.effects import OutboxMessage
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.money import Money
from anxin.refunds.config import Recovery

ReturnFate = Literal["received_ok", "never_came", "empty", "wrong_item", "missing_parts"]


def advance(
    aftersale_id: str, consumer_id: str, amount: Money, at: dt.datetime, decision_id: str
) -> LedgerTransaction:
    return ledger.transfer(
        f"instant-refund:{aftersale_id}:advance",
        debit=ledger.platform_fund(),
        credit=ledger.consumer(consumer_id),
        amount=amount,
        occurred_at=at,
        reason="instant_refund",
        explanation={"decision_id": decision_id, "aftersale_id": aftersale_id},
    )


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
    """The transfers (and the charge-back message) that close an advanced refund."""
    why = {"decision_id": decision_id, "aftersale_id": aftersale_id, "fate": fate}
    if fate == "received_ok" or not policy.merchant_made_whole:
        reimbursed = ledger.transfer(
            f"instant-refund:{aftersale_id}:merchant",
            debit=ledger.merchant_deposit(merchant_id),
            credit=ledger.platform_fund(),
            amount=amount,
            occurred_at=at,
            reason="instant_refund_reimbursed",
            explanation=why,
        )
        if fate == "received_ok":
            return [reimbursed], []
        transactions = [reimbursed]
    else:
        transactions = []
    if policy.payer == "platform":
        return transactions, []
    charge = ledger.transfer(
        f"instant-refund:{aftersale_id}:charge-back",
        debit=ledger.consumer(consumer_id),
        credit=ledger.platform_fund(),
        amount=amount,
        occurred_at=at,
        reason="instant_refund_charge_back",
        explanation=why,
    )
    message = OutboxMessage(
        message_id=f"instant-refund:{aftersale_id}:charge-back",
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
    return [*transactions, charge], [message]
