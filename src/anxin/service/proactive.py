"""Pre-identification (issue 14): which orders will need help in the next hours, and when to
reach their consumer first (pure: an order's folded state, its ship-by and a model in; the
first contact instant out; no store, no wall clock).

Douyin's "pre-identification" (预识别) reaches the consumer before they ask: a parcel stalled,
a ship-by missed, a deadline close. anxin scores an order at each tick of the pack's schedule
(``rules.service_proactive``: every hour, in the sending hours) with a logistic model over the
order's facts as they stood at that tick, and contacts the consumer at the first tick whose
probability of a help request within ``horizon_hours`` reaches ``min_probability``.

Every feature is linear in time between two facts (a scan, the ship-by, a request ...), so the
model's log-odds are too: the first tick over the line is found per interval in closed form,
not by scoring every hour of every order. Facts later than a tick never reach its features, so
the same function gives the same answer on a state folded from the whole stream (the store)
and on one folded from the events known so far (the simulator's consumer deciding whether to
write).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import msgspec

from anxin.domain.order import OrderState

RULE_ID = "service_proactive"
DAY_S = 86_400.0
# The features, in the model's order; each is linear in time between two of the order's facts.
FEATURES: tuple[str, ...] = (
    "not_picked_up",  # no carrier scan showing it holds the parcel yet
    "days_to_ship_by",  # not picked up, before the ship-by: days left
    "days_overdue",  # not picked up, after the ship-by: days past it
    "days_picked_up_late",  # picked up after the ship-by: by how much
    "days_since_scan",  # picked up: days since its latest scan
    "days_in_transit",  # picked up: days since pickup
    "days_stalled",  # picked up: days since its latest scan beyond half a day
    "days_transit_over",  # picked up: days in transit beyond two
    "exception",  # the latest scan is an incident, a failed attempt or a return
    "aftersale_open",  # an after-sale request not yet resolved
    "presale",
    "promised_days",  # payment to ship-by
)
STALL_S = 12 * 3600  # a scan gap longer than this is a stall
TRANSIT_S = 2 * 86_400  # a domestic parcel is mostly there within two days
_TROUBLE = frozenset({"exception", "delivery_failed", "returning", "returned"})


class ProactiveSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The pack section ``rules.service_proactive``."""

    every_minutes: int = 60  # the scoring schedule (ticks on the local clock)
    send_hours: tuple[str, str] = ("08:00", "22:00")  # local [start, end): no message at night
    min_probability: float  # contact at the first tick at or over it
    horizon_hours: int = 24  # what the model predicts: a help request within this
    watch_days: int = 15  # after payment; later orders are the after-sales side's
    # What counts as a logistics help request (the model's label): a consumer's chat message on
    # the order with one of these words, or a complaint on one of these topics.
    help_words: tuple[str, ...] = ()
    help_topics: tuple[str, ...] = ("late_shipment", "not_received")

    def check(self, currency: str) -> None:
        del currency
        if not 0.0 < self.min_probability < 1.0:
            raise ValueError("min_probability must be between 0 and 1")
        if self.every_minutes < 1 or 1440 % self.every_minutes:
            raise ValueError("every_minutes must divide a day")
        start, end = (_minutes(x) for x in self.send_hours)
        if not 0 <= start < end <= 1440:
            raise ValueError(f"send_hours must be [start, end) within a day: {self.send_hours}")


SCHEMAS: dict[str, type[msgspec.Struct]] = {RULE_ID: ProactiveSettings}


class ProactiveModel(msgspec.Struct, frozen=True):
    """A logistic model over :data:`FEATURES` (trained by ``anxin service train-proactive``)."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    version: str = ""
    trained_on: dict[str, object] = {}

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURES or len(self.coef) != len(FEATURES):
            raise ValueError(f"model features {self.features} are not anxin's {FEATURES}")

    def probability(self, x: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.log_odds(x)))

    def log_odds(self, x: Sequence[float]) -> float:
        return self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))


@cache
def packaged_model() -> ProactiveModel:
    """The model shipped with anxin (``proactive_model.json``; how it was trained is in it)."""
    text = resources.files("anxin.service").joinpath("proactive_model.json").read_text("utf-8")
    return msgspec.convert(json.loads(text), ProactiveModel)


@dataclass(frozen=True, slots=True)
class Contact:
    """The tick at which the consumer is reached first, with what the model saw then."""

    order_id: str
    at: dt.datetime
    probability: float
    features: dict[str, float]


@dataclass(frozen=True, slots=True)
class Watched:
    """An order's dated facts, in epoch seconds (the hot path does integer arithmetic)."""

    paid: int
    due: int
    pickup: int | None
    scans: tuple[tuple[int, str], ...]  # (at, normalized status), sorted
    requests: tuple[tuple[int, int | None], ...]  # after-sales (requested, resolved)
    end: int  # delivered, cancelled or the end of the watch, whichever first
    presale: bool


def epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


