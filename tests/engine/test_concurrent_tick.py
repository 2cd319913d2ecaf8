"""Two ``anxin tick`` processes at once fire each deadline once and lose nothing.

Found in trial: two tickers on one SQLite store both fired the same deadlines, and the later
one wrote back order states read before the other's commit (46 decisions vanished from their
orders' findings). Here two ticker processes start together on a store with many due
deadlines, and the store they leave must equal the one a single ticker leaves on a twin store.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock, to_us
from anxin.engine import failpoints
from anxin.engine.files import batches
from anxin.engine.processor import TickReport
from anxin.sim import preset, simulate
from anxin.store.database import make_engine
from anxin.store.sql import SqlStore
from tests.engine.test_exactly_once import assert_same, migrated, snapshot

# Small batches: many tick transactions, so the two tickers overlap many times. Both take the
# same size: run one after the other, their transactions are then exactly the single ticker's
# (each claims the earliest due), so the stores must match row for row. (Batch boundaries do
# move the order of an order's findings when re-armed clocks come due within one tick.)
BATCH = 40


def _stream() -> tuple[list[bytes], dt.datetime, str]:
    """A small simulated marketplace whose carrier feed went dark: no tracking scans, so every
    order's ship and pickup clocks run out (watches re-arm: one order fires several times)."""
    params = preset("tiny", seed=3, target_orders=600)
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    lines = [
        line
        for line in events.getvalue().splitlines()
        if msgspec.json.decode(line)["type"] != "tracking.scanned"
    ]
    return lines, summary.last_event_at + dt.timedelta(days=1), params.pack


def _build(url: str, lines: list[bytes], now: dt.datetime, pack: str) -> None:
    sql = make_engine(url)
    engine = build_engine(SqlStore(sql), load_policy(pack), FixedClock(now))
    for batch in batches(enumerate(lines, 1), 1000):
        engine.ingest(batch, "sim")
    sql.dispose()


def _tick(url: str, now: dt.datetime, pack: str, batch: int) -> TickReport:
    sql = make_engine(url)
    try:
        return build_engine(SqlStore(sql), load_policy(pack), FixedClock(now)).tick(now, batch)
    finally:
        sql.dispose()


def _ticker(
    url: str, now: dt.datetime, pack: str, batch: int, start: Barrier, out: Queue[int]
) -> None:
    """One ticker process: waits for its twin, then ticks."""
    start.wait()
    out.put(_tick(url, now, pack, batch).fired)


