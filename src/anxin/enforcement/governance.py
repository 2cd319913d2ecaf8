"""Governance feedback from anxin's own enforcement rules, for the simulator (``anxin simulate
--governance enforcement``; the demo runs with it).

At the end of each simulated day the simulator hands over its day report: per merchant, the
orders placed that day with their fates and the counters enforcement judges (their due, chats,
after-sales and escalations). This governance makes them enforcement's counters, judges the day
with the pack's violation rules, counts the ladder and imposes the rung's measures (the pure
core of ``anxin.enforcement``, the pack's numbers), and answers with what the simulated merchant
obeys: a rectification plan about each violation whose type the pack gives targets (until the
pack's deadline), order caps, presale withdrawn, no sales while suspended, and a penalty for the
rest. Like anxin's daily run it judges a day once its facts have settled (the pack's
``settle_days`` later); the counters are the simulator's, per day the orders were placed (it
lives an order's whole life when it is placed). What anxin *records* is what its own run finds
in the store afterwards (``anxin violations run``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from anxin.enforcement.config import EnforcementConfig
from anxin.enforcement.facts import Day, MerchantDays, MerchantFacts
from anxin.enforcement.ladder import counted
from anxin.enforcement.measures import Imposed, impose, next_midnight
from anxin.enforcement.violations import Found, judge_day
from anxin.policy.pack import PolicyPack
from anxin.sim.governance import DayReport, Measure, MerchantDay

# Measures the simulated merchant feels as sales it cannot make; everything else it feels as a
# penalty (the existing reaction: it ships faster and runs out of stock less while it lasts).
_NO_SALES = frozenset({"suspension", "expulsion"})
_PENALTY_DAYS = 7  # a one-off measure (warning, deduction) is felt this long
_FOREVER = 3650


def day_of(d: MerchantDay) -> Day:
    """The simulator's counters for one merchant-day as enforcement's."""
    return Day(
        paid=d.paid,
        gmv=d.amount_paid,
        shipped=d.shipped,
        out_of_stock=d.admitted,
        anomaly=d.fake,
        fraud=d.fraud,
        due=d.due,
        late=d.late,
        non_delivery=d.non_delivery,
        promised=d.promised,
        promise_broken=d.promise_broken,
        responses=d.responses,
        refusals=d.refusals,
        unjustified=d.unjustified,
        tickets=d.tickets,
        tickets_overdue=d.tickets_overdue,
        rounds=d.rounds,
        response_seconds=d.response_seconds,
        sessions=d.sessions,
        unanswered=d.unanswered,
    )


@dataclass
class _State:
    pack: PolicyPack
    config: EnforcementConfig
    facts: MerchantDays = field(default_factory=dict)
    industries: dict[str, dict[dt.date, Day]] = field(default_factory=dict)  # running sums
    fired: dict[str, dict[str, dt.date]] = field(default_factory=lambda: defaultdict(dict))
    earlier: dict[tuple[str, str], list[dt.date]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class EnforcementGovernance:
    """Measures from the named pack's enforcement section (its latest version)."""

    pack: str = "douyin"
    _state: _State | None = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:  # worker processes build their own state
        return {"pack": self.pack, "_state": None}

    def _ready(self) -> _State:
        if self._state is None:
            from anxin.application import load_policy
            from anxin.enforcement.run import config_of

            pack = load_policy(self.pack).latest
            self._state = _State(pack, config_of(pack))
        return self._state

    def measures(
        self, day: dt.date, merchant_ids: Sequence[str], report: DayReport
    ) -> Mapping[str, Sequence[Measure]]:
        state = self._ready()
        for mid in sorted(report.merchants):
            d = report.merchants[mid]
            facts = state.facts.setdefault(mid, MerchantFacts(industry=d.industry))
            facts.days[day] = got = day_of(d)
            state.industries.setdefault(d.industry, {}).setdefault(day, Day()).add(got)
        # As anxin's daily run: a day is judged once its facts have settled.
        judged = day - dt.timedelta(days=state.config.settle_days)
        out: dict[str, list[Measure]] = {}
        for mid in sorted(state.facts):
            m = state.facts[mid]
            peers = state.industries.get(m.industry, {})
            for f in judge_day(mid, m, judged, state.config, peers, state.fired[mid]):
                out.setdefault(mid, []).extend(self._obey(state, f, day))
        return out

    @staticmethod
    def _obey(state: _State, f: Found, day: dt.date) -> list[Measure]:
        config, pack = state.config, state.pack
        nth = counted(f.day, state.earlier[(f.merchant_id, f.type)], config.counting)
        state.earlier[(f.merchant_id, f.type)].append(f.day)
        noticed = next_midnight(
            dt.datetime.combine(day, dt.time(12), tzinfo=pack.calendar.zone), pack.calendar.zone
        )
        imposed = impose(
            f, nth, config.ladder(f.ladder, nth), state.facts[f.merchant_id], noticed, pack.currency
        )
        why = f"{f.type} #{nth} ({f.violation_id})"
        out = [_felt(m, day, why) for m in imposed]
        plan = config.rectification
        if plan is not None and f.type in plan.targets:
            until = day + dt.timedelta(days=plan.deadline_days)
            out.append(Measure("rectify", until, 0, why, about=f.type))
        return out


def _felt(m: Imposed, day: dt.date, why: str) -> Measure:
    """What the simulated merchant obeys for one measure, until its last day in force."""
    if m.ends_at is not None:
        until = m.ends_at.date() - dt.timedelta(days=1)
    elif m.lift == "never":
        until = day + dt.timedelta(days=_FOREVER)
    else:  # one-off, or until cured: felt for a week (a cure lifts it in anxin's run)
        until = day + dt.timedelta(days=_PENALTY_DAYS)
    reason = f"{m.kind}: {why}"
    if m.kind == "order_cap":
        return Measure("order_cap", until, m.orders_per_day or 0, reason)
    if m.kind in _NO_SALES:
        return Measure("order_cap", until, 0, reason)
    if m.kind == "presale_off":
        return Measure("presale_off", until, 0, reason)
    return Measure("penalty", until, m.amount.amount if m.amount is not None else 0, reason)
