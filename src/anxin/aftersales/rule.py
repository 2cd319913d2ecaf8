"""The after-sales rule: runs every case of an order through its flow (``flows``) on the engine.

Each case is rebuilt from the order's folded facts (``replay``), so arrival order and duplicates
cannot change it. Like the guarantee rules, it judges only when a clock fires: arriving facts
only set each case's watch (one per case, ``order:{id}:aftersales:{aftersale_id}``) at the
case's next judgment, and ``on_deadline`` records what the facts known then decide up to that
instant:

- ``escalated``: a merchant clock ran out and the pack sends the case to the platform;
- ``refund_granted``: the decision, with the money moved from whoever pays (the merchant's
  deposit, or the payer the platform named: carrier, platform fund) to what the marketplace owes
  the consumer (``refunds_payable``), and a ``refund.granted`` message asking it to pay;
- ``refund_paid``: the marketplace reported the refund done; the money leaves
  ``refunds_payable`` for the consumer.

A granted refund is not a paid one (two decisions, two transfers). Ids derive from the case, so
a case grants once and is paid once; a grant never exceeds what the order's earlier grants left
of the amount paid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import msgspec

from anxin.aftersales.clock_rights import case_right
from anxin.aftersales.config import RULE_ID
from anxin.aftersales.replay import CaseRun, replay
from anxin.contract import events as ev
from anxin.domain import ledger
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Decision, Effect, Explanation, OutboxMessage, ScheduleDeadline
from anxin.domain.money import Money
from anxin.domain.order import Finding, OrderState
from anxin.domain.rights import Right
from anxin.guarantees.rules.payout import Funder, funding_account
from anxin.policy.pack import PolicyBook

GRANTED, PAID, ESCALATED, CAPPED = "refund_granted", "refund_paid", "escalated", "refund_capped"
FUNDERS: dict[str, Funder] = {
    "merchant": "merchant_deposit",
    "carrier": "carrier",
    "platform": "platform_fund",
}


def case_key(order_id: str, aftersale_id: str) -> str:
    """The case's watch id, and the prefix of every decision about it."""
    return f"order:{order_id}:{RULE_ID}:{aftersale_id}"


class AfterSales:
    rule_id: ClassVar[str] = RULE_ID
    # Only after-sales facts; a case's watches are set in settle, once per batch.
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (
        ev.AfterSaleRequested,
        ev.AfterSaleResponded,
        ev.AfterSaleEscalated,
        ev.AfterSaleResolved,
        ev.ReturnShipped,
        ev.ReturnReceived,
    )
    scan_statuses: ClassVar[frozenset[str] | None] = frozenset()

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        return []  # facts only move watches, and settle sets them from the whole batch

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        if not state.aftersale_facts:
            return []  # most orders: no after-sales at all
        return [_watch(state, run, after=None) for run in replay(state, book)]

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        aid = deadline.data.get("aftersale_id")
        run = next((r for r in replay(state, book) if r.aftersale_id == aid), None)
        if run is None:
            return []
        now = deadline.due_at
        if state.consumer_id is None or state.merchant_id is None:
            # The order's placement has not arrived: who pays and who is paid are unknown.
            # Judge nothing yet; its arrival touches the order and settle re-arms the watch.
            return [_watch(state, run, after=now)]
        effects: list[Effect] = []
        if (at := _escalation_due(state, run)) is not None and at <= now:
            effects += _escalated(state, run, at)
        if (at := _grant_due(state, run)) is not None and at <= now:
            effects += _grant(state, run)
        seen = _seen(state, effects)  # the order as it will be once these are recorded
        if (at := _paid_due(seen, run)) is not None and at <= now:
            effects += _paid(seen, run, at)
        return [*effects, _watch(_seen(state, effects), run, after=now)]

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        if not state.aftersale_facts:
            return []
        return [
            right
            for run in replay(state, book, until=now)
            if (right := case_right(state, run, case_key(state.order_id, run.aftersale_id), now))
        ]


RULE = AfterSales()


# -- when each judgment falls due -------------------------------------------------------


def _id(state: OrderState, run: CaseRun, what: str) -> str:
    return f"{case_key(state.order_id, run.aftersale_id)}:{what}"


def _escalation_due(state: OrderState, run: CaseRun) -> dt.datetime | None:
    if run.escalated_at is None or state.decided(_id(state, run, "escalated")):
        return None
    return run.escalated_at


def _grant_due(state: OrderState, run: CaseRun) -> dt.datetime | None:
    if run.grant is None or state.decided(_id(state, run, "granted")):
        return None
    return run.grant.at


def _recorded_grant(state: OrderState, run: CaseRun) -> Finding | None:
    gid = _id(state, run, "granted")
    return next((f for f in state.findings if f.decision_id == gid), None)


def _paid_due(state: OrderState, run: CaseRun) -> dt.datetime | None:
    """A refund is paid when the marketplace reports it, never before it was granted."""
    granted = _recorded_grant(state, run)
    if run.report is None or granted is None or granted.paid <= 0:
        return None
    if state.decided(_id(state, run, "paid")):
        return None
    return max(run.report.at, granted.at)


def _seen(state: OrderState, effects: list[Effect]) -> OrderState:
    """``state`` with ``effects``' decisions among its findings (a copy: rules do not mutate)."""
    new = [Finding.of(e) for e in effects if isinstance(e, Decision)]
    return msgspec.structs.replace(state, findings=[*state.findings, *new]) if new else state


