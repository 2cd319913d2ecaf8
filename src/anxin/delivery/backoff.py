"""Retry schedule: exponential backoff with full jitter, as a pure function.

Retry ``n`` (after the ``n``-th failed attempt) waits a uniform draw in
``[min_delay, cap(n)]`` with ``cap(n) = min(max_delay, first_delay * factor**(n-1))`` (full
jitter: concurrent retries spread out instead of arriving together). The last retry also waits
until ``min_window`` after the first attempt, so a receiver down for less than that window
never loses a message to bad luck in the draws. Randomness is passed in (``rand`` in [0, 1)).

Defaults (8 attempts over about a day): caps 30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min,
12 h; the 8th attempt no earlier than 24 h after the first.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

SECOND_US = 1_000_000


class RetrySchedule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    max_attempts: int = 8  # attempts in all, the first included
    first_delay_s: float = 30.0
    factor: float = 4.0
    max_delay_s: float = 12 * 3600.0
    min_delay_s: float = 1.0  # a retry is never immediate (and never due in the same run)
    min_window_s: float = 24 * 3600.0  # the last attempt is at least this after the first

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.factor < 1 or self.first_delay_s <= 0 or self.min_delay_s < 0:
            raise ValueError("factor must be >= 1, first_delay_s > 0, min_delay_s >= 0")
        if self.max_delay_s < self.first_delay_s or self.min_window_s < 0:
            raise ValueError("max_delay_s must be >= first_delay_s, min_window_s >= 0")


class DeliveryConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How the dispatcher works; every field has a documented default (ADR 0009)."""

    retry: RetrySchedule = RetrySchedule()
    lease_s: float = 120.0  # a claim expires after this (a killed dispatcher's rows come back)
    batch: int = 500  # deliveries claimed per round
    workers: int = 8  # concurrent HTTP requests (one per partition head, so order holds)
    timeout_s: float = 10.0  # per request; must stay well under lease_s

    def __post_init__(self) -> None:
        if self.batch < 1 or self.workers < 1 or self.timeout_s <= 0:
            raise ValueError("batch and workers must be >= 1, timeout_s > 0")
        if self.lease_s <= self.timeout_s:
            raise ValueError("lease_s must exceed timeout_s (a live claim must not expire)")


def load_config(path: Path | None) -> DeliveryConfig:
    """The defaults, or a YAML file overriding some of them."""
    if path is None:
        return DeliveryConfig()
    return msgspec.yaml.decode(path.read_bytes(), type=DeliveryConfig)


def cap_us(schedule: RetrySchedule, retry: int) -> int:
    """The longest wait before retry ``retry`` (1-based), in microseconds."""
    if retry < 1:
        raise ValueError("retries count from 1")
    # Clamp the exponent first: factor**n overflows floats long before the cap matters.
    exponent = min(retry - 1, 64)
    delay = min(schedule.max_delay_s, schedule.first_delay_s * schedule.factor**exponent)
    return max(int(delay * SECOND_US), int(schedule.min_delay_s * SECOND_US))


def retry_delay_us(
    schedule: RetrySchedule, attempts: int, elapsed_us: int, rand: float
) -> int | None:
    """The wait before the next attempt after ``attempts`` failed ones, ``elapsed_us`` after
    the first; None when that was the last attempt (the delivery is failed)."""
    if attempts >= schedule.max_attempts:
        return None
    if not 0.0 <= rand < 1.0:
        raise ValueError("rand must be in [0, 1)")
    floor = int(schedule.min_delay_s * SECOND_US)
    cap = cap_us(schedule, attempts)
    delay = floor + int(rand * (cap - floor))
    if attempts == schedule.max_attempts - 1:  # the last retry: not before the window closes
        delay = max(delay, int(schedule.min_window_s * SECOND_US) - elapsed_us)
    return delay
