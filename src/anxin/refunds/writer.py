"""Group commit for the API's decisions: one writer thread, one transaction per batch.

Each decision writes a row (and for a live approval its outbox message) in a transaction of its
own; on SQLite those transactions queue for the one write lock, so under load the process spent
most of its time taking turns (a commit costs more than the decision). Here the API hands the
decisions to one thread, which writes every one waiting in a single transaction and then
answers each request: nothing answers before its rows are committed (durability unchanged), and
under load one commit carries many decisions. A batch that fails is written again one request
at a time, so one bad request fails alone.

The thread starts on the first decision and ends after ``idle_seconds`` without one, so an idle
process (or a test suite building many apps) keeps no thread around.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import Future

from anxin.refunds.service import Decided, RefundDecision, RefundService

MAX_BATCH = 256  # bounds one transaction's size (and a failed batch's retries)

Pending = tuple[list[Decided], dt.datetime, "Future[RefundDecision]"]


class DecisionWriter:
    def __init__(self, service: RefundService, idle_seconds: float = 2.0) -> None:
        self.service = service
        self.idle_seconds = idle_seconds
        self._cond = threading.Condition()
        self._pending: list[Pending] = []
        self._running = False

    def submit(self, decided: list[Decided], now: dt.datetime) -> Future[RefundDecision]:
        """Queue a request's decisions; the future holds the live decision once committed."""
        done: Future[RefundDecision] = Future()
        with self._cond:
            self._pending.append((decided, now, done))
            self._cond.notify()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="anxin-refund-writer", daemon=True).start()
        return done

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._cond.wait(self.idle_seconds)
                if not self._pending:
                    self._running = False  # under the lock: a submit now starts a new thread
                    return
                # Whatever queued while the last batch was committing (no waiting window: a
                # 2 ms window measured no gain, and it would delay every lone request).
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
            self._write(batch)

    def _write(self, batch: list[Pending]) -> None:
        try:
            views = self.service.record_many([(d, now) for d, now, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][2].set_exception(exc)
                return
            for one in batch:  # alone, so only the request at fault fails
                self._write([one])
            return
        for (_, _, done), view in zip(batch, views, strict=True):
            done.set_result(view)
