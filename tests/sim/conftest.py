"""Helpers for the simulator tests: run a simulation in memory and read its two streams."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest

from anxin.sim import Governance, SimParams, simulate

Run = Callable[..., "Streams"]
# Every carrier's "signed for" code in the simulated traces.
SIGNED_CODES = frozenset({"80", "签收", "SIGNED", "401", "QS", "1800", "704", "OK", "DL"})


@dataclass
class Streams:
    events_raw: bytes
    truth_raw: bytes
    events: list[dict[str, Any]] = field(default_factory=list)
    truth: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.events = [msgspec.json.decode(x) for x in self.events_raw.splitlines()]
        self.truth = [msgspec.json.decode(x) for x in self.truth_raw.splitlines()]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def truth_of(self, kind: str) -> list[dict[str, Any]]:
        return [t for t in self.truth if t["kind"] == kind]

    def by_order(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in self.events:
            oid = e["payload"].get("order_id")
            if oid:
                out[oid].append(e)
        return out

    def scans(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for e in self.of_type("tracking.scanned"):
            p = e["payload"]
            out[p["carrier"], p["tracking_number"]].append(e)
        return out


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def run_sim(params: SimParams, governance: Governance | None = None, workers: int = 1) -> Streams:
    events, truth = io.BytesIO(), io.BytesIO()
    simulate(params, events, truth, governance, workers=workers)
    return Streams(events.getvalue(), truth.getvalue())


@pytest.fixture(scope="session")
def tiny() -> Streams:
    """The tiny preset, seeded, with one merchant forced to cheat so every path shows up."""
    from anxin.sim import preset

    cheat = {"false_ship_rate": 0.15, "fake_tracking_rate": 0.15, "fraud_ship_rate": 0.05}
    return run_sim(preset("tiny", seed=11, overrides={"M00001": cheat}))
