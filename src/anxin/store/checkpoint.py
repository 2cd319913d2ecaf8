"""Checkpoint a SQLite write-ahead log from a background thread, off the writer's path.

In WAL mode SQLite copies committed pages back into the database file (a checkpoint) inside
the commit that pushes the log past ``wal_autocheckpoint`` pages; with ``synchronous=NORMAL``
that checkpoint is also where both fsyncs happen. An ingest batch writes thousands of pages, so
every commit paid for one: ~15-20 % of ingest wall time on a large store. The store kicks this
checkpointer after each commit instead; it runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own
connection (the sqlite3 module releases the GIL meanwhile) while the engine decodes and folds
the next batch. A passive checkpoint never blocks or waits for the writer; the writer's own
auto-checkpoint, set higher (see ``anxin.store.database``), stays as the safety net should this
thread fall behind. Durability is unchanged: the same checkpoints, the same fsyncs.

The thread starts on the first kick and ends after ``idle_seconds`` without one, so an idle
process (or a test suite opening many stores) keeps no thread or connection around.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

from sqlalchemy import Engine


class WalCheckpointer:
    def __init__(self, path: str, idle_seconds: float = 2.0) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self._cond = threading.Condition()
        self._wanted = False  # a kick not served yet
        self._busy = False  # a checkpoint under way
        self._running = False  # the thread is alive (or about to start)

    def kick(self) -> None:
        """Ask for a checkpoint soon; returns at once."""
        with self._cond:
            self._wanted = True
            self._cond.notify_all()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="anxin-wal-checkpoint", daemon=True).start()

    def wait(self) -> None:
        """Block until every kick so far has been served by a checkpoint."""
        with self._cond:
            while self._running and (self._wanted or self._busy):
                self._cond.wait()

    @property
    def running(self) -> bool:
        return self._running

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        idle = False
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")  # as the writer's: fsyncs per checkpoint
            while True:
                with self._cond:
                    if not self._wanted:
                        self._cond.wait(self.idle_seconds)
                    if not self._wanted:  # idle: stop; the next kick starts a new thread
                        self._running, idle = False, True
                        self._cond.notify_all()
                        return
                    self._wanted, self._busy = False, True
                try:
                    # Busy or gone: the next kick (or the writer's auto-checkpoint) tries again.
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        except sqlite3.Error:
            pass  # could not even connect: the writer's auto-checkpoint still applies
        finally:
            if conn is not None:
                conn.close()
            if not idle:  # died early or of something unexpected: the next kick starts afresh
                with self._cond:
                    self._running = False
                    self._cond.notify_all()


def for_engine(engine: Engine) -> WalCheckpointer | None:
    """A checkpointer for a SQLite database file; None for PostgreSQL or in-memory SQLite."""
    url = engine.url
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    if path.startswith("file:") or "mode=memory" in str(url):
        return None
    return WalCheckpointer(path)
