"""What enforcement counts, per merchant and local day, derived from order states and chats
(pure: states and chat lines in, counters out; ``anxin.enforcement.project`` reads the store).

An order is counted on the day its rule looks at: its payment day (stock-outs, anomalies,
fraud, money), its due day (late shipment, non-delivery, broken channel promises), the day the
merchant answered an after-sales request (refusals) or the day a case reached the platform
(tickets). An order the platform exempted (``order.exempted``: abuse, force majeure …) counts
nowhere, as §2.1's exemptions say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from anxin.domain.order import OrderState
from anxin.enforcement.config import EnforcementConfig
from anxin.guarantees.rules.late_shipment import binding_at_payment
from anxin.policy.pack import PolicyPack
from anxin.service.sla import Line, response_seconds, rounds, service_hours_of


@dataclass(slots=True)
class Day:
    """One merchant's counters for one local day."""

    paid: int = 0  # orders paid that day
    gmv: int = 0  # their amount paid less refunds, minor units (freeze and deduction bases)
    shipped: int = 0  # of them, with a shipment
    out_of_stock: int = 0  # of them, cancelled by the merchant as out of stock (admitted)
    anomaly: int = 0  # of them, with a trajectory-anomaly finding
    fraud: int = 0  # of them, with a fraud-shipping finding
    due: int = 0  # orders due to ship that day (not cancelled before it)
    late: int = 0  # of them, not picked up by the due
    non_delivery: int = 0  # of them, no shipment long after the due and no admitted stock-out
    promised: int = 0  # of them, bound by a channel promise (video, live stream, chat)
    promise_broken: int = 0  # of those, not picked up by that promise's due
    responses: int = 0  # the merchant's answers to after-sales requests that day
    refusals: int = 0  # of them, refusals
    unjustified: int = 0  # of those, overturned by the platform (refunded on arbitration)
    tickets: int = 0  # cases escalated to the platform that day
    tickets_overdue: int = 0  # of them, not answered by the merchant in the response window
    rounds: int = 0  # answered chat rounds of conversations started that day (service hours)
    response_seconds: int = 0  # their response time
    sessions: int = 0  # conversations started that day in which the consumer asked
    unanswered: int = 0  # of them, never answered by an agent

    def add(self, other: Day) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(slots=True)
class MerchantFacts:
    """A merchant's days, and its industry (refusal rates compare with the industry's)."""

    industry: str = ""
    days: dict[dt.date, Day] = field(default_factory=dict)
    # Late orders: (due day, when the lateness ended: picked up or called off; None: not yet).
    overdue: list[tuple[dt.date, dt.datetime | None]] = field(default_factory=list)

    def cured_at(self, through: dt.date) -> dt.datetime | None:
        """When the last order late on or before ``through`` was picked up or called off (None
        while one is still outstanding): caps "lift the next day" after it (§2.1)."""
        ended = [end for due, end in self.overdue if due <= through]
        if any(end is None for end in ended):
            return None
        return max((end for end in ended if end is not None), default=None)

    def on(self, day: dt.date) -> Day:
        got = self.days.get(day)
        if got is None:
            got = self.days[day] = Day()
        return got


MerchantDays = dict[str, MerchantFacts]


def add_order(
    out: MerchantDays,
    state: OrderState,
    pack: PolicyPack,
    config: EnforcementConfig,
    as_of: dt.datetime,
) -> None:
    """Count one order (under the pack in force when it was paid) as known at ``as_of``."""
    if state.paid_at is None or state.merchant_id is None or state.exemption is not None:
        return
    local = pack.calendar.local
    merchant = out.setdefault(state.merchant_id, MerchantFacts())
    paid_day = merchant.on(local(state.paid_at).date())
    paid_day.paid += 1
    cancelled = state.cancelled_at
    refunded = sum(a.refunded for a in state.aftersales)
    kept = 0 if cancelled is not None else max(0, (state.amount_paid or 0) - refunded)
    paid_day.gmv += kept
    if state.parcels:
        paid_day.shipped += 1
    admitted = state.cancelled_by == "merchant" and state.cancel_reason in set(
        config.out_of_stock_reasons
    )
    paid_day.out_of_stock += admitted
    breaches = [f for f in state.findings if f.kind == "breach"]
    paid_day.anomaly += any(f.family == "trajectory_anomaly" for f in breaches)
    paid_day.fraud += any(f.rule_id == "fraud_shipping" for f in breaches)
    _due(merchant, state, pack, config, as_of, admitted)
    _cases(merchant, state, pack, config, as_of)


