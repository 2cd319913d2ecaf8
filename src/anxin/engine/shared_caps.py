"""Caps shared by several orders (Tmall: one buyer, one seller, one payment day ≤ 500).

A rule sees one order, so it pays in full and says which shared caps the payout counts against
(``CapClaim``). Before the batch is written the engine reads each cap's running total, takes the
batch's claims in time order and cuts each payout to the room left: the ledger transfer, the
consumer's compensation message, the decision's outcome and the order's finding all carry the
amount actually paid, and the decision says which cap cut it and from what. Totals are written in
the same transaction, so a replayed or crashed batch cannot count a payout twice.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from anxin.domain import ledger
from anxin.domain.effects import CapClaim, Decision, OutboxMessage
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.engine.ports import CapUsage, StoreTx


def apply_caps(
    tx: StoreTx,
    claims: list[CapClaim],
    decisions: dict[str, Decision],
    transfers: dict[str, LedgerTransaction],
    outbox: dict[str, OutboxMessage],
    orders: Mapping[str, OrderState],
) -> None:
    if not claims:
        return
    used = {k: u.used for k, u in tx.cap_usage({c.cap_key for c in claims}).items()}
    touched: dict[str, CapUsage] = {}
    for claim in sorted(claims, key=lambda c: (c.at, c.txn_key, c.cap_key)):
        txn = transfers.get(claim.txn_key)
        if txn is None:
            continue  # cut to nothing by an earlier cap
        paid = next(p.amount for p in txn.postings if p.amount.amount > 0)
        so_far = used.get(claim.cap_key, 0)
        room = max(claim.limit - so_far, 0)
        if paid.amount > room:
            _cut(claim, txn, Money(room, paid.currency), paid, decisions, transfers, outbox, orders)
        now = so_far + min(paid.amount, room)
        if claim.once and room > 0:
            now = max(now, claim.limit)  # the first claim takes it all
        used[claim.cap_key] = now
        touched[claim.cap_key] = CapUsage(claim.cap_key, claim.currency, now)
    tx.save_cap_usage(sorted(touched.values()))


def _cut(
    claim: CapClaim,
    txn: LedgerTransaction,
    room: Money,
    paid: Money,
    decisions: dict[str, Decision],
    transfers: dict[str, LedgerTransaction],
    outbox: dict[str, OutboxMessage],
    orders: Mapping[str, OrderState],
) -> None:
    note = {
        "cap": claim.cap_key,
        "limit": Money(claim.limit, claim.currency).to_dict(),
        "before": paid.to_dict(),
    }
    if room.amount == 0:
        del transfers[claim.txn_key]
        outbox.pop(claim.message_id, None)
    else:
        debit = next(p.account for p in txn.postings if p.amount.amount < 0)
        credit = next(p.account for p in txn.postings if p.amount.amount > 0)
        transfers[claim.txn_key] = ledger.transfer(
            txn.key,
            debit=debit,
            credit=credit,
            amount=room,
            occurred_at=txn.occurred_at,
            reason=txn.reason,
            explanation={**txn.explanation, "capped_by": claim.cap_key},
        )
        message = outbox.get(claim.message_id)
        if message is not None:
            body = {**message.body, "amount": room.to_dict()}
            outbox[claim.message_id] = msgspec.structs.replace(message, body=body)
    decision = decisions.get(claim.decision_id)
    if decision is not None:
        outcome = {**decision.outcome, "payout": room.to_dict(), "capped_by": note}
        decisions[claim.decision_id] = msgspec.structs.replace(decision, outcome=outcome)
    state = orders.get(claim.order_id)
    if state is not None:
        state.findings = [
            msgspec.structs.replace(f, paid=room.amount)
            if f.decision_id == claim.decision_id
            else f
            for f in state.findings
        ]
