"""The after-sales state machine: pure, no I/O, no wall clock.

``apply(case, fact, policy)`` returns the next case and its effects. Timers are deadlines on
the pack's business calendar; a clock that ran out before a fact's instant is fired first, so
a merchant answering one second late meets a case the pack already decided. An illegal fact
changes nothing and yields one ``Rejected`` effect with the reason (never an exception).

A decision to refund is not money: ``Grant`` says that ``amount`` was granted, once per case
and never more than the order still has refundable. Paying it is the ledger's job, later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from anxin.aftersales.config import AftersalesConfig, Flow, TimerName
from anxin.aftersales.facts import (
    Escalated,
    Fact,
    Payer,
    Requested,
    Resolved,
    Responded,
    ReturnReceived,
    ReturnShipped,
    TimerFired,
)
from anxin.domain.calendar import BusinessCalendar

State = Literal[
    "requested",  # the merchant must answer (merchant_response)
    "awaiting_return",  # agreed; the consumer must ship the goods back (consumer_ships_return)
    "return_shipped",  # in the carrier's hands; no clock of ours runs
    "return_received",  # the merchant must confirm it (return_confirmation)
    "refused",  # the consumer may still escalate (escalation_window)
    "arbitration",  # the platform decides
    "refunded",  # terminal: refund granted
    "exchanged",  # terminal: the exchange was agreed
    "closed",  # terminal: withdrawn, lapsed or refused for good
]
TERMINAL: frozenset[str] = frozenset({"refunded", "exchanged", "closed"})
_REFUND_ONLY: frozenset[str] = frozenset({"refund_before_shipment", "refund_after_shipment"})


@dataclass(frozen=True, slots=True)
class Policy:
    """The pack section and calendar in force when the case was opened."""

    config: AftersalesConfig
    calendar: BusinessCalendar


@dataclass(frozen=True, slots=True)
class Deadline:
    timer: TimerName
    due: dt.datetime  # inclusive: an act at exactly ``due`` is on time


@dataclass(frozen=True, slots=True)
class Case:
    aftersale_id: str
    flow: Flow
    state: State
    currency: str
    asked: int
    refundable: int
    opened_at: dt.datetime
    deadline: Deadline | None = None
    granted: int = 0
    payer: Payer | None = None
    outcome: str | None = None  # why a closed case closed: withdrawn / lapsed / refused


# -- effects ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    """The decision that ``amount`` is refunded (not the payment)."""

    aftersale_id: str
    amount: int
    currency: str
    at: dt.datetime
    decided_by: str
    payer: Payer | None


@dataclass(frozen=True, slots=True)
class Schedule:
    timer: TimerName
    due: dt.datetime


@dataclass(frozen=True, slots=True)
class Cancel:
    timer: TimerName


@dataclass(frozen=True, slots=True)
class Closed:
    state: State
    outcome: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


Effect = Grant | Schedule | Cancel | Closed | Rejected
Step = tuple[Case | None, list[Effect]]
Next = tuple[Case, list[Effect]]  # a step that keeps a case


# -- apply -----------------------------------------------------------------------------


def apply(case: Case | None, fact: Fact, policy: Policy) -> Step:
    """The case after ``fact`` and what it caused; ``case`` is None before the request."""
    if case is None:
        if isinstance(fact, Requested):
            return _open(fact, policy)
        return None, [Rejected(f"{_name(fact)} for a case that was never requested")]
    if isinstance(fact, Requested):
        return case, [Rejected(f"case {case.aftersale_id} is already open")]
    if fact.at < case.opened_at:
        return case, [Rejected(f"{_name(fact)} at {fact.at} precedes the request")]
    if isinstance(fact, TimerFired):
        return _fire(case, fact, policy)
    case, effects = _run_out(case, fact.at, policy, inclusive=False)
    if case.state in TERMINAL:
        late = " (a clock ran out first)" if effects else ""
        effects.append(Rejected(f"{_name(fact)}: case is already {_status(case)}{late}"))
        return case, effects
    after, more = _on(case, fact, policy)
    return after, effects + more


def _open(fact: Requested, policy: Policy) -> Step:
    config = policy.config
    flow: Flow
    if fact.kind == "refund_only":
        flow = "refund_after_shipment" if fact.shipped else "refund_before_shipment"
    elif not fact.shipped:
        return None, [Rejected(f"a {fact.kind} request needs goods shipped; none were")]
    else:
        flow = fact.kind
    if flow not in config.flows:
        return None, [Rejected(f"flow {flow} is not offered by this pack")]
    if fact.amount <= 0 and flow != "exchange":
        return None, [Rejected("a refund request must ask for a positive amount")]
    if fact.amount > fact.refundable:
        return None, [
            Rejected(f"asks {fact.amount} but only {fact.refundable} {fact.currency} is refundable")
        ]
    case = Case(
        fact.aftersale_id,
        flow,
        "requested",
        fact.currency,
        fact.amount,
        fact.refundable,
        fact.at,
    )
    return _arm(case, "merchant_response", fact.at, policy, [])


def _fire(case: Case, fact: TimerFired, policy: Policy) -> Next:
    armed = case.deadline
    if armed is None or armed.timer != fact.timer:
        return case, [Rejected(f"timer {fact.timer} is not running (case is {_status(case)})")]
    if fact.at < armed.due:
        return case, [Rejected(f"timer {fact.timer} fired at {fact.at}, before {armed.due}")]
    return _run_out(case, fact.at, policy, inclusive=True)


def _run_out(case: Case, at: dt.datetime, policy: Policy, *, inclusive: bool) -> Next:
    """Fire every clock that ran out before ``at`` (at or before, when ``inclusive``)."""
    effects: list[Effect] = []
    while case.deadline is not None and (
        case.deadline.due < at or (inclusive and case.deadline.due == at)
    ):
        case, more = _timeout(case, case.deadline, policy)
        effects += more
    return case, effects


def _timeout(case: Case, d: Deadline, policy: Policy) -> Next:
    config, at = policy.config, d.due
    cleared = replace(case, deadline=None)
    if d.timer in ("merchant_response", "return_confirmation"):
        clock = (
            config.merchant_response
            if d.timer == "merchant_response"
            else (config.return_confirmation)
        )
        if clock.on_timeout == "escalate":
            return replace(cleared, state="arbitration"), []
        return _agree(cleared, at, "system", policy)
    if d.timer == "consumer_ships_return":
        return _close(cleared, "closed", "lapsed", at, [])
    return _close(cleared, "closed", "refused", at, [])  # escalation_window


# -- transitions -----------------------------------------------------------------------


def _on(case: Case, fact: Fact, policy: Policy) -> Next:
    match fact:
        case Responded(by=by, decision=decision):
            return _respond(case, fact.at, by, decision, policy)
        case Escalated(by=by):
            if "arbitration" not in policy.config.flows:
                return case, [Rejected("this pack offers no platform arbitration")]
            if case.state == "arbitration":
                return case, [Rejected("case is already in arbitration")]
            if by == "merchant" and case.state == "refused":
                return case, [Rejected("the merchant refused; only the consumer may escalate")]
            return _disarm(replace(case, state="arbitration"), [])
        case ReturnShipped():
            if case.state != "awaiting_return":
                return case, [Rejected(f"return shipped while case is {case.state}")]
            return _disarm(replace(case, state="return_shipped"), [])
        case ReturnReceived():
            if case.state not in ("awaiting_return", "return_shipped"):
                return case, [Rejected(f"return received while case is {case.state}")]
            moved = replace(case, state="return_received", deadline=None)
            return _arm(moved, "return_confirmation", fact.at, policy, _cancel(case))
        case Resolved():
            return _resolve(case, fact, policy)
    return case, [Rejected(f"{_name(fact)} does not apply to a case")]


def _respond(case: Case, at: dt.datetime, by: str, decision: str, policy: Policy) -> Next:
    if case.state not in ("requested", "return_received"):
        return case, [Rejected(f"{by} response ({decision}) while case is {case.state}")]
    if decision == "refuse":
        return _refuse(case, at, policy)
    if decision == "propose":
        return case, [Rejected("a counter-proposal carries no amount; not modelled yet")]
    if decision == "agree_return":
        if case.state != "requested" or case.flow == "refund_before_shipment":
            return case, [Rejected(f"agree_return does not apply to {case.flow} ({case.state})")]
        if case.flow == "refund_after_shipment":
            if "return_refund" not in policy.config.flows:
                return case, [Rejected("flow return_refund is not offered by this pack")]
            case = replace(case, flow="return_refund")
    return _agree(case, at, by, policy)


def _agree(case: Case, at: dt.datetime, by: str, policy: Policy) -> Next:
    """The merchant (or its silence) agrees at ``at``: the next step of the case's flow."""
    if case.state == "requested" and case.flow not in _REFUND_ONLY:
        moved = replace(case, state="awaiting_return", deadline=None)
        return _arm(moved, "consumer_ships_return", at, policy, _cancel(case))
    if case.flow == "exchange":
        return _close(case, "exchanged", "exchanged", at, _cancel(case))
    return _grant(case, case.asked, at, by, "merchant")


