"""``anxin bench ingest``: the whole ingest path against a raw SQLite insert of the same rows.

Both sides run in the same process on the same machine, one after the other:
- anxin: a generated JSON Lines file → ``ingest_file`` (decode, validate, dedupe, event log,
  per-order state, rules, deadlines, decisions, ledger, outbox; one transaction per batch) on a
  fresh migrated SQLite file;
- raw: the resulting event-log rows inserted with ``sqlite3.executemany`` in one transaction
  into a second fresh database with the same migrated schema (same table, same indexes).
Data generation is not timed. The ratio is events_per_s / raw_insert_rows_per_s.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock
from anxin.engine.files import ingest_file
from anxin.sample import example_lines
from anxin.store.sql import SqlStore

CLOCK = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
COLUMNS = (
    "event_id, type, partition_key, occurred_at_us, source, content_hash, body, ingested_at_us"
)


def _fresh_db(path: Path) -> Any:
    return open_store(str(path))  # a fresh file, migrated to head


def run(
    orders: int = 50_000, batch_size: int = 20_000, merchants: int = 500, rules: str = "all"
) -> dict[str, Any]:
    """``rules="none"`` measures the spine alone (decode, validate, dedupe, log, state)."""
    with tempfile.TemporaryDirectory(prefix="anxin-bench-") as tmp:
        root = Path(tmp)
        stream = root / "stream.jsonl"
        lines = example_lines(orders, merchants)
        stream.write_bytes(b"\n".join(lines) + b"\n")
        events = len(lines)
        del lines

        sql = _fresh_db(root / "anxin.db")
        store = SqlStore(sql)
        engine = build_engine(
            store,
            load_policy("douyin"),
            FixedClock(CLOCK),
            rules=[] if rules == "none" else None,
        )
        started = time.perf_counter()
        report = ingest_file(engine, stream, batch_size=batch_size)
        store.wait_checkpoint()  # background checkpoints are timed too
        seconds = time.perf_counter() - started
        with sql.connect() as conn:
            rows = conn.exec_driver_sql(f"SELECT {COLUMNS} FROM events ORDER BY seq").fetchall()
        sql.dispose()

        raw_db = root / "raw.db"
        _fresh_db(raw_db).dispose()
        conn = sqlite3.connect(raw_db, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(r) for r in rows],
        )
        conn.execute("COMMIT")
        raw_seconds = time.perf_counter() - started
        conn.close()

    events_per_s = events / seconds
    raw_rate = len(rows) / raw_seconds
    return {
        "bench": "ingest",
        "db": "sqlite",
        "orders": orders,
        "rules": rules,
        "events": events,
        "accepted": report.accepted,
        "decisions": report.decisions,
        "payouts": report.payouts,
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        "events_per_s": round(events_per_s),
        "raw_seconds": round(raw_seconds, 3),
        "raw_insert_rows_per_s": round(raw_rate),
        "ratio": round(events_per_s / raw_rate, 3),
    }
