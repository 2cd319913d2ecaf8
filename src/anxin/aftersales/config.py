"""The after-sales pack section ``rules.aftersales``: which flows a marketplace offers and the
clocks that drive them.

Every number (hours, working days, night windows) comes from the pack; this module only says
their shape and refuses combinations the state machine (``flows``) could not honour.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from anxin.domain.calendar import BusinessCalendar, TimeWindow

RULE_ID = "aftersales"

Flow = Literal[
    "refund_before_shipment",  # refund only, nothing shipped yet
    "refund_after_shipment",  # refund only, shipped: not received, or a quality problem
    "return_refund",  # the goods come back, then the money
    "exchange",  # the goods come back, another one goes out
    "arbitration",  # the platform steps in and decides
]
TimerName = Literal[
    "merchant_response", "consumer_ships_return", "return_confirmation", "escalation_window"
]
#: What a merchant's silence means when its clock runs out.
MerchantTimeout = Literal["approve", "escalate"]

_Count = Annotated[int, msgspec.Meta(ge=1, le=24 * 366)]


class Span(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A clock's length: elapsed ``hours`` or ``working_days`` on the pack's calendar (one)."""

    hours: _Count | None = None
    working_days: _Count | None = None

    def check(self, where: str) -> None:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError(f"{where}: give exactly one of hours or working_days")

    def due(self, calendar: BusinessCalendar, start: dt.datetime) -> dt.datetime:
        """The inclusive deadline: an act at exactly this instant is on time."""
        if self.hours is not None:
            return calendar.add_hours(start, self.hours)
        assert self.working_days is not None  # check() ran when the pack was loaded
        return calendar.add_working_days(start, self.working_days)


class MerchantClock(Span, frozen=True):
    """A clock the merchant must beat; ``on_timeout`` is what the pack does when it does not."""

    # Required: what silence means is policy, never a code default.
    on_timeout: MerchantTimeout


class NightWindow(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A clock that would start inside [start, end) starts at ``resume_at`` instead."""

    start: str
    end: str
    resume_at: str
    applies_to: list[TimerName]

    def window(self) -> TimeWindow:
        return TimeWindow(_clock(self.start), _clock(self.end))

    def resume(self) -> dt.time:
        return _clock(self.resume_at)


class AftersalesConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The pack section ``rules.aftersales``."""

    flows: list[Flow]
    # The merchant answers a refund or return request (silence: the pack's on_timeout).
    merchant_response: MerchantClock
    # The consumer hands the return to a carrier after the merchant agreed (else it closes).
    consumer_ships_return: Span
    # The merchant confirms a return it received (silence: the pack's on_timeout).
    return_confirmation: MerchantClock
    # The consumer may escalate to the platform after a refusal (else the refusal stands).
    escalation_window: Span
    night_window: NightWindow | None = None

    def check(self, currency: str) -> None:
        del currency  # no amounts in this section
        if not self.flows or len(set(self.flows)) != len(self.flows):
            raise ValueError("flows must name each flow at most once, and at least one")
        self.merchant_response.check("merchant_response")
        self.consumer_ships_return.check("consumer_ships_return")
        self.return_confirmation.check("return_confirmation")
        self.escalation_window.check("escalation_window")
        for name, clock in (
            ("merchant_response", self.merchant_response),
            ("return_confirmation", self.return_confirmation),
        ):
            if clock.on_timeout == "escalate" and "arbitration" not in self.flows:
                raise ValueError(f"{name}.on_timeout escalate needs the arbitration flow")
        if self.night_window is not None:
            night = self.night_window
            for what in ("start", "end", "resume_at"):
                _clock(getattr(night, what), f"night_window.{what}")
            if night.window().contains(night.resume()):
                raise ValueError("night_window.resume_at must lie outside the window")

    def span(self, timer: TimerName) -> Span:
        return {
            "merchant_response": self.merchant_response,
            "consumer_ships_return": self.consumer_ships_return,
            "return_confirmation": self.return_confirmation,
            "escalation_window": self.escalation_window,
        }[timer]

    def deadline(
        self, timer: TimerName, calendar: BusinessCalendar, start: dt.datetime
    ) -> dt.datetime:
        """When ``timer``, started by a fact at ``start``, runs out (night window applied)."""
        night = self.night_window
        if night is not None and timer in night.applies_to:
            start = calendar.shift_start(start, night.window(), night.resume())
        return self.span(timer).due(calendar, start)


def _clock(value: str, what: str = "time") -> dt.time:
    try:
        parsed = dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a time of day (HH:MM)") from None
    if parsed.tzinfo is not None:
        raise ValueError(f"{what}: a local time of day carries no offset")
    return parsed


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: AftersalesConfig}
