"""The rule hook: how guarantee rules plug into the engine.

A rule is a pure object. The engine calls ``on_event`` after folding each order event into the
state, and ``on_deadline`` when a deadline the rule scheduled falls due. Both return effects
(decisions, ledger transactions, outbox messages, deadlines) as data; the engine commits them in
the same transaction as the state change. Rules receive the policy pack version in force at the
time of the fact they judge: they get the whole book and pick the version in force at that fact
(an order's payment, say), or the version a deadline was scheduled under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from anxin.contract.events import Event
from anxin.domain.effects import Effect
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.policy.pack import PolicyBook, PolicyPack


@dataclass(frozen=True)
class DueDeadline:
    """A deadline that has fallen due, handed back to the rule that scheduled it."""

    deadline_id: str
    rule_id: str
    aggregate_key: str
    due_at: dt.datetime
    pack: str
    pack_version: str
    data: dict[str, Any] = field(default_factory=dict)


class OrderRule(Protocol):
    rule_id: ClassVar[str]
    # The engine calls on_event only for these types (a cheap dispatch on the hot path).
    event_types: ClassVar[tuple[type[Event], ...]]
    # For a carrier scan, only when the scan reads as one of these statuses (None: every scan).
    # Most scans are in transit, and settle nothing: the filter spares a call per rule.
    scan_statuses: ClassVar[frozenset[str] | None]

    def on_event(self, state: OrderState, event: Event, book: PolicyBook) -> list[Effect]: ...

    def on_deadline(
        self, state: OrderState, deadline: DueDeadline, book: PolicyBook
    ) -> list[Effect]: ...

    def settle(self, state: OrderState, book: PolicyBook) -> list[Effect]:
        """Called once per touched order at the end of each batch: set the order's clocks from
        its state then (cheaper than after every event, and independent of batch size)."""
        ...

    def rights(self, state: OrderState, book: PolicyBook, now: dt.datetime) -> list[Right]:
        """The rights this rule enforces for the order, with clocks, from facts alone."""
        ...


def config_at_payment(
    state: OrderState, book: PolicyBook, rule_id: str
) -> tuple[PolicyPack, Any] | None:
    """The pack in force when the order was paid (its promises were made then) and that pack's
    config for the rule; None when unpaid, no version was in force, or the rule is off."""
    paid_at = state.paid_at
    return None if paid_at is None else book.config_at(paid_at, rule_id)


def exemption(state: OrderState, pack: PolicyPack, at: dt.datetime) -> dict[str, str] | None:
    """Why a breach due at ``at`` pays nothing, if it does not (platform-rules.md §2.2): the
    platform exempted the order (consumer abuse, non-consumer purchase, stop-ship, force
    majeure), or the clock ran out in one of the pack's exemption periods."""
    if state.exemption is not None:
        return {"exemption": state.exemption.reason, "source": "order.exempted"}
    period = pack.calendar.exemption_at(at)
    if period is not None:
        return {"exemption": period.name or "calendar", "source": "pack calendar"}
    return None


_RULES: dict[str, OrderRule] = {}


def register_rule(rule: OrderRule) -> OrderRule:
    _RULES[rule.rule_id] = rule
    return rule


def order_rules() -> dict[str, OrderRule]:
    return dict(_RULES)
