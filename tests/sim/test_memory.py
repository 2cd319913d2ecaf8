"""Memory stays bounded: the simulator keeps its tables and caches, never past orders."""

from __future__ import annotations

import dataclasses
import tracemalloc
from collections.abc import Sized

from anxin.sim import preset
from anxin.sim.geo import route
from anxin.sim.shard import CHUNK_EVENTS, Shard


def retained_after(days: int) -> tuple[int, int, Shard]:
    """(orders placed, bytes the shard still holds once its stream was consumed and its
    bounded caches emptied, the shard)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        shard = Shard(preset("tiny", seed=2, days=days, merchants=8))
        orders = 0
        for events, truth, placed in shard.chunks():
            orders += placed
            assert len(events) < CHUNK_EVENTS + 2_000  # a chunk is about one merchant-day
            del events, truth
        caches = shard.ctx.caches()
        assert all(len(c) <= 10_000 for c in caches)  # bounded by geography and price lists
        for c in caches:
            c.clear()
        route.cache_clear()  # the module's memo of hub paths between cities
        return orders, tracemalloc.get_traced_memory()[0] - base, shard
    finally:
        tracemalloc.stop()


def test_state_does_not_grow_with_days() -> None:
    retained_after(2)  # warm module-level caches (route table, policy pack) first
    short_orders, short_bytes, _ = retained_after(7)
    long_orders, long_bytes, shard = retained_after(28)
    assert long_orders > 3.5 * short_orders
    # Keeping each order's events (kilobytes apiece) would add megabytes; the slack covers
    # CPython's free lists, which hold on to some small tuples after they die.
    assert long_bytes < short_bytes + 256 * 1024, (short_bytes, long_bytes)
    containers: list[Sized] = [shard.merchants, shard.by_id]
    for m in shard.merchants:
        containers += [
            v for f in dataclasses.fields(m) if isinstance(v := getattr(m, f.name), Sized)
        ]
    assert max(len(c) for c in containers) < 100
