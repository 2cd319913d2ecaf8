"""What ``anxin serve`` runs beside the HTTP API: the scheduler and the outbox dispatcher.

Each is a loop in a daemon thread with its own stop event. A round that raises is logged and
counted, and the loop goes on after its interval: a failing round never kills the loop.

- The scheduler fires due deadlines with ``Engine.tick`` at the app's clock (so a test clock
  moves it too), every ``tick_interval_s``. On PostgreSQL every process may tick: ``tick``
  claims due deadlines with ``FOR UPDATE SKIP LOCKED`` and marks them fired in the same
  transaction, so concurrent tickers take disjoint rows and each deadline fires once. On
  SQLite one process holds the scheduler: it takes the ``scheduler`` lease (``store.leases``,
  wall clock, renewed every round) and a process that cannot get it skips its round. Within a
  process a tick round holds the app's ingest lock, as a batch ingest does, so the two never
  rewrite one order's state from stale copies.
- The dispatcher runs ``Dispatcher.run_once`` until nothing is due, then waits
  ``dispatch_interval_s``. Concurrent dispatchers (threads or processes) share the work through
  the delivery claims (ADR 0009), so a message is delivered once, barring a crash mid-request.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from anxin.clock import SystemClock, to_us
from anxin.delivery.backoff import DeliveryConfig
from anxin.engine.processor import Engine
from anxin.store import leases

log = logging.getLogger("anxin.background")

SCHEDULER_LEASE = "scheduler"


@dataclass(frozen=True)
class BackgroundOptions:
    scheduler: bool = True
    tick_interval_s: float = 5.0
    dispatcher: bool = True
    dispatch_interval_s: float = 1.0
    lease_ttl_s: float = 30.0  # SQLite scheduler lease; a killed holder's passes on after this
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)

    def __post_init__(self) -> None:
        if self.tick_interval_s <= 0 or self.dispatch_interval_s <= 0:
            raise ValueError("intervals must be positive")
        if self.lease_ttl_s <= self.tick_interval_s:
            raise ValueError("the scheduler lease must outlast the tick interval")


class Loop:
    """``round()`` in a thread until stopped: it returns True when it did work (loop again at
    once) or False (wait ``interval_s``). Exceptions are logged, counted, and waited out."""

    def __init__(self, name: str, round: Callable[[], bool], interval_s: float) -> None:
        self.name = name
        self.round = round
        self.interval_s = interval_s
        self.stop_event = threading.Event()
        self.rounds = 0
        self.failures = 0
        self.last_error: str | None = None
        self.thread = threading.Thread(target=self._run, name=f"anxin-{name}", daemon=True)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                busy = self.round()
            except Exception as exc:
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.exception("%s round failed; next round in %.1f s", self.name, self.interval_s)
                busy = False
            self.rounds += 1
            if not busy:
                self.stop_event.wait(self.interval_s)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        self.stop_event.set()
        self.thread.join(timeout_s)

    def status(self) -> dict[str, Any]:
        return {
            "alive": self.thread.is_alive(),
            "rounds": self.rounds,
            "failures": self.failures,
            "last_error": self.last_error,
        }


class Background:
    """The scheduler and dispatcher loops of one process."""

    def __init__(
        self,
        sql: sa.Engine,
        engine: Engine,
        ingest_lock: threading.Lock,
        options: BackgroundOptions,
    ) -> None:
        self.sql = sql
        self.engine = engine
        self.ingest_lock = ingest_lock
        self.options = options
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease_clock = SystemClock()  # leases are about process liveness: wall time
        self.loops: dict[str, Loop] = {}
        self._closers: list[Callable[[], None]] = []
        if options.scheduler:
            self.loops["scheduler"] = Loop("scheduler", self.tick_round, options.tick_interval_s)
        if options.dispatcher:
            from anxin.delivery.dispatcher import Dispatcher
            from anxin.delivery.sender import HttpSender

            config = options.delivery
            sender = HttpSender(config.timeout_s, config.workers)
            dispatcher = Dispatcher(sql, sender, engine.clock, config, random.Random().random)
            self._closers += [dispatcher.close, sender.close]

            def dispatch_round() -> bool:
                return dispatcher.run_once().attempted > 0

            self.loops["dispatcher"] = Loop(
                "dispatcher", dispatch_round, options.dispatch_interval_s
            )

    def tick_round(self) -> bool:
        """Fire what is due (when this process may); never busy-loops: due deadlines are all
        fired by one ``tick``."""
        if self.sql.dialect.name == "sqlite":
            ttl_us = int(self.options.lease_ttl_s * 1_000_000)
            now_us = to_us(self.lease_clock.now())
            if not leases.acquire(self.sql, SCHEDULER_LEASE, self.holder, now_us, ttl_us):
                return False
        with self.ingest_lock:
            report = self.engine.tick()
        if report.fired:
            log.info(
                "scheduler fired %d deadlines (%d outbox messages)", report.fired, report.outbox
            )
        return False

    def start(self) -> None:
        for loop in self.loops.values():
            loop.start()

    def stop(self) -> None:
        for loop in self.loops.values():
            loop.stop_event.set()
        for loop in self.loops.values():
            loop.stop()
        for close in self._closers:
            close()
        if "scheduler" in self.loops and self.sql.dialect.name == "sqlite":
            try:
                leases.release(self.sql, SCHEDULER_LEASE, self.holder)
            except sa.exc.SQLAlchemyError:
                log.warning("could not release the scheduler lease", exc_info=True)

    def alive(self) -> bool:
        return all(loop.thread.is_alive() for loop in self.loops.values())

    def status(self) -> dict[str, Any]:
        return {name: loop.status() for name, loop in self.loops.items()}


@contextmanager
def running(app: Any, options: BackgroundOptions | None) -> Iterator[Background | None]:
    """Start the loops for ``app`` (its store, engine and ingest lock), stop them on exit;
    ``options=None`` runs none (tests, an API-only process). Sets ``app.state.background``."""
    if options is None or not (options.scheduler or options.dispatcher):
        app.state.background = None
        yield None
        return
    state = app.state
    background = Background(state.sql_engine, state.engine, state.ingest_lock, options)
    state.background = background
    background.start()
    started = time.monotonic()
    try:
        yield background
    finally:
        background.stop()
        log.info("background loops stopped after %.0f s", time.monotonic() - started)


class OffsetClock:
    """Wall time shifted by a fixed offset (``anxin serve --clock-offset``: replays and tests
    run deadlines due "in the past" without waiting). Processes given the same offset agree on
    the time, as delivery claims need: a clock that started at a given instant in each process
    would differ by their start times, and one would take over the other's live claims."""

    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset
