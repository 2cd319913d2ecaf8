"""Clocks. The domain never reads the wall clock; the edge injects one of these."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A settable clock for tests, replays and simulations."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._at = at

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta


def to_us(t: dt.datetime) -> int:
    """Microseconds since the epoch (UTC): the store's timestamp representation."""
    if t.tzinfo is None:
        raise ValueError("naive datetime")
    delta = t - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
