"""The dispatcher: sequence new outbox rows, claim due partition heads, send, record.

At least once: a delivery is marked only after its HTTP answer, so a crash in between sends it
again (same ``webhook-id``: receivers dedupe). Per-partition order: only the earliest pending
delivery of an (endpoint, aggregate) is ever claimed, so a batch holds at most one message per
partition and its requests may run in parallel. ``run_once(now)`` delivers everything due at
``now`` and returns (``anxin outbox deliver --until-empty``); ``run_forever`` loops it, for a
background thread in ``anxin serve``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

import msgspec
import sqlalchemy as sa

from anxin.clock import Clock, to_us
from anxin.delivery import store
from anxin.delivery.backoff import SECOND_US, DeliveryConfig, retry_delay_us
from anxin.delivery.sender import Sent

log = logging.getLogger(__name__)


class Sender(Protocol):
    def submit(
        self, batch: Sequence[store.Claimed], deadline: float | None = None
    ) -> Future[list[Sent]]:
        """Start sending; the future gives one result per delivery, in order. ``deadline``
        (``time.monotonic()``): start no request after it (``Sent.attempted`` False)."""
        ...


@dataclass
class _InFlight:
    token: str
    at_us: int
    batch: list[store.Claimed]
    sent: Future[list[Sent]]


class DispatchReport(msgspec.Struct):
    sequenced: int = 0  # new outbox rows given a sequence (and fanned out)
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost_leases: int = 0  # outcomes dropped: the lease expired and another dispatcher took over
    released: int = 0  # claimed but not sent before the lease ran short: claimable again
    rounds: int = 0


def outcome(
    config: DeliveryConfig, c: store.Claimed, sent: Sent, at_us: int, rand: float
) -> store.Outcome:
    """Pure: the row's next state after one attempt at ``at_us``."""
    first = c.first_attempt_at_us if c.first_attempt_at_us is not None else at_us
    if sent.ok:
        return store.Outcome(c.message_id, c.endpoint_id, at_us, first, True, None, None)
    delay = retry_delay_us(config.retry, c.attempts + 1, at_us - first, rand)
    next_at = None if delay is None else at_us + delay
    return store.Outcome(c.message_id, c.endpoint_id, at_us, first, False, next_at, sent.error)


class Dispatcher:
    def __init__(
        self,
        sql: sa.Engine,
        sender: Sender,
        clock: Clock,
        config: DeliveryConfig | None = None,
        rand: Callable[[], float] | None = None,
    ) -> None:
        self.sql = sql
        self.sender = sender
        self.clock = clock
        self.config = config or DeliveryConfig()
        self.rand = rand or random.Random().random

    def run_once(self, now: dt.datetime | None = None) -> DispatchReport:
        """Deliver everything due at ``now`` (default: the clock), retries scheduled for later
        left for later; returns what happened."""
        cutoff = to_us(now or self.clock.now())
        lease = int(self.config.lease_s * SECOND_US)
        report = DispatchReport()
        # Pipelined: the next chunk of new outbox rows is sequenced, and the next half batch
        # claimed (and started), while the previous half is in flight. Order holds: an
        # in-flight row is still pending, so its partition's later messages (sequenced after
        # it, whenever) are not partition heads, and no claim takes them until it is recorded.
        # At most ``batch`` rows are claimed and unrecorded at once, as without pipelining: a
        # crash re-sends no more than that.
        half = max(1, self.config.batch // 2)
        in_flight: _InFlight | None = None
        unsequenced = True
        while True:
            if unsequenced:
                done = store.advance_chunk(self.sql, cutoff)
                report.sequenced += done
                unsequenced = done == store.ADVANCE_CHUNK
            if in_flight is not None and len(in_flight.batch) + half > self.config.batch:
                self._finish(in_flight, report)  # (batch 1: no room to pipeline)
                in_flight = None
            # Leases and retry times follow the clock as the run goes on; what is due does not.
            at = max(cutoff, to_us(self.clock.now()))
            claimed = time.monotonic()  # the lease runs from about here
            token, batch = store.claim(self.sql, at, lease, half, due_us=cutoff)
            nxt = None
            if batch:
                report.rounds += 1
                deadline = claimed + self._send_window_s()
                nxt = _InFlight(token, at, batch, self.sender.submit(batch, deadline))
            if in_flight is not None:
                self._finish(in_flight, report)
            elif nxt is None and not unsequenced:
                return report  # nothing claimable, in flight or left to sequence
            in_flight = nxt

    def _finish(self, f: _InFlight, report: DispatchReport) -> None:
        """Wait for a batch's answers and record them."""
        sent = f.sent.result()
        pairs = list(zip(f.batch, sent, strict=True))
        outcomes = [
            outcome(self.config, c, s, f.at_us, self.rand()) for c, s in pairs if s.attempted
        ]
        unsent = [(c.message_id, c.endpoint_id) for c, s in pairs if not s.attempted]
        if unsent:
            report.released += store.release(self.sql, f.token, unsent)
        report.lost_leases += len(outcomes) - store.record(self.sql, f.token, outcomes)
        report.attempted += len(outcomes)
        for x in outcomes:
            if x.delivered:
                report.delivered += 1
            elif x.next_attempt_at_us is None:
                report.failed += 1
            else:
                report.retrying += 1

    def _send_window_s(self) -> float:
        """How long after the claim a request may still start: it then ends (timeout) before
        the lease does, with a margin, so no request is in flight on a row that another
        dispatcher may have taken over."""
        spare = self.config.lease_s - self.config.timeout_s  # > 0 (DeliveryConfig checks)
        return spare - min(1.0, spare / 2)

    def run_forever(self, stop: threading.Event, interval_s: float = 1.0) -> None:
        """Loop ``run_once`` until ``stop`` is set, sleeping ``interval_s`` when idle. A store
        error is logged and retried after the interval (the claims it held expire)."""
        while not stop.is_set():
            try:
                report = self.run_once()
            except sa.exc.SQLAlchemyError:
                log.exception("delivery round failed; retrying")
                report = DispatchReport()
            if report.attempted == 0:
                stop.wait(interval_s)

    def close(self) -> None:
        """Nothing to release (the sender is closed by its owner); kept for callers."""