def test_two_ticker_processes_equal_one_ticker(new_db_url: Callable[[str], str]) -> None:
    lines, now, pack = _stream()
    single, concurrent = migrated(new_db_url, "single"), migrated(new_db_url, "concurrent")
    _build(single, lines, now, pack)
    _build(concurrent, lines, now, pack)
    assert snapshot(single) == snapshot(concurrent)  # twins before the tick

    reference = _tick(single, now, pack, BATCH)
    assert reference.fired > 10 * BATCH
    assert reference.decisions > 0

    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_ticker, args=(concurrent, now, pack, batch, start, out))
        for batch in (BATCH, BATCH)
    ]
    for proc in procs:
        proc.start()
    fired = [out.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert_same(snapshot(single), snapshot(concurrent))
    assert sum(fired) == reference.fired  # each deadline fired once, by one of the two


def test_a_tick_waits_for_an_open_ingest_and_reads_what_it_wrote(
    new_db_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a tick that starts while an ingest touching the same orders is still open
    must not fire on the order states read before that ingest commits (nor skip what it
    locked): it ends as if it had run after the ingest."""
    if "postgresql" not in new_db_url("probe"):
        pytest.skip("SQLite runs one writer at a time: the two-process test covers it")
    lines, now, pack = _stream()
    serial, overlapped = migrated(new_db_url, "serial"), migrated(new_db_url, "overlapped")
    _build(serial, lines, now, pack)
    _build(overlapped, lines, now, pack)
    reviews = _reviews_of_due_orders(serial, now)

    _ingest(serial, reviews, now, pack)  # the reference: the ingest, then the tick
    _tick(serial, now, pack, 1000)

    # The ingest stops before its commit until the tick is under way (waiting or done).
    _overlap(
        monkeypatch,
        overlapped,
        lambda: _ingest(overlapped, reviews, now, pack),
        lambda: _tick(overlapped, now, pack, 1000),
    )
    assert_same(snapshot(serial), snapshot(overlapped))


def _reviews_of_due_orders(url: str, now: dt.datetime) -> list[bytes]:
    """A review for each of 50 orders with a deadline due: events that change their state."""
    sql = make_engine(url)
    with sql.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT DISTINCT o.order_id, o.merchant_id FROM deadlines d JOIN order_state o"
            " ON d.aggregate_key = 'order:' || o.order_id"
            f" WHERE d.status = 'pending' AND d.due_at_us <= {to_us(now)}"
            " ORDER BY o.order_id LIMIT 50"
        ).all()
    sql.dispose()
    assert len(rows) == 50
    at = (now - dt.timedelta(hours=1)).isoformat()
    return [
        msgspec.json.encode(
            {
                "id": f"review-{order_id}",
                "type": "review.posted",
                "occurred_at": at,
                "source": "test",
                "payload": {
                    "review_id": f"R-{order_id}",
                    "order_id": order_id,
                    "merchant_id": merchant_id,
                    "stars": 1,
                },
            }
        )
        for order_id, merchant_id in rows
    ]


def _ingest(url: str, lines: list[bytes], now: dt.datetime, pack: str) -> None:
    sql = make_engine(url)
    report = build_engine(SqlStore(sql), load_policy(pack), FixedClock(now)).ingest(
        list(enumerate(lines, 1)), "test"
    )
    sql.dispose()
    assert report.accepted == len(lines)


def _overlap(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    first: Callable[[], object],
    second: Callable[[], object],
) -> None:
    """Run ``first`` (an ingest) up to just before its commit, then start ``second`` and let
    ``first`` commit once ``second`` waits for a lock or is done: the two transactions overlap
    as two processes' would."""
    opened, release = threading.Event(), threading.Event()

    def pause(name: str) -> None:
        if name == "ingest.before_commit" and threading.current_thread().name == "first":
            opened.set()
            release.wait(timeout=300)

    monkeypatch.setattr(failpoints, "hit", pause)
    one = threading.Thread(target=first, name="first", daemon=True)
    one.start()
    assert opened.wait(timeout=300)
    two = threading.Thread(target=second, name="second", daemon=True)
    two.start()
    sql = make_engine(url)
    waited = 0
    while two.is_alive() and not _someone_waits(sql) and waited < 3000:
        time.sleep(0.05)  # a liveness guard, not a timing assertion
        waited += 1
    release.set()
    one.join(timeout=300)
    two.join(timeout=300)
    sql.dispose()


def _someone_waits(sql: sa.Engine) -> bool:
    with sql.connect() as conn:
        return bool(
            conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE NOT granted").scalar()
        )


def test_two_ingests_of_one_order_in_two_sessions_lose_no_update(
    new_db_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL, several `anxin serve` processes behind a balancer: two ingests touching the
    same orders overlap (one holds its transaction open while the other starts). Each folds the
    order state it read, so unless writers take turns the later commit would write back a state
    without the other's event. The store must equal the two ingests run one after the other."""
    if "postgresql" not in new_db_url("probe"):
        pytest.skip("SQLite runs one writer at a time (BEGIN IMMEDIATE)")
    lines, now, pack = _stream()
    serial, overlapped = migrated(new_db_url, "serial"), migrated(new_db_url, "overlapped")
    _build(serial, lines, now, pack)
    _build(overlapped, lines, now, pack)
    reviews = _reviews_of_due_orders(serial, now)
    complaints = [_complaint_for(review) for review in reviews]
    _ingest(serial, reviews, now, pack)
    _ingest(serial, complaints, now, pack)

    _overlap(
        monkeypatch,
        overlapped,
        lambda: _ingest(overlapped, reviews, now, pack),
        lambda: _ingest(overlapped, complaints, now, pack),
    )
    assert_same(snapshot(serial), snapshot(overlapped))


def _complaint_for(review: bytes) -> bytes:
    """A complaint about the same order as ``review``: another event that changes its state."""
    event = msgspec.json.decode(review)
    payload = event["payload"]
    return msgspec.json.encode(
        {
            "id": f"complaint-{payload['order_id']}",
            "type": "complaint.filed",
            "occurred_at": event["occurred_at"],
            "source": "test",
            "payload": {
                "complaint_id": f"C-{payload['order_id']}",
                "order_id": payload["order_id"],
                "merchant_id": payload["merchant_id"],
                "consumer_id": "C-test",
                "topic": "late",
            },
        }
    )
