"""What every guarantee rule shares: the pack in force at payment, and exemptions.

The rule interface itself is the engine's (``anxin.engine.rule.OrderRule``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from anxin.domain.order import OrderState
from anxin.policy.pack import PolicyBook, PolicyPack


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
