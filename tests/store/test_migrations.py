"""The migrations build exactly the schema in ``anxin.store.schema``, and 0002 keeps parcels."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from anxin.store.database import make_engine, switch_to_wal
from anxin.store.migrate import current_revision, ensure_schema, head_revision, upgrade
from anxin.store.schema import metadata

PROCESSES = 6


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_migrations_equal_the_schema(sql_engine: sa.Engine) -> None:
    # server defaults are not compared: 0002's default only fills rows that existed before it
    assert _diff(sql_engine) == []


def test_0002_keeps_existing_parcels(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "old.db"))
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO parcels (carrier, tracking_number, order_id, shipment_id) "
                "VALUES ('SF', 'SF1', 'O1', 'S1')"
            )
        )
    upgrade(engine)
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT * FROM parcels")).mappings().all()
        assert [dict(r) for r in rows] == [
            {
                "carrier": "SF",
                "tracking_number": "SF1",
                "order_id": "O1",
                "shipment_id": "S1",
                "registered_at_us": 0,
            }
        ]
        # a second order on the same number is a row of its own now
        conn.execute(sa.text("INSERT INTO parcels VALUES ('SF', 'SF1', 'O2', 'S2', 5)"))
    assert _diff(engine) == []
    engine.dispose()


def _open(url: str, start: Barrier) -> None:
    """One process starting on the store, as every command does: create or upgrade it."""
    engine = make_engine(url)
    start.wait()
    ensure_schema(engine)
    engine.dispose()


def test_processes_starting_together_on_an_empty_store_all_get_the_schema(
    new_db_url: Callable[[str], str],
) -> None:
    """Found in trial: two processes on an empty SQLite file raced on creating the schema
    (``table api_keys already exists``)."""
    url = new_db_url("fresh")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    procs = [ctx.Process(target=_open, args=(url, start)) for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=300)
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES
    engine = make_engine(url)
    assert current_revision(engine) == head_revision(engine)
    assert _diff(engine) == []
    engine.dispose()


class _LockedCursor:
    """A cursor whose WAL switch loses the lock race ``fails`` times, as SQLite reports it when
    two connections on a rollback-mode file both want its exclusive lock (one is refused at
    once, without its busy handler, to avoid a deadlock)."""

    def __init__(self, fails: int, message: str = "database is locked") -> None:
        self.fails, self.message, self.calls = fails, message, 0

    def execute(self, sql: str) -> None:
        assert sql == "PRAGMA journal_mode=WAL"
        self.calls += 1
        if self.calls <= self.fails:
            raise sqlite3.OperationalError(self.message)


def test_the_wal_switch_retries_a_lost_lock_race() -> None:
    """Found in CI: one of six processes opening an empty store failed at this pragma."""
    cursor = _LockedCursor(fails=3)
    switch_to_wal(cursor)
    assert cursor.calls == 4


def test_the_wal_switch_does_not_retry_other_errors() -> None:
    cursor = _LockedCursor(fails=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        switch_to_wal(cursor)
    assert cursor.calls == 1
