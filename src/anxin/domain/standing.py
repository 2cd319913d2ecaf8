"""A merchant's standing for one privilege: its last daily grant and the measures in force.

Enforcement measures (``measures`` table: presale off, sales restricted, suspension …) withdraw
privileges while they are in force; the score's daily run grants or refuses them. Both are read
at the edges (the daily privilege run, the engine's ingest through its store port) and handed
to pure rules as these values. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import msgspec

from anxin.clock import from_us


class Measure(msgspec.Struct, frozen=True, gc=False):
    """An active measure on a merchant (lifted and reverted ones are never read)."""

    measure_id: str
    kind: str  # presale_off, sales_restricted, suspension, …
    starts_at_us: int
    ends_at_us: int | None = None  # None: until lifted

    def in_force_during(self, start_us: int, end_us: int) -> bool:
        """In force at some instant of [start_us, end_us): it starts before the span ends and
        ends (exclusive) after the span starts."""
        ends = self.ends_at_us
        return self.starts_at_us < end_us and (ends is None or start_us < ends)

    def in_force_at(self, at_us: int) -> bool:
        """In force at the instant: starts_at <= t and (no end or t < ends_at)."""
        return self.in_force_during(at_us, at_us + 1)

    def reason(self) -> dict[str, object]:
        """How a verdict names the measure that decided it."""
        ends = self.ends_at_us
        return {
            "measure_id": self.measure_id,
            "kind": self.kind,
            "starts_at": from_us(self.starts_at_us).isoformat(),
            "ends_at": None if ends is None else from_us(ends).isoformat(),
        }


def withdrawing(measures: Iterable[Measure], kinds: Collection[str]) -> list[Measure]:
    """The measures of the listed kinds, in a stable order (start, id)."""
    return sorted(
        (m for m in measures if m.kind in kinds), key=lambda m: (m.starts_at_us, m.measure_id)
    )


class Standing(msgspec.Struct, frozen=True, gc=False):
    """One merchant's standing for one privilege at one instant, as the store held it."""

    privilege: str
    granted: bool | None  # its ``merchant_privileges`` row; None: no row (never evaluated)
    since_day: str | None = None  # the row's day of its last flip
    measures: list[Measure] = []  # every active measure in force at that instant, any kind


class MerchantStanding(msgspec.Struct, frozen=True, gc=False):
    """What the store holds for one merchant and privilege over a span: the grant row and the
    active measures in force at some instant of the span (an order then picks its instant)."""

    merchant_id: str
    privilege: str
    granted: bool | None = None
    since_day: str | None = None
    measures: list[Measure] = []

    def at(self, at_us: int) -> Standing:
        return Standing(
            self.privilege,
            self.granted,
            self.since_day,
            [m for m in self.measures if m.in_force_at(at_us)],
        )
