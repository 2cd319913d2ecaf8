"""A parcel's raw carrier scans: pickup → hub arrivals/departures → out for delivery → signed,
with stalls (silent gaps), losses (scans stop), damage, failed attempts and returns.

Texts are rendered once per (stage, place) and cached, so the hot path only concatenates ids
and builds msgspec structs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anxin.contract.events import Event, TrackingScanned, TrackingScanPayload
from anxin.sim.carriers import (
    ARRIVE,
    CUSTOMS,
    DAMAGE,
    DEPART,
    FAILED,
    LANE_HOURS,
    OUT,
    PICKUP,
    REMOTE_STALL_FACTOR,
    RETURN,
    RETURN_SIGNED,
    SIGNED,
    STALL,
    STALL_HOURS_MEDIAN,
    CarrierSpec,
)
from anxin.sim.geo import REMOTE_LANE
from anxin.sim.timeline import HOUR, OFFSET, at, local_hour

_DAY = 86_400
_SEQ = tuple(str(i) for i in range(100))  # scan sequence numbers as strings, for ids


@dataclass(slots=True)
class Parcel:
    """What happened to one parcel (the ground truth behind its scans)."""

    carrier: str
    tracking_number: str
    lane: int
    first_scan: int
    last_scan: int = 0
    delivered: int | None = None  # signed by the consumer
    lost: bool = False
    damaged: bool = False
    returned: bool = False
    failed_attempts: int = 0
    stalled_hours: int = 0


class Tracker:
    """Builds one carrier's scan events."""

    def __init__(self, spec: CarrierSpec, source: str) -> None:
        self.spec = spec
        self.name = spec.name
        self.source = source
        voc = spec.vocabulary
        self.codes = voc.codes
        self._texts = voc.texts
        self._hub = voc.hub
        self._couriers = voc.couriers
        self._signers = voc.signers
        self._stall_reasons = voc.stall_reasons
        self._return_reasons = voc.return_reasons
        self._cache: dict[tuple[int, str, str], str] = {}
        self._routes: dict[tuple[str, ...], tuple[tuple[str, str, str], ...]] = {}
        self._people: dict[tuple[int, str], tuple[str, ...]] = {}

    def caches(self) -> list[dict[Any, Any]]:
        return [self._cache, self._routes, self._people]

    def hub(self, city: str) -> str:
        return self._hub.format(city=city)

    def text(self, stage: int, a: str = "", b: str = "") -> str:
        """The stage's text for place ``a`` (and next hub or person ``b``), cached."""
        key = (stage, a, b)
        hit = self._cache.get(key)
        if hit is None:
            hub, nxt = self.hub(a), self.hub(b) if stage == DEPART else b
            hit = self._texts[stage].format(
                city=a, hub=hub, next=nxt, courier=b, signer=b, reason=b
            )
            self._cache[key] = hit
        return hit

    def _hubs(self, hubs: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
        """Per hub: (city, arrival text, departure text to the next hub), cached per route."""
        got = self._routes.get(hubs)
        if got is None:
            nxt = (*hubs[1:], "")
            got = tuple(
                (c, self.text(ARRIVE, c), self.text(DEPART, c, b) if b else "")
                for c, b in zip(hubs, nxt, strict=True)
            )
            self._routes[hubs] = got
        return got

    def _personal(self, stage: int, city: str, people: tuple[str, ...]) -> tuple[str, ...]:
        """The stage's texts in ``city`` for each courier or signer, cached."""
        key = (stage, city)
        got = self._people.get(key)
        if got is None:
            got = self._people[key] = tuple(self.text(stage, city, p) for p in people)
        return got

    def trace(
        self,
        rng: random.Random,
        tn: str,
        lane: int,
        hubs: tuple[str, ...],
        pickup: int,
        out: list[Event],
        *,
        customs_hub: int = -1,
    ) -> Parcel:
        """Append the parcel's scans (in time order) to ``out`` and return its outcome.

        ``hubs`` are places in order (the first is the pickup city, the last the delivery
        city); ``customs_hub`` is the index of the hub where an import clears customs.
        """
        # The hot path of the simulator: locals only, structs built in place.
        spec, codes, rand = self.spec, self.codes, rng.random
        name, source = self.name, self.source
        append, scanned, payload, stamp = out.append, TrackingScanned, TrackingScanPayload, at
        prefix = f"{name}:{tn}:"
        seq = 0

        def emit(ts: int, stage: int, place: str, txt: str) -> None:
            nonlocal seq
            seq += 1
            append(
                scanned(
                    id=prefix + _SEQ[seq],
                    occurred_at=stamp(ts),
                    source=source,
                    payload=payload(name, tn, codes[stage], txt, place),
                )
            )

        parcel = Parcel(name, tn, lane, pickup)
        remote = lane == REMOTE_LANE
        hours = LANE_HOURS[lane] * spec.speed * math.exp(rng.gauss(0.0, 0.25))
        if remote:
            hours *= spec.remote_speed
        route = self._hubs(hubs)
        n = len(route)
        leg = hours * 0.55 * HOUR / max(1, n - 1)
        who = int(rand() * len(self._couriers))
        stall_rate = spec.stall_rate * (REMOTE_STALL_FACTOR if remote else 1.0)
        stall_at = int(rand() * max(1, n - 1)) if rand() < stall_rate else -1
        lost_at = int(rand() * n) if rand() < spec.loss_rate else -1
        damage_at = int(rand() * n) if rand() < spec.damage_rate else -1
        incident = max(stall_at, lost_at, damage_at, customs_hub) >= 0
        arrive_code, depart_code = codes[ARRIVE], codes[DEPART]

        origin = hubs[0]
        emit(pickup, PICKUP, origin, self._personal(PICKUP, origin, self._couriers)[who])
        t = pickup + int((1.0 + 3.0 * rand()) * HOUR)
        last = n - 1
        for i, (city, arrive_text, depart_text) in enumerate(route):
            seq += 1
            append(
                scanned(
                    id=prefix + _SEQ[seq],
                    occurred_at=stamp(t),
                    source=source,
                    payload=payload(name, tn, arrive_code, arrive_text, city),
                )
            )
            if incident:
                if i == damage_at:
                    t += int((0.2 + rand()) * HOUR)
                    emit(t, DAMAGE, city, self.text(DAMAGE, city))
                    parcel.damaged = True
                if i == customs_hub:
                    t += int((2.0 + 18.0 * rand()) * HOUR)
                    emit(t, CUSTOMS, city, self.text(CUSTOMS, city))
                if i == lost_at:
                    parcel.lost = True
                    parcel.last_scan = t
                    return parcel
                if i == stall_at and i != last:
                    gap = STALL_HOURS_MEDIAN * math.exp(rng.gauss(0.0, 0.5))
                    if rand() < 0.3:  # some carriers log the stall; most parcels just go quiet
                        t += int((0.5 + rand()) * HOUR)
                        why = self._stall_reasons[int(rand() * len(self._stall_reasons))]
                        emit(t, STALL, city, self.text(STALL, city, why))
                    t += int(gap * HOUR)
                    parcel.stalled_hours = round(gap)
            if i == last:
                break
            t += int((0.5 + 2.5 * rand()) * HOUR)
            seq += 1
            append(
                scanned(
                    id=prefix + _SEQ[seq],
                    occurred_at=stamp(t),
                    source=source,
                    payload=payload(name, tn, depart_code, depart_text, city),
                )
            )
            t += int(leg * (0.7 + 0.6 * rand()))

        dest = hubs[-1]
        out_text = self._personal(OUT, dest, self._couriers)[who]
        t = _delivery_slot(t + int((1.0 + 2.0 * rand()) * HOUR), rand)
        emit(t, OUT, dest, out_text)
        if rand() < spec.failed_rate:
            parcel.failed_attempts = 1
            t += int((1.0 + 3.0 * rand()) * HOUR)
            emit(t, FAILED, dest, self.text(FAILED, dest))
            if rand() < 0.75:  # tried again the next morning
                t = _delivery_slot(t + 16 * HOUR, rand)
                emit(t, OUT, dest, out_text)
            else:
                return self._send_back(rng, parcel, t, dest, hours, emit)
        elif rand() < spec.return_rate:
            return self._send_back(rng, parcel, t, dest, hours, emit)
        t += int((0.5 + 4.5 * rand()) * HOUR)
        signed = self._personal(SIGNED, dest, self._signers)
        emit(t, SIGNED, dest, signed[int(rand() * len(signed))])
        parcel.delivered = parcel.last_scan = t
        return parcel

    def _send_back(
        self,
        rng: random.Random,
        parcel: Parcel,
        t: int,
        dest: str,
        hours: float,
        emit: Callable[[int, int, str, str], None],
    ) -> Parcel:
        rand = rng.random
        reason = self._return_reasons[int(rand() * len(self._return_reasons))]
        t += int((1.0 + 5.0 * rand()) * HOUR)
        emit(t, RETURN, dest, self.text(RETURN, dest, reason))
        t += int(hours * (0.8 + 0.4 * rand()) * HOUR)
        emit(t, RETURN_SIGNED, dest, self.text(RETURN_SIGNED, dest))
        parcel.returned = True
        parcel.last_scan = t
        return parcel


def _delivery_slot(ts: int, rand: Callable[[], float]) -> int:
    """Couriers go out between 07:00 and 19:00: later arrivals wait for the next morning."""
    hour = local_hour(ts)
    if 7 <= hour < 19:
        return ts
    day = (ts + OFFSET) // _DAY + (1 if hour >= 19 else 0)
    return day * _DAY - OFFSET + int((7.5 + 2.5 * rand()) * HOUR)
