"""Replay an order's after-sales cases from its folded facts (pure: no I/O, no clock).

The order keeps every after-sales fact it learned (``OrderState.aftersale_facts``, sorted and
free of duplicates), so a case is rebuilt the same whatever order its events arrived in: its
facts run through ``flows.apply`` in (occurred_at, kind) order, each clock that ran out before
a fact fires first, and, unless a horizon is given, the clocks still running fire too (what the
pack does if nothing else happens). Cases run in (requested_at, aftersale_id) order, and each
may refund only what the order's earlier cases left of the amount paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from anxin.aftersales.config import RULE_ID, AftersalesConfig, TimerName
from anxin.aftersales.facts import (
    Escalated,
    Fact,
    Kind,
    Payer,
    Requested,
    Resolved,
    Responded,
    ReturnReceived,
    ReturnShipped,
    TimerFired,
)
from anxin.aftersales.flows import (
    Cancel,
    Case,
    Effect,
    Grant,
    Policy,
    Rejected,
    Schedule,
    apply,
    refund_reported,
)
from anxin.domain.order import CaseFact, OrderState
from anxin.policy.pack import PolicyBook, PolicyPack

MERCHANT_CLOCKS: frozenset[str] = frozenset({"merchant_response", "return_confirmation"})


@dataclass(frozen=True, slots=True)
class Clock:
    """A clock the case ran: started by a fact (or a timeout), ended by one, or ran out."""

    timer: TimerName
    started_at: dt.datetime
    due: dt.datetime
    ended_at: dt.datetime | None = None
    ran_out: bool = False


@dataclass(slots=True)
class CaseRun:
    """One case replayed: where it stands and what the facts (and clocks) decided."""

    aftersale_id: str
    requested_at: dt.datetime
    pack: PolicyPack
    config: AftersalesConfig
    refundable: int = 0
    case: Case | None = None
    grant: Grant | None = None
    trigger: dict[str, Any] = field(default_factory=dict)  # what decided the grant
    escalated_at: dt.datetime | None = None  # a merchant clock ran out into arbitration
    escalated_by: TimerName | None = None
    report: CaseFact | None = None  # the marketplace's first report that it refunded
    clocks: list[Clock] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def running(self) -> Clock | None:
        last = self.clocks[-1] if self.clocks else None
        return last if last is not None and last.ended_at is None else None


def replay(state: OrderState, book: PolicyBook, until: dt.datetime | None = None) -> list[CaseRun]:
    """Every case of the order that has a request under a pack with the after-sales section.

    ``until`` is a horizon: only facts at or before it, and clocks due strictly before it (a
    clock due exactly then still runs). Without one, every fact, then every clock that would
    still run out."""
    by_case: dict[str, list[CaseFact]] = {}
    for f in state.aftersale_facts:
        if until is None or f.at <= until:
            by_case.setdefault(f.aftersale_id, []).append(f)
    opened = sorted(
        (first.at, aid)
        for aid, facts in by_case.items()
        if (first := next((f for f in facts if f.type == "aftersale.requested"), None))
    )
    paid = state.amount_paid or 0
    shipped = state.shipped_at()
    granted = 0
    runs: list[CaseRun] = []
    for requested_at, aid in opened:
        found = book.config_at(requested_at, RULE_ID)
        if found is None:
            continue  # no after-sales section in force when the request came
        pack, config = found
        run = CaseRun(aid, requested_at, pack, config)
        run.refundable = max(0, paid - granted)
        _run(run, by_case[aid], state, shipped, until)
        granted += run.grant.amount if run.grant is not None else 0
        runs.append(run)
    return runs


def _run(
    run: CaseRun,
    facts: list[CaseFact],
    state: OrderState,
    shipped: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    policy = Policy(run.config, run.pack.calendar)
    case: Case | None = None
    for f in facts:
        if case is not None:
            case = _fire(run, case, policy, f.at, inclusive=False)
        fact = _fact(f, run, state, shipped)
        case, effects = apply(case, fact, policy)
        if _reports_refund(fact):
            assert isinstance(fact, Resolved)
            run.report = run.report or f
            if case is not None and any(isinstance(e, Rejected) for e in effects):
                case, effects = refund_reported(case, fact)
        _record(run, effects, fact.at, {"fact": f.type, "event_id": f.event_id, "by": f.by})
    if case is not None:  # at ``until`` itself a clock still runs: an act then is on time
        case = _fire(run, case, policy, until, inclusive=False)
    run.case = case


def _reports_refund(fact: Fact) -> bool:
    """The marketplace says a refund went out (the consumer cannot say so)."""
    return (
        isinstance(fact, Resolved) and fact.outcome == "refunded" and fact.decided_by != "consumer"
    )


def _fire(
    run: CaseRun, case: Case, policy: Policy, at: dt.datetime | None, *, inclusive: bool
) -> Case:
    """Fire the case's clocks due before ``at`` (at or before, when ``inclusive``; all of them
    when ``at`` is None), one step each, so each timeout is recorded as what decided."""
    while (d := case.deadline) is not None and (
        at is None or d.due < at or (inclusive and d.due == at)
    ):
        before = case.state
        after, effects = apply(case, TimerFired(d.due, d.timer), policy)
        if after is None or after.deadline == d:  # a clock that does not fire: stop, not spin
            break
        case = after
        if case.state == "arbitration" and before != "arbitration" and d.timer in MERCHANT_CLOCKS:
            run.escalated_at, run.escalated_by = d.due, d.timer
        _record(run, effects, d.due, {"timer": d.timer, "due": d.due}, ran_out=d.timer)
    return case


def _record(
    run: CaseRun,
    effects: list[Effect],
    at: dt.datetime,
    trigger: dict[str, Any],
    ran_out: TimerName | None = None,
) -> None:
    clock = run.running()
    if clock is not None and ran_out == clock.timer:
        run.clocks[-1] = Clock(clock.timer, clock.started_at, clock.due, clock.due, True)
    for e in effects:
        clock = run.running()
        if isinstance(e, Schedule):
            run.clocks.append(Clock(e.timer, at, e.due))
        elif isinstance(e, Cancel) and clock is not None:
            run.clocks[-1] = Clock(clock.timer, clock.started_at, clock.due, at)
        elif isinstance(e, Grant) and run.grant is None:
            run.grant, run.trigger = e, trigger
        elif isinstance(e, Rejected):
            run.rejected.append(e.reason)


def _fact(f: CaseFact, run: CaseRun, state: OrderState, shipped: dt.datetime | None) -> Fact:
    match f.type:
        case "aftersale.requested":
            same_money = f.currency == state.currency
            return Requested(
                f.at,
                f.aftersale_id,
                cast(Kind, f.what),
                f.amount or 0,
                f.currency,
                refundable=run.refundable if same_money else 0,
                shipped=shipped is not None and shipped <= f.at,
            )
        case "aftersale.responded":
            return Responded(f.at, cast(Any, f.by), cast(Any, f.what))
        case "aftersale.escalated":
            return Escalated(f.at, cast(Any, f.by))
        case "return.shipped":
            return ReturnShipped(f.at)
        case "return.received":
            return ReturnReceived(f.at, f.what)
    refund = f.amount if f.amount is not None and f.currency == state.currency else None
    return Resolved(f.at, cast(Any, f.what), cast(Any, f.by), refund, cast(Payer | None, f.payer))
