"""Read models kept until the store changes: the pages' heavy reads (the KPI facts over every
order, a shop's feedback against every category, an indicator's orders) are built once per
state of the store, not once per view.

A :class:`Kept` holds one value per *slot* (what was asked: a store, a shop's indicator …),
rebuilt when the slot's *stamp* (what the value depends on: the event log's last sequence, a
row count …) differs. A new value's objects are frozen out of the garbage collector (after a
collection, so nothing dead is frozen): a full collection walking ~100,000 kept rows cost a page
90–200 ms. Refcounts still free a value once it is replaced.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import sqlalchemy as sa

from anxin.store import schema as t

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, slots: int = 256, *, freeze: bool = True) -> None:
        self._slots = slots  # more slots asked than this: all are dropped (a rare reset)
        self._freeze = freeze  # large values: out of the collector's sight
        self._values: dict[Hashable, tuple[object, T]] = {}
        self._lock = threading.Lock()

    def get(self, slot: Hashable, stamp: object, build: Callable[[], T]) -> T:
        """The slot's value if it was built for ``stamp`` (the same object, or an equal one),
        else ``build()``'s, kept. The stamp is held with the value, so an object stamp stays
        alive (its id cannot be reused) while it is kept."""
        with self._lock:
            hit = self._values.get(slot)
        if hit is not None and (hit[0] is stamp or hit[0] == stamp):
            return hit[1]
        value = build()
        with self._lock:
            if slot not in self._values and len(self._values) >= self._slots:
                self._values.clear()
            self._values[slot] = (stamp, value)
        if self._freeze:
            gc.collect()
            gc.freeze()
        return value


def last_event(conn: sa.Connection) -> int:
    """The event log's last sequence number (0 when empty): it grows with every event."""
    last = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.events.c.seq), 0)))
    return int(last.scalar_one())
