"""Fire a rule's clocks the way ``Engine.tick`` does, for rule-level tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.domain.deadlines import DueDeadline
from anxin.domain.effects import CancelDeadline, Decision, Effect, ScheduleDeadline
from anxin.domain.order import Finding, OrderState
from anxin.policy.pack import PolicyBook


def as_due(d: ScheduleDeadline) -> DueDeadline:
    return DueDeadline(
        d.deadline_id, d.rule_id, d.aggregate_key, d.due_at, d.pack, d.pack_version, dict(d.data)
    )


def tick_all(
    rule: Any,
    state: OrderState,
    effects: list[Effect],
    book: PolicyBook,
    now: dt.datetime | None = None,
) -> list[Effect]:
    """``tick(now)``: fire every live clock in ``effects`` due by ``now`` (default: all; the
    latest schedule of each id wins, as in the store), then every clock those firings
    schedule, in due order; returns what they decided."""
    pending: dict[str, ScheduleDeadline] = {}
    for e in effects:
        if isinstance(e, ScheduleDeadline):
            pending[e.deadline_id] = e
        elif isinstance(e, CancelDeadline):
            pending.pop(e.deadline_id, None)
    out: list[Effect] = []
    for _ in range(50):
        live = sorted(
            (d for d in pending.values() if not d.idle and (now is None or d.due_at <= now)),
            key=lambda d: d.due_at,
        )
        if not live:
            return out
        first = live[0]
        del pending[first.deadline_id]
        for effect in rule.on_deadline(state, as_due(first), book):
            if isinstance(effect, ScheduleDeadline):
                pending[effect.deadline_id] = effect
                continue
            if isinstance(effect, Decision):
                state.record(Finding.of(effect))
            out.append(effect)
    raise AssertionError("clocks kept re-arming")
