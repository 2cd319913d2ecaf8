"""The shapes tracking data takes: a carrier's raw scan, a parse result, a normalized event and
a parcel's summary. Every timestamp is timezone-aware and keeps the offset it was read with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from anxin.tracking.vocabulary import Fault, Reason, Status


class Kind(StrEnum):
    """What a carrier response turned out to be."""

    ok = "ok"
    error = "error"  # an error response, or a payload anxin cannot read
    not_found = "not_found"  # the carrier does not know the tracking number
    auth_error = "auth_error"  # the caller's credentials were refused


@dataclass(frozen=True, slots=True)
class RawScan:
    """One carrier event as the carrier wrote it (code and text untouched)."""

    carrier: str
    tracking_number: str
    at: dt.datetime
    code: str = ""
    text: str = ""
    location: str = ""
    scheme: str = ""  # whose code list ``code`` belongs to, when not the carrier's own (kuaidi100)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"scan time {self.at.isoformat()} has no UTC offset")


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Scans read from one payload (possibly several parcels), or why there are none."""

    kind: Kind
    carrier: str | None
    scans: tuple[RawScan, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def tracking_numbers(self) -> tuple[str, ...]:
        """Distinct tracking numbers in order of first appearance."""
        return tuple(dict.fromkeys(s.tracking_number for s in self.scans))


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    at: dt.datetime
    status: Status
    reason: Reason | None
    fault: Fault | None
    location: str
    code: str
    text: str
    carrier: str


@dataclass(frozen=True, slots=True)
class TrackingSummary:
    status: Status  # overall: see ``anxin.tracking.normalize.summarize``
    reason: Reason | None  # the reason carried by the event that set ``status``
    has_left: bool  # the carrier has had the parcel (pickup or any later movement)
    has_arrived: bool  # delivered at least once
    first_pickup_at: dt.datetime | None
    first_hub_at: dt.datetime | None
    last_event_at: dt.datetime | None
    events: tuple[TrackingEvent, ...] = field(default=())