def _due(
    merchant: MerchantFacts,
    state: OrderState,
    pack: PolicyPack,
    config: EnforcementConfig,
    as_of: dt.datetime,
    admitted: bool,
) -> None:
    binding = binding_at_payment(state, pack)
    due = binding.due_at
    if due > as_of or (state.cancelled_at is not None and state.cancelled_at <= due):
        return  # not due yet, or called off before it was
    day = merchant.on(pack.calendar.local(due).date())
    shipped = state.shipped_at()
    late = shipped is None or shipped > due
    day.due += 1
    day.late += late
    if late:
        ends = [t for t in (shipped, state.cancelled_at) if t is not None and t <= as_of]
        merchant.overdue.append((pack.calendar.local(due).date(), min(ends, default=None)))
    rules = config.violations
    if rules.false_promise is not None and binding.source in rules.false_promise.sources:
        day.promised += 1
        day.promise_broken += late
    nd = rules.malicious_non_delivery
    if nd is not None and not admitted:
        horizon = due + dt.timedelta(hours=nd.after_due_hours)
        first_parcel = min((p.created_at for p in state.parcels), default=None)
        if horizon <= as_of and (first_parcel is None or first_parcel > horizon):
            day.non_delivery += 1


def _cases(
    merchant: MerchantFacts,
    state: OrderState,
    pack: PolicyPack,
    config: EnforcementConfig,
    as_of: dt.datetime,
) -> None:
    local = pack.calendar.local
    tickets = config.violations.overdue_tickets
    for case in state.aftersales:
        facts = state.case_facts(case.aftersale_id)
        overturned = case.outcome == "refunded" and case.decided_by == "platform"
        for f in facts:
            # An answer to the request; the evidence sent to the platform later ("propose")
            # is not one (it answers a ticket, below).
            if (
                f.type == "aftersale.responded"
                and f.by == "merchant"
                and f.what != "propose"
                and f.at <= as_of
            ):
                d = merchant.on(local(f.at).date())
                d.responses += 1
                if f.what == "refuse":
                    d.refusals += 1
                    d.unjustified += overturned
        if tickets is None:
            continue
        escalations = [f.at for f in facts if f.type == "aftersale.escalated" and f.at <= as_of]
        if not escalations:
            continue
        at = min(escalations)
        window = at + dt.timedelta(hours=tickets.response_hours)
        if window > as_of:
            continue  # its window is still open: judged on a later run
        answered = any(
            f.type == "aftersale.responded" and f.by == "merchant" and at <= f.at <= window
            for f in facts
        )
        d = merchant.on(local(at).date())
        d.tickets += 1
        d.tickets_overdue += not answered


@dataclass(frozen=True, slots=True)
class ChatLine:
    at: dt.datetime
    sender: str  # consumer | agent (bots and system lines are not rounds)


def add_conversation(
    out: MerchantDays, merchant_id: str, lines: Sequence[ChatLine], pack: PolicyPack
) -> None:
    """Count one conversation on the local day it started: its answered rounds (a consumer
    turn and the agent's answer) with their response times, and whether it was answered at all.
    A turn never answered is not a round here: negative service counts unanswered sessions on
    their own (§5.1), so a missed question is never averaged into the reply time."""
    ordered = sorted(lines, key=lambda line: line.at)
    if not ordered:
        return
    day = out.setdefault(merchant_id, MerchantFacts()).on(pack.calendar.local(ordered[0].at).date())
    hours = service_hours_of(pack)
    for r in rounds([Line(x.at, x.sender) for x in ordered]):  # the service's rounds
        if r.answered_at is not None:
            day.rounds += 1
            day.response_seconds += response_seconds(r.asked_at, r.answered_at, hours)
    if any(x.sender == "consumer" for x in ordered):
        day.sessions += 1
        day.unanswered += not any(x.sender == "agent" for x in ordered)


def industry_days(days: MerchantDays) -> dict[str, dict[dt.date, Day]]:
    """Every industry's counters per day (the refusal rule compares a merchant with them)."""
    out: dict[str, dict[dt.date, Day]] = {}
    for m in days.values():
        per = out.setdefault(m.industry, {})
        for day, d in m.days.items():
            per.setdefault(day, Day()).add(d)
    return out


def window(days: dict[dt.date, Day], end: dt.date, length: int) -> Day:
    """The sum of the ``length`` days ending with ``end``."""
    total = Day()
    for i in range(length):
        got = days.get(end - dt.timedelta(days=i))
        if got is not None:
            total.add(got)
    return total