def _refuse(case: Case, at: dt.datetime, policy: Policy) -> Next:
    if "arbitration" not in policy.config.flows:
        return _close(case, "closed", "refused", at, _cancel(case))
    moved = replace(case, state="refused", deadline=None)
    return _arm(moved, "escalation_window", at, policy, _cancel(case))


def _resolve(case: Case, fact: Resolved, policy: Policy) -> Next:
    who, outcome = fact.decided_by, fact.outcome
    if outcome == "withdrawn":
        if who != "consumer":
            return case, [Rejected(f"only the consumer withdraws a request, not the {who}")]
        return _close(case, "closed", "withdrawn", fact.at, _cancel(case))
    if who == "consumer":
        return case, [Rejected(f"the consumer cannot resolve a case as {outcome}")]
    if case.state == "arbitration" and who == "platform":
        if outcome == "refunded":
            return _grant(case, _amount(case, fact), fact.at, who, fact.payer)
        if outcome == "exchanged" and case.flow != "exchange":
            return case, [Rejected(f"an exchange cannot end a {case.flow} case")]
        if outcome == "exchanged":
            return _close(case, "exchanged", "exchanged", fact.at, [])
        return _close(case, "closed", "refused", fact.at, [])
    if who == "platform":
        return case, [Rejected(f"the platform decides only in arbitration (case is {case.state})")]
    # the merchant (or the platform's system on its behalf) settles the case itself
    if outcome == "refunded":
        refundable_now = case.state == "arbitration" or (
            case.state == "requested" and case.flow in _REFUND_ONLY
        )
        if not refundable_now and not (
            case.state == "return_received" and case.flow == "return_refund"
        ):
            return case, [Rejected(f"{who} cannot refund a {case.flow} case that is {case.state}")]
        return _grant(case, _amount(case, fact), fact.at, who, "merchant")
    if outcome == "exchanged":
        if case.flow != "exchange" or case.state not in ("return_received", "arbitration"):
            return case, [
                Rejected(f"{who} cannot exchange a {case.flow} case that is {case.state}")
            ]
        return _close(case, "exchanged", "exchanged", fact.at, _cancel(case))
    if outcome == "refused" and case.state in ("requested", "return_received"):
        return _refuse(case, fact.at, policy)
    if outcome == "refused":
        return case, [Rejected(f"{who} cannot refuse a case that is {case.state}")]
    if who == "merchant":
        return case, [Rejected("a merchant cannot close a request; it may refuse it")]
    return _close(case, "closed", "closed", fact.at, _cancel(case))