def watched(state: OrderState, due: dt.datetime, watch_days: int) -> Watched | None:
    """The order's dated facts the features read (None: not paid)."""
    if state.paid_at is None:
        return None
    paid = epoch(state.paid_at)
    end = paid + watch_days * 86_400
    scans: list[tuple[int, str]] = []
    pickup: int | None = None
    for p in state.parcels:
        for s in p.scans:
            scans.append((epoch(s.at), s.status))
        got = p.pickup_at()
        if got is not None and (pickup is None or epoch(got) < pickup):
            pickup = epoch(got)
        if (d := p.delivered_at()) is not None:
            end = min(end, epoch(d))
    if state.cancelled_at is not None:
        end = min(end, epoch(state.cancelled_at))
    scans.sort()
    requests = tuple(
        (epoch(a.requested_at), None if a.resolved_at is None else epoch(a.resolved_at))
        for a in state.aftersales
    )
    return Watched(paid, epoch(due), pickup, tuple(scans), requests, end,
                  state.presale_ship_by is not None)  # fmt: skip


def features(f: Watched, t: int) -> tuple[list[float], list[float]]:
    """The features at ``t`` and their rate of change per second until the next fact."""
    x = [0.0] * len(FEATURES)
    dx = [0.0] * len(FEATURES)
    picked = f.pickup is not None and f.pickup <= t
    if not picked:
        x[0] = 1.0
        if t < f.due:
            x[1], dx[1] = (f.due - t) / DAY_S, -1.0 / DAY_S
        else:
            x[2], dx[2] = (t - f.due) / DAY_S, 1.0 / DAY_S
    else:
        assert f.pickup is not None
        x[3] = max(0, f.pickup - f.due) / DAY_S
        last = max(s for s, _ in f.scans if s <= t)
        x[4], dx[4] = (t - last) / DAY_S, 1.0 / DAY_S
        x[5], dx[5] = (t - f.pickup) / DAY_S, 1.0 / DAY_S
        if t - last >= STALL_S:
            x[6], dx[6] = (t - last - STALL_S) / DAY_S, 1.0 / DAY_S
        if t - f.pickup >= TRANSIT_S:
            x[7], dx[7] = (t - f.pickup - TRANSIT_S) / DAY_S, 1.0 / DAY_S
    status = next((st for s, st in reversed(f.scans) if s <= t), "")
    x[8] = 1.0 if status in _TROUBLE else 0.0
    x[9] = 1.0 if any(r <= t and (z is None or z > t) for r, z in f.requests) else 0.0
    x[10] = 1.0 if f.presale else 0.0
    x[11] = (f.due - f.paid) / DAY_S
    return x, dx


def features_at(state: OrderState, due: dt.datetime, t: dt.datetime) -> dict[str, float] | None:
    """The model's inputs at ``t`` (None: the order is not watched then)."""
    f = watched(state, due, 10_000)
    if f is None or not f.paid <= epoch(t) < f.end:
        return None
    return dict(zip(FEATURES, features(f, epoch(t))[0], strict=True))


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class _Ticks:
    """The schedule's instants on the local clock, inside the sending hours."""

    def __init__(self, settings: ProactiveSettings, zone: dt.tzinfo) -> None:
        self.step = settings.every_minutes * 60
        self.start, self.end = (_minutes(x) * 60 for x in settings.send_hours)
        self.zone = zone

    def first_at_or_after(self, t: int) -> int:
        gap = dt.datetime.fromtimestamp(t, self.zone).utcoffset() or dt.timedelta()
        offset = int(gap.total_seconds())
        local = t + offset
        midnight = local - local % 86_400
        into = local - midnight
        tick = -(-into // self.step) * self.step  # ceil to the schedule
        if tick < self.start:
            tick = self.start
        elif tick >= self.end:
            tick = 86_400 + self.start
        return midnight + tick - offset


def first_contact(
    state: OrderState,
    due: dt.datetime,
    model: ProactiveModel,
    settings: ProactiveSettings,
    zone: dt.tzinfo | str,
    until: dt.datetime | None = None,
) -> Contact | None:
    """The first tick (before ``until``, when given) at which the order's probability of a help
    request reaches the line, or None."""
    f = watched(state, due, settings.watch_days)
    if f is None:
        return None
    ticks = _Ticks(settings, ZoneInfo(zone) if isinstance(zone, str) else zone)
    line = math.log(settings.min_probability / (1.0 - settings.min_probability))
    stop = f.end if until is None else min(f.end, epoch(until))
    cuts = {f.paid, f.due, stop, *(s for s, _ in f.scans), *(s + STALL_S for s, _ in f.scans)}
    if f.pickup is not None:
        cuts.update((f.pickup, f.pickup + TRANSIT_S))
    for requested, resolved in f.requests:
        cuts.add(requested)
        if resolved is not None:
            cuts.add(resolved)
    edges = sorted(c for c in cuts if f.paid <= c <= stop)
    for a, b in itertools.pairwise(edges):
        x, dx = features(f, a)
        z0 = model.log_odds(x)
        slope = sum(c * d for c, d in zip(model.coef, dx, strict=True))  # per second
        tick = ticks.first_at_or_after(a)
        if slope > 0 and z0 < line:
            tick = ticks.first_at_or_after(a + math.ceil((line - z0) / slope))
        if tick >= b:
            continue
        z = z0 + slope * (tick - a)
        if z >= line - 1e-12:
            xs = [v + d * (tick - a) for v, d in zip(x, dx, strict=True)]
            when = dt.datetime.fromtimestamp(tick, dt.UTC)
            return Contact(state.order_id, when, 1.0 / (1.0 + math.exp(-z)),
                           dict(zip(FEATURES, (round(v, 4) for v in xs), strict=True)))  # fmt: skip
    return None
