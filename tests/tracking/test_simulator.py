"""End to end against the simulator's ground truth: every simulated parcel's scans, normalized
and summarized, must tell what really happened (delivered, returned, lost, damaged, failed)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from anxin.sim import carriers as sim
from anxin.sim import geo, timeline, tracking
from anxin.tracking import RawScan, Reason, Status, normalize, summarize

PICKUP = 1_790_000_000  # 2026-09-21, epoch seconds


@pytest.mark.parametrize("carrier", sorted(sim.CARRIERS))
def test_simulated_parcels_summarize_to_the_truth(carrier: str) -> None:
    rng = random.Random(f"tracking-{carrier}")
    cities = [c for p in geo.PROVINCES for c in p.cities]
    tracker = tracking.Tracker(sim.CARRIERS[carrier], "sim")
    seen = {"delivered": 0, "returned": 0, "lost": 0, "damaged": 0, "failed": 0}
    for n in range(600):
        lane, hubs = geo.route(rng.choice(cities), rng.choice(cities))
        out: list[Any] = []
        parcel = tracker.trace(rng, f"T{n}", lane, hubs, PICKUP + n * 60, out)
        scans = [
            RawScan(e.payload.carrier, e.payload.tracking_number, e.occurred_at, e.payload.code,
                    e.payload.text, e.payload.location)
            for e in out
        ]  # fmt: skip
        events = [normalize(s) for s in scans]
        s = summarize(events)
        assert all(e.status is not Status.unknown for e in events), scans
        assert s.has_left
        assert s.first_pickup_at == timeline.at(parcel.first_scan)
        assert s.first_hub_at is not None
        assert s.has_arrived == (parcel.delivered is not None)
        if parcel.delivered is not None:
            seen["delivered"] += 1
            assert s.status is Status.delivered
            assert s.last_event_at == timeline.at(parcel.delivered)
        if parcel.returned:
            seen["returned"] += 1
            assert s.status is Status.returned
        if parcel.lost:
            seen["lost"] += 1
            assert s.status not in (Status.delivered, Status.returned)
        if parcel.damaged:
            seen["damaged"] += 1
            assert any(e.reason is Reason.damaged for e in events)
        if parcel.failed_attempts:
            seen["failed"] += 1
            assert any(e.status is Status.delivery_failed for e in events)
    assert seen["delivered"] > 500