def _amount(case: Case, fact: Resolved) -> int:
    return case.asked if fact.refund is None else fact.refund


def _grant(case: Case, amount: int, at: dt.datetime, by: str, payer: Payer | None) -> Next:
    if case.granted:
        return case, [Rejected(f"case {case.aftersale_id} already granted {case.granted}")]
    if amount <= 0:
        return case, [Rejected(f"a refund of {amount} grants nothing")]
    if amount > case.refundable:
        return case, [
            Rejected(f"a refund of {amount} exceeds the {case.refundable} {case.currency} paid")
        ]
    granted = replace(case, granted=amount, payer=payer)
    effects: list[Effect] = [Grant(case.aftersale_id, amount, case.currency, at, by, payer)]
    return _close(granted, "refunded", "refunded", at, _cancel(case) + effects)


def refund_reported(case: Case, fact: Resolved) -> Next:
    """The marketplace reports a refund the flow had not granted (the merchant's own agreement,
    say, before the return came back): the money moved, so the case is granted at that moment,
    within what is refundable. A case already granted, exchanged or refused is not touched."""
    if fact.outcome != "refunded" or fact.decided_by == "consumer":
        return case, [Rejected(f"{fact.decided_by} {fact.outcome} reports no refund")]
    if case.granted or case.state == "exchanged":
        return case, [Rejected(f"case {case.aftersale_id} is {_status(case)}")]
    amount = min(_amount(case, fact), case.refundable)
    payer = fact.payer if fact.decided_by == "platform" else "merchant"
    return _grant(case, amount, fact.at, fact.decided_by, payer or "merchant")


# -- helpers ---------------------------------------------------------------------------


def _arm(
    case: Case, timer: TimerName, start: dt.datetime, policy: Policy, effects: list[Effect]
) -> Next:
    due = policy.config.deadline(timer, policy.calendar, start)
    return replace(case, deadline=Deadline(timer, due)), [*effects, Schedule(timer, due)]


def _cancel(case: Case) -> list[Effect]:
    return [Cancel(case.deadline.timer)] if case.deadline is not None else []


def _disarm(case: Case, effects: list[Effect]) -> Next:
    return replace(case, deadline=None), [*effects, *_cancel(case)]


def _close(case: Case, state: State, outcome: str, at: dt.datetime, effects: list[Effect]) -> Next:
    closed = replace(case, state=state, outcome=outcome, deadline=None)
    return closed, [*effects, Closed(state, outcome, at)]


def _status(case: Case) -> str:
    return (
        f"{case.state} ({case.outcome})" if case.outcome and case.state == "closed" else case.state
    )


def _name(fact: Fact) -> str:
    if isinstance(fact, TimerFired):
        return f"timer {fact.timer}"
    return type(fact).__name__
