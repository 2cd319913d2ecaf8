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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import msgspec
import sqlalchemy as sa

from anxin.clock import Clock, to_us
from anxin.delivery import store
from anxin.delivery.backoff import SECOND_US, DeliveryConfig, retry_delay_us
from anxin.delivery.sender import Sent

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, c: store.Claimed) -> Sent: ...


class DispatchReport(msgspec.Struct):
    sequenced: int = 0  # new outbox rows given a sequence (and fanned out)
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost_leases: int = 0  # outcomes dropped: the lease expired and another dispatcher took over
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
        self._pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="deliver")

    def run_once(self, now: dt.datetime | None = None) -> DispatchReport:
        """Deliver everything due at ``now`` (default: the clock), retries scheduled for later
        left for later; returns what happened."""
        cutoff = to_us(now or self.clock.now())
        lease = int(self.config.lease_s * SECOND_US)
        report = DispatchReport(sequenced=store.advance(self.sql, cutoff))
        while True:
            # Leases and retry times follow the clock as the run goes on; what is due does not.
            at = max(cutoff, to_us(self.clock.now()))
            token, batch = store.claim(self.sql, at, lease, self.config.batch, due_us=cutoff)
            if not batch:
                return report
            report.rounds += 1
            sent = list(self._pool.map(self.sender.send, batch))
            outcomes = [
                outcome(self.config, c, s, at, self.rand())
                for c, s in zip(batch, sent, strict=True)
            ]
            report.lost_leases += len(outcomes) - store.record(self.sql, token, outcomes)
            report.attempted += len(outcomes)
            for x in outcomes:
                if x.delivered:
                    report.delivered += 1
                elif x.next_attempt_at_us is None:
                    report.failed += 1
                else:
                    report.retrying += 1

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
        self._pool.shutdown(wait=True)
