"""The background WAL checkpointer: it backfills what commits logged, then goes away."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa

from anxin.engine.ports import LoggedEvent
from anxin.store import checkpoint
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore


def _wait_idle(checkpointer: checkpoint.WalCheckpointer) -> None:
    deadline = time.monotonic() + 30  # a bound against hanging, not a speed check
    while checkpointer.running:
        assert time.monotonic() < deadline, "the checkpointer thread never stopped"
        time.sleep(0.01)


def test_commits_are_checkpointed_off_the_writer_and_the_thread_stops_when_idle(
    tmp_path: Path,
) -> None:
    path = tmp_path / "anxin.db"
    sql = make_engine(str(path))
    upgrade(sql)
    store = SqlStore(sql)
    checkpointer = store._checkpointer
    assert checkpointer is not None
    checkpointer.idle_seconds = 0.05
    rows = [LoggedEvent(f"e{i}", "order.paid", "order:1", i, "t", "h", "{}", 0) for i in range(500)]
    with store.transaction() as tx:
        assert tx.append_new_events(rows) == {}
    store.wait_checkpoint()

    # The commit's pages reached the database file itself: a copy of it without the log
    # holds the rows (the writer's own auto-checkpoint is far from due at this size).
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (500,)
    finally:
        conn.close()

    _wait_idle(checkpointer)  # nothing more to do: the thread goes away...
    checkpointer.kick()  # ...and comes back when asked
    assert checkpointer.running
    checkpointer.wait()
    _wait_idle(checkpointer)
    sql.dispose()


def test_only_sqlite_files_get_one() -> None:
    assert checkpoint.for_engine(sa.create_engine("sqlite://")) is None
    assert checkpoint.for_engine(sa.create_engine("sqlite:///:memory:")) is None
    pg = sa.create_engine("postgresql+psycopg://u@localhost/db")
    assert checkpoint.for_engine(pg) is None
    assert checkpoint.for_engine(sa.create_engine("sqlite:////tmp/x.db")) is not None
