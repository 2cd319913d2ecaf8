"""The recovery rule: an after-sales refund paid before its return came back, then unearned.

A return-and-refund case whose refund the marketplace reported (``aftersale.resolved``,
refunded) before ``return.received`` — by the system on the request, or once the return was
handed to the carrier — was refunded in advance: an instant refund on the request or at the
return's first scan (``anxin.refunds`` decided it). A refund the platform or the merchant
granted without the goods (an arbitration for the consumer) is no advance. If the return then
arrives empty, with the wrong item or missing parts, or never arrives within the pack's
``instant_refund.recovery.return_window_days`` of the refund, the pack's recovery applies
(``recovery.settle``): the merchant is made whole, the consumer is charged back or the platform
absorbs it. Judged from the order's folded facts, so arrival order does not matter; one
decision per case (``order:{id}:refund_recovery:{aftersale_id}``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from anxin.contract import events as ev
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect, ScheduleDeadline
from anxin.domain.money import Money
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.guarantees.rules.payout import order_decision
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.refunds.config import RULE_ID as SECTION
from anxin.refunds.config import InstantRefundConfig
from anxin.refunds.recovery import UNEARNED, ReturnFate, settle

RULE_ID = "refund_recovery"


@dataclass(frozen=True, slots=True)
class Advance:
    """A return-and-refund case as its sorted facts tell it (not the arrival-order summary)."""

    aftersale_id: str
    requested_at: dt.datetime
    currency: str
    refunded_at: dt.datetime
    refunded: int
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None
    condition: str | None


def advance_of(state: OrderState, aftersale_id: str) -> Advance | None:
    """The case, if it was refunded before its goods came back (or with none back yet)."""
    request = refund = shipped = received = None
    for fact in state.case_facts(aftersale_id):  # sorted: the first of each kind is earliest
        if fact.type == "aftersale.requested" and request is None:
            request = fact
        elif fact.type == "aftersale.resolved" and refund is None and fact.what == "refunded":
            refund = fact
        elif fact.type == "return.shipped" and shipped is None:
            shipped = fact
        elif fact.type == "return.received" and received is None:
            received = fact
    if request is None or request.what != "return_refund" or refund is None:
        return None
    # Reported without an amount: it refunded what was asked (as the after-sales rule reads it).
    amount = refund.amount if refund.amount is not None else request.amount
    if not amount or (received is not None and received.at <= refund.at):
        return None  # nothing paid, or paid once the goods were back: not an advance
    if refund.by != "system" and (shipped is None or shipped.at > refund.at):
        # Neither refunded on the request by the system nor at the return's first scan: e.g.
        # the platform ruled for the consumer without the goods. Nothing to recover.
        return None
    return Advance(
        aftersale_id,
        request.at,
        request.currency,
        refund.at,
        amount,
        None if shipped is None else shipped.at,
        None if received is None else received.at,
        None if received is None else received.what,
    )


class RefundRecovery:
    rule_id: ClassVar[str] = RULE_ID
    # The last of these to arrive completes the picture, whatever the order.
    event_types: ClassVar[tuple[type[ev.Event], ...]] = (
        ev.AfterSaleRequested,
        ev.AfterSaleResolved,
        ev.ReturnReceived,
    )
    scan_statuses: ClassVar[frozenset[str] | None] = None

    def on_event(self, state: OrderState, event: ev.Event, book: PolicyBook) -> list[Effect]:
        assert isinstance(event, ev.AfterSaleRequested | ev.AfterSaleResolved | ev.ReturnReceived)
        case = advance_of(state, event.payload.aftersale_id)
        found = None if case is None else _config(case, book)
        if case is None or found is None:
            return []
        pack, config = found
        if case.received_at is None:  # wait for the return, up to the pack's window
            due = case.refunded_at + dt.timedelta(days=config.recovery.return_window_days)
            key = f"order:{state.order_id}"
            return [
                ScheduleDeadline(
                    f"{key}:{RULE_ID}:{case.aftersale_id}",
                    key,
                    RULE_ID,
                    due,
                    pack.name,
                    pack.version,
                    {"aftersale_id": case.aftersale_id},
                )
            ]
        condition = case.condition or "ok"
        if condition not in UNEARNED:
            return []
        fate: ReturnFate = condition  # type: ignore[assignment]  # checked against UNEARNED
        return _recover(state, case, pack, config, fate, case.received_at)

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]:
        case = advance_of(state, str(deadline.data.get("aftersale_id", "")))
        if case is None:
            return []
        received = case.received_at
        if received is not None and received <= deadline.due_at:
            return []  # it came in time (its condition was judged when it arrived)
        pack = book.version(deadline.pack_version)
        config = pack.rule(SECTION)
        if not isinstance(config, InstantRefundConfig):
            return []
        return _recover(state, case, pack, config, "never_came", deadline.due_at)

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        return []

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        return []  # a recovery protects the merchant, not a consumer's right


def _config(case: Advance, book: PolicyBook) -> tuple[PolicyPack, InstantRefundConfig] | None:
    found = book.config_at(case.requested_at, SECTION)
    if found is None or not isinstance(found[1], InstantRefundConfig):
        return None
    return found[0], found[1]


def _recover(
    state: OrderState,
    case: Advance,
    pack: PolicyPack,
    config: InstantRefundConfig,
    fate: ReturnFate,
    at: dt.datetime,
) -> list[Effect]:
    key = f"order:{state.order_id}"
    decision_id = f"{key}:{RULE_ID}:{case.aftersale_id}"
    if state.decided(decision_id) or state.consumer_id is None or state.merchant_id is None:
        return []
    amount = Money(case.refunded, case.currency or state.currency or "")
    policy = config.recovery
    transactions, messages = settle(
        aftersale_id=case.aftersale_id,
        order_id=state.order_id,
        consumer_id=state.consumer_id,
        merchant_id=state.merchant_id,
        amount=amount,
        fate=fate,
        at=at,
        decision_id=decision_id,
        policy=policy,
    )
    inputs = {
        "aftersale_id": case.aftersale_id,
        "refunded": amount.to_dict(),
        "refunded_at": case.refunded_at,
        "return_shipped_at": case.shipped_at,
        "return_received_at": case.received_at,
        "return_condition": case.condition,
        "return_window_days": policy.return_window_days,
    }
    outcome = {
        "fate": fate,
        "charged_back": policy.payer == "consumer",
        "merchant_made_whole": policy.merchant_made_whole,
    }
    decision = order_decision(
        state, pack, rule_id=RULE_ID, decision_id=decision_id, kind="refund_recovered", at=at,
        inputs=inputs, outcome=outcome,
    )  # fmt: skip
    return [decision, *transactions, *messages]


RULE = RefundRecovery()
RULES: tuple[RefundRecovery, ...] = (RULE,)
