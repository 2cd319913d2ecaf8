"""The rule hook: how a capability's order rules plug into the engine.

A rule is a pure object. The engine calls ``on_event`` after folding each order event into the
state, and ``on_deadline`` when a deadline the rule scheduled falls due. Both return effects
(decisions, ledger transactions, outbox messages, deadlines) as data; the engine commits them in
the same transaction as the state change. Rules receive the policy pack version in force at the
time of the fact they judge: they get the whole book and pick the version in force at that fact
(an order's payment, say), or the version a deadline was scheduled under.

Which rules run is decided by the composition root (``anxin.application``), never by imports.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Protocol

from anxin.contract.events import Event
from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import Effect
from anxin.domain.order import OrderState
from anxin.domain.rights import Right
from anxin.policy.pack import PolicyBook


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
