"""Which ship-by promise binds an order, and when it falls due.

Every promise shown to the consumer is kept with its source; the shortest (the one most
favourable to the consumer) binds. A presale date is a promise too. With no promise at all the
pack's default applies (Douyin: by 23:59:59 the day after payment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from anxin.contract.events import Promise
from anxin.domain.calendar import BusinessCalendar


@dataclass(frozen=True, slots=True)
class BindingPromise:
    due_at: dt.datetime
    source: str  # listing, live_stream, chat, presale, default ...
    promised_hours: float  # payment -> due, for tiers keyed on the promised ship time


def promise_due(
    promise: Promise, paid_at: dt.datetime, calendar: BusinessCalendar, same_day_cutoff: dt.time
) -> dt.datetime:
    """The instant by which ``promise`` must be kept (inclusive)."""
    if promise.by is not None:
        return calendar.local(promise.by)
    if promise.within_hours is not None:
        return calendar.add_hours(paid_at, promise.within_hours)
    if promise.named == "same_day":
        before_cutoff = calendar.local(paid_at).time() < same_day_cutoff
        return calendar.end_of_day(paid_at, 0 if before_cutoff else 1)
    if promise.named == "next_day":
        return calendar.end_of_day(paid_at, 1)
    raise ValueError(f"promise without a due time: {promise!r}")


def binding_ship_promise(
    promises: list[Promise],
    paid_at: dt.datetime,
    calendar: BusinessCalendar,
    *,
    presale_ship_by: dt.datetime | None = None,
    default: Promise,
    same_day_cutoff: dt.time,
) -> BindingPromise:
    """The binding ship-by promise: the earliest due of all ship promises (default if none)."""
    candidates: list[tuple[dt.datetime, str]] = [
        (promise_due(p, paid_at, calendar, same_day_cutoff), p.source)
        for p in promises
        if p.kind == "ship"
    ]
    if presale_ship_by is not None:
        candidates.append((calendar.local(presale_ship_by), "presale"))
    if not candidates:
        candidates.append((promise_due(default, paid_at, calendar, same_day_cutoff), "default"))
    due_at, source = min(candidates, key=lambda c: (c[0], c[1]))
    hours = (due_at - paid_at).total_seconds() / 3600
    return BindingPromise(due_at, source, hours)
