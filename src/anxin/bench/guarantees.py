"""``anxin bench guarantees``: a simulated marketplace through ingest, detection and payouts.

The bench preset of the simulator (``anxin.sim``), scaled to ``orders``, is written to a JSON
Lines file (not timed). Then, on a fresh migrated SQLite file with the clock at the stream's end
+ 1 day (as the demo replays it), timed end to end: ``ingest_file`` (decode, validate, event
log, per-order state, late-shipment and logistics rules, decisions, ledger, outbox) and
``tick(now)``, which fires every deadline that fell due, up to the store's last background WAL
checkpoint (so no write is left out of the timing). For the ratio, the same event-log rows
are inserted with ``sqlite3.executemany`` in one transaction into a second fresh database with
the same schema, as in ``anxin bench ingest`` (read in chunks to bound memory; only the inserts
and the commit are timed). Everything lives in a temporary directory removed at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from anxin.application import build_engine, load_policy, open_store
from anxin.bench.ingest import COLUMNS
from anxin.clock import FixedClock
from anxin.engine.files import ingest_file
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.sql import SqlStore

RAW_CHUNK = 100_000  # event-log rows read per chunk for the raw insert


def _fresh_db(path: Path) -> sa.Engine:
    return open_store(str(path))  # a fresh file, migrated to head


def _raw_insert(source: Path, target: Path) -> tuple[int, float]:
    """Insert ``source``'s event-log rows into ``target`` in one transaction: (rows, seconds)."""
    _fresh_db(target).dispose()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    insert = f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    rows = 0
    seconds = 0.0
    try:
        cursor = src.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq")
        dst.execute("BEGIN")
        while chunk := cursor.fetchmany(RAW_CHUNK):
            started = time.perf_counter()
            dst.executemany(insert, chunk)
            seconds += time.perf_counter() - started
            rows += len(chunk)
        started = time.perf_counter()
        dst.execute("COMMIT")
        seconds += time.perf_counter() - started
    finally:
        src.close()
        dst.close()
    return rows, seconds


def _totals(sql: sa.Engine) -> tuple[int, int, int, int, int]:
    """Decisions, payouts (ledger transactions other than deposits and after-sales refunds),
    consumer credits from them, after-sales refunds granted and refunds paid (minor units)."""
    with sql.connect() as conn:
        decisions = conn.execute(sa.text("SELECT count(*) FROM decisions")).scalar_one()
        payouts = conn.execute(
            sa.text(
                "SELECT count(*) FROM ledger_transactions WHERE reason <> 'merchant.deposit'"
                " AND txn_key NOT LIKE 'refund:%'"
            )
        ).scalar_one()
        paid = conn.execute(
            sa.text(
                "SELECT coalesce(sum(amount), 0) FROM ledger_entries "
                "WHERE account LIKE 'consumer:%' AND amount > 0 AND txn_key NOT LIKE 'refund:%'"
            )
        ).scalar_one()
        granted, refunded = (
            int(
                conn.execute(
                    sa.text(
                        "SELECT coalesce(sum(amount), 0) FROM ledger_entries"
                        " WHERE amount > 0 AND txn_key LIKE :key"
                    ),
                    {"key": f"refund:%:{what}"},
                ).scalar_one()
            )
            for what in ("granted", "paid")
        )
    return int(decisions), int(payouts), int(paid), granted, refunded


def run(orders: int = 1_000_000, batch_size: int = 20_000, seed: int = 1) -> dict[str, Any]:
    params = preset("bench", target_orders=orders, seed=seed)
    with tempfile.TemporaryDirectory(prefix="anxin-bench-guarantees-") as tmp:
        root = Path(tmp)
        stream = root / "stream.jsonl"
        with stream.open("wb") as events_out, (root / "truth.jsonl").open("wb") as truth_out:
            summary = simulate(
                params,
                events_out,
                truth_out,
                workers=min(params.shards, os.cpu_count() or 1),
            )
        (root / "truth.jsonl").unlink()  # not needed here: free the disk before ingesting
        assert summary.last_event_at is not None
        # The simulator writes each order's whole life at once: replay with the clock at its end.
        now = summary.last_event_at + dt.timedelta(days=1)

        db = root / "anxin.db"
        sql = _fresh_db(db)
        store = SqlStore(sql)
        engine = build_engine(store, load_policy(params.pack), FixedClock(now))
        started = time.perf_counter()
        report = ingest_file(engine, stream, batch_size=batch_size)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        fired = engine.tick(now)
        # The store checkpoints in the background: the last one is timed too (and is over
        # before the raw insert starts).
        store.wait_checkpoint()
        tick_seconds = time.perf_counter() - started
        decisions, payouts, paid, refunds_granted, refunds_paid = _totals(sql)
        sql.dispose()
        stream.unlink()

        rows, raw_seconds = _raw_insert(db, root / "raw.db")

    total = seconds + tick_seconds
    events_per_s = summary.events / total
    raw_rate = rows / raw_seconds
    return {
        "bench": "guarantees",
        "db": "sqlite",
        "orders": summary.orders,
        "target_orders": orders,
        "events": summary.events,
        "accepted": report.accepted,
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        "tick_seconds": round(tick_seconds, 3),
        "deadlines_fired": fired.fired,
        "events_per_s": round(events_per_s),
        "raw_seconds": round(raw_seconds, 3),
        "raw_insert_rows_per_s": round(raw_rate),
        "ratio": round(events_per_s / raw_rate, 3),
        "decisions": decisions,
        "payouts": payouts,
        "compensation_paid": paid,
        "refunds_granted": refunds_granted,
        "refunds_paid": refunds_paid,
    }


@click.command("guarantees")
@click.option(
    "--orders", default=1_000_000, show_default=True, help="orders in the simulated stream"
)
@click.option("--batch-size", default=20_000, show_default=True)
@click.option("--seed", default=1, show_default=True)
def bench_guarantees(orders: int, batch_size: int, seed: int) -> None:
    """Simulated stream through ingest + detection + payouts on SQLite, against a raw insert."""
    click.echo(json.dumps(run(orders=orders, batch_size=batch_size, seed=seed)))
