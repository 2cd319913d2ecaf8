"""Exactly-once: a killed ingest, a redelivered and reordered stream, land on the same store.

The store is compared table by table with the columns that depend on nothing but the facts
(surrogate sequence numbers, which PostgreSQL does not roll back, are left out).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import order_rules
from anxin.clock import FixedClock
from anxin.contract.decode import decode_event
from anxin.engine.files import batches
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.sample import example_lines
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore
from tests.conftest import NOW

TICK_AT = "2026-11-20T00:00:00+00:00"

SNAPSHOT = {
    "events": "event_id, type, partition_key, occurred_at_us, source, content_hash, body,"
    " ingested_at_us",
    "order_state": "order_id, merchant_id, status, version, state",
    "merchant_state": "merchant_id, version, state",
    "parcels": "carrier, tracking_number, order_id, shipment_id",
    "held_events": "event_id, hold_key, reason",
    "deadlines": "deadline_id, aggregate_key, rule_id, due_at_us, status, fired_at_us, pack,"
    " pack_version, data",
    "decisions": "decision_id, aggregate_key, rule_id, kind, decided_at_us, pack, pack_version,"
    " explanation, outcome",
    "ledger_transactions": "txn_key, occurred_at_us, reason, fingerprint, explanation",
    "ledger_entries": "txn_key, account, currency, amount",
    "outbox": "message_id, topic, aggregate_key, created_at_us, body, dispatched_at_us",
    "dead_letters": "dead_letter_id, received_at_us, source, position, event_id, code, path,"
    " message, raw",
}

BAD_LINES = [
    b'{"id": "bad-1", "type": "order.paid"',
    b'{"id": "bad-2", "type": "order.exploded", "occurred_at": "2026-10-02T10:00:00+08:00",'
    b' "source": "t", "payload": {}}',
]


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        shot = {
            table: sorted(
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.exec_driver_sql(f"SELECT {cols} FROM {table}")
            )
            for table, cols in SNAPSHOT.items()
        }
    engine.dispose()
    return shot


def assert_same(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> None:
    for table in SNAPSHOT:
        assert len(a[table]) == len(b[table]), table
        assert a[table] == b[table], table


def stream_file(tmp_path: Path, orders: int = 2500) -> Path:
    lines = example_lines(orders, 20, seed=11)
    for i, bad in enumerate(BAD_LINES, 1):
        lines.insert(i * len(lines) // 3, bad)
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def cli(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "anxin.cli.main", "--db", url, *args]
    return subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run_ok(url: str, *args: str) -> None:
    proc = cli(url, *args)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def ingest_args(path: Path, batch: int) -> tuple[str, ...]:
    return ("ingest", str(path), "--batch-size", str(batch), "--now", NOW.isoformat(), "--json")


def count_events(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one())
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def migrated(factory: Callable[[str], str], name: str) -> str:
    url = factory(name)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.mark.slow
@pytest.mark.parametrize("kill", ["failpoint-mid-transaction", "external-sigkill"])
def test_sigkill_mid_batch_then_restart_equals_uninterrupted_run(
    new_db_url: Callable[[str], str], tmp_path: Path, kill: str
) -> None:
    path = stream_file(tmp_path)
    total_lines = sum(1 for line in path.read_bytes().splitlines() if line.strip())

    reference = migrated(new_db_url, "reference")
    run_ok(reference, *ingest_args(path, 5000))
    run_ok(reference, "tick", "--now", TICK_AT)

    crashed = migrated(new_db_url, "crashed")
    if kill == "failpoint-mid-transaction":
        # Killed after the 4th batch wrote everything and before it committed.
        proc = cli(
            crashed, *ingest_args(path, 1000), env={"ANXIN_FAILPOINT": "ingest.before_commit:4"}
        )
        proc.communicate(timeout=300)
    else:
        proc = cli(crashed, *ingest_args(path, 1000))
        deadline = time.monotonic() + 120
        while count_events(crashed) < 2000 and proc.poll() is None:
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    logged = count_events(crashed)
    assert 0 < logged < total_lines - len(BAD_LINES), "the kill must land mid-stream"

    run_ok(crashed, *ingest_args(path, 1000))  # restart: the whole file again
    run_ok(crashed, "tick", "--now", TICK_AT)

    before, after = snapshot(reference), snapshot(crashed)
    assert len(before["ledger_entries"]) > 0
    assert len(before["outbox"]) > 0
    assert len(before["dead_letters"]) == len(BAD_LINES)
    assert_same(before, after)


def shuffled_within_partitions(lines: list[bytes], rng: random.Random) -> list[bytes]:
    """Interleave partitions at random while keeping each partition's own order."""
    queues: dict[str, list[bytes]] = defaultdict(list)
    for line in lines:
        event = decode_event(line)
        assert not hasattr(event, "error")
        queues[event.key()].append(line)  # type: ignore[union-attr]
    order = [key for key, q in queues.items() for _ in q]
    rng.shuffle(order)
    heads = {key: iter(q) for key, q in queues.items()}
    return [next(heads[key]) for key in order]


def test_every_event_twice_and_shuffled_gives_the_same_store(
    new_db_url: Callable[[str], str], book: PolicyBook
) -> None:
    lines = example_lines(600, 12, seed=5)
    rng = random.Random(42)
    redelivered = shuffled_within_partitions(lines, rng) + shuffled_within_partitions(lines, rng)
    # and a third copy of a random slice interleaved in the middle
    middle = len(redelivered) // 2
    redelivered[middle:middle] = rng.sample(lines, len(lines) // 4)

    def run(url: str, stream: list[bytes], batch: int) -> tuple[str, int, int]:
        sql = make_engine(url)
        engine = Engine(SqlStore(sql), book, FixedClock(NOW), rules=order_rules())
        held = duplicates = 0
        for chunk in batches(enumerate(stream, 1), batch):
            report = engine.ingest(chunk, "test")
            held += report.held
            duplicates += report.duplicates
        engine.tick(FixedClock(NOW).now().replace(year=2026, month=11, day=20))
        sql.dispose()
        return url, held, duplicates

    reference, _, _ = run(migrated(new_db_url, "in-order"), lines, 1000)
    shuffled, held, duplicates = run(migrated(new_db_url, "shuffled"), redelivered, 777)
    assert held > 0, "some scans must have arrived before their shipment"
    assert duplicates == len(redelivered) - len(lines)
    a, b = snapshot(reference), snapshot(shuffled)
    assert a["held_events"] == b["held_events"] == []
    assert len(a["ledger_entries"]) > 0
    # Everything but the ingest order (dead letters: none) must match.
    assert_same(a, b)
    # The decoded state agrees too (not just the bytes).
    states = [msgspec.json.decode(row[4]) for row in b["order_state"]]
    assert all(s["version"] >= 2 for s in states)
