"""Connecting to the store: SQLite (WAL) file by default, PostgreSQL by URL."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DB = "anxin.db"


def resolve_url(db: str | None = None) -> str:
    """``--db`` beats ``ANXIN_DB`` beats ``./anxin.db``. A bare path means a SQLite file."""
    value = db or os.environ.get("ANXIN_DB") or DEFAULT_DB
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


WAL_SWITCH_S = 30.0  # as long as the busy timeout


def switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried: while another process holds a new (rollback-mode)
    file's lock, creating its schema, SQLite answers "database is locked" at once instead of
    calling the busy handler (found by processes starting together on an empty store)."""
    deadline = time.monotonic() + WAL_SWITCH_S
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # First: switching a new file to WAL takes its lock, which other processes may hold.
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets readers (API, reports) run beside the writer; NORMAL sync is durable against a
    # process crash in WAL mode, which is the failure the engine's exactly-once tests cover.
    switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    # The engine's store checkpoints from a background thread after each commit
    # (anxin.store.checkpoint); a writer checkpoints inline only past ~200 MB of log, as a
    # safety net, instead of in every commit past 4 MB (SQLite's default of 1000 pages).
    cursor.execute("PRAGMA wal_autocheckpoint=50000")
    cursor.close()


def make_engine(db: str | None = None, **kwargs: Any) -> Engine:
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