def _watch(state: OrderState, run: CaseRun, after: dt.datetime | None) -> Effect:
    """The case's one watch, at its next judgment after ``after`` (idle when none is left).

    A clock whose running out decides nothing (the consumer did not ship the return, the
    refusal stands) needs no firing: the hall reads it from the facts."""
    pending = (_escalation_due(state, run), _grant_due(state, run), _paid_due(state, run))
    dues = [d for d in pending if d is not None and (after is None or d > after)]
    key = case_key(state.order_id, run.aftersale_id)
    return ScheduleDeadline(
        key,
        f"order:{state.order_id}",
        RULE_ID,
        min(dues) if dues else run.requested_at,
        run.pack.name,
        run.pack.version,
        {"aftersale_id": run.aftersale_id},
        replace=True,
        idle=not dues,
    )


# -- the judgments ----------------------------------------------------------------------


def _explained(
    state: OrderState, run: CaseRun, kind: str, what: str, at: dt.datetime, inputs: dict[str, Any]
) -> Decision:
    base = {"aftersale_id": run.aftersale_id, "flow": run.case.flow if run.case else None}
    return Decision(
        _id(state, run, what),
        f"order:{state.order_id}",
        RULE_ID,
        kind,
        at,
        Explanation(RULE_ID, run.pack.name, run.pack.version, {**base, **inputs}),
        {"aftersale_id": run.aftersale_id},
    )


def _escalated(state: OrderState, run: CaseRun, at: dt.datetime) -> list[Effect]:
    timer = run.escalated_by or ""
    inputs = {"timer": timer, "due_at": at, "on_timeout": "escalate"}
    return [_explained(state, run, ESCALATED, "escalated", at, inputs)]


def _grant(state: OrderState, run: CaseRun) -> list[Effect]:
    grant = run.grant
    assert grant is not None
    paid = state.amount_paid or 0
    # Grants already recorded on the order's other cases: a grant judged before an earlier
    # case's late facts arrived must still leave the total within the amount paid.
    before = sum(f.paid for f in state.findings if f.rule_id == RULE_ID and f.kind == GRANTED)
    amount = min(grant.amount, max(0, paid - before))
    payer = grant.payer or "merchant"
    inputs = {
        "decided_by": grant.decided_by,
        "trigger": run.trigger,
        "asked": run.case.asked if run.case else None,
        "granted": amount,
        "refundable": run.refundable,
        "amount_paid": paid,
        "granted_before": before,
        "payer": payer,
    }
    if amount <= 0:  # the order's earlier refunds took everything
        return [_explained(state, run, CAPPED, "granted", grant.at, inputs)]
    money = Money(amount, grant.currency)
    decision = _explained(state, run, GRANTED, "granted", grant.at, inputs)
    decision = Decision(
        decision.decision_id,
        decision.aggregate_key,
        RULE_ID,
        GRANTED,
        grant.at,
        decision.explanation,
        # ``payout`` is folded into the order's findings: what later grants must leave room for.
        {**decision.outcome, "payout": money.to_dict(), "payer": payer},
    )
    effects: list[Effect] = [decision]
    if state.consumer_id is None or state.merchant_id is None:
        return effects
    effects.append(
        ledger.transfer(
            f"refund:{run.aftersale_id}:granted",
            debit=funding_account(state, FUNDERS[payer]),
            credit=ledger.refunds_payable(state.consumer_id),
            amount=money,
            occurred_at=grant.at,
            reason=GRANTED,
            explanation=_why(decision),
        )
    )
    if run.trigger.get("fact") == "aftersale.resolved":
        return effects  # granted by the marketplace's own report that it refunded: already paid
    message = {
        "order_id": state.order_id,
        "aftersale_id": run.aftersale_id,
        "consumer_id": state.consumer_id,
        "merchant_id": state.merchant_id,
        "amount": money.to_dict(),
        "payer": payer,
        "decided_by": grant.decided_by,
        "decision_id": decision.decision_id,
    }
    topic = "refund.granted"
    key = decision.aggregate_key
    effects.append(OutboxMessage(f"{topic}:{decision.decision_id}", topic, key, grant.at, message))
    return effects


def _paid(state: OrderState, run: CaseRun, at: dt.datetime) -> list[Effect]:
    report, recorded = run.report, _recorded_grant(state, run)
    assert report is not None
    assert recorded is not None
    granted, currency = recorded.paid, state.currency or report.currency
    reported = report.amount if report.amount is not None and report.currency == currency else None
    amount = granted if reported is None else min(reported, granted)
    inputs = {
        "event_id": report.event_id,
        "reported": reported,
        "granted": granted,
        "paid": amount,
        "decided_by": report.by,
    }
    decision = _explained(state, run, PAID, "paid", at, inputs)
    if amount <= 0 or state.consumer_id is None:
        return [decision]
    money = Money(amount, currency)
    decision = Decision(
        decision.decision_id,
        decision.aggregate_key,
        RULE_ID,
        PAID,
        at,
        decision.explanation,
        {**decision.outcome, "refund_paid": money.to_dict()},
    )
    return [
        decision,
        ledger.transfer(
            f"refund:{run.aftersale_id}:paid",
            debit=ledger.refunds_payable(state.consumer_id),
            credit=ledger.consumer(state.consumer_id),
            amount=money,
            occurred_at=at,
            reason=PAID,
            explanation=_why(decision),
        ),
    ]


def _why(decision: Decision) -> dict[str, object]:
    x = decision.explanation
    return {
        "decision_id": decision.decision_id,
        "rule_id": RULE_ID,
        "pack": x.pack,
        "version": x.pack_version,
    }
