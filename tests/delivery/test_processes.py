"""Dispatchers as separate processes (the CLI): two at once deliver each message exactly once;
one killed mid-delivery and restarted loses nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from anxin.clock import to_us
from anxin.delivery import store
from anxin.store.database import make_engine
from tests.delivery.helpers import T0, messages, write
from tests.delivery.receiver import GATE_S, Receiver

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _deliver(db_url: str, config: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    cmd = [sys.executable, "-m", "anxin.cli.main", "--db", db_url, "outbox", "deliver"]
    return subprocess.Popen(
        [*cmd, "--config", str(config), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _setup(db_url: str, receiver: Receiver, n_orders: int) -> set[str]:
    sql = make_engine(db_url)
    batch = messages(orders=n_orders, per_order=2)
    write(sql, batch)
    store.add_endpoint(sql, receiver.url, [], to_us(T0), receiver.secret)
    sql.dispose()
    return {m.message_id for m in batch}


def test_two_dispatchers_deliver_each_message_once(
    db_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    expected = _setup(db_url, receiver, 200)
    config = tmp_path / "delivery.yaml"
    config.write_text("batch: 10\nworkers: 2\ntimeout_s: 30\n")
    # Answers are held until both processes hold claims, so both take a share however far
    # apart they start (a loaded machine once let the first finish before the second began).
    receiver.gate = threading.Event()
    procs = [_deliver(db_url, config, "--until-empty") for _ in range(2)]
    _wait_for_claimants(db_url, 2)
    receiver.gate.set()
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        reports.append(out.decode())
    assert set(receiver.tries) == expected
    assert max(receiver.tries.values()) == 1  # exactly once, not just at least once
    assert all('"attempted":0' not in r for r in reports), reports  # both took a share
    sql = make_engine(db_url)
    assert store.counts(sql) == {"delivered": 400}
    sql.dispose()


def _wait_for_claimants(db_url: str, n: int) -> None:
    """Until ``n`` dispatchers hold claims at once (bounded: the gate opens by itself later)."""
    sql = make_engine(db_url)
    deadline = time.monotonic() + GATE_S
    query = sa.text(
        "SELECT count(DISTINCT claim_token) FROM deliveries WHERE claim_token IS NOT NULL"
    )
    while time.monotonic() < deadline:
        with sql.connect() as conn:
            if conn.execute(query).scalar_one() >= n:
                break
        time.sleep(0.05)
    sql.dispose()


def test_killed_dispatcher_restarted_loses_nothing(
    db_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    expected = _setup(db_url, receiver, 100)
    config = tmp_path / "delivery.yaml"
    config.write_text("batch: 10\nworkers: 2\n")
    receiver.stall = 0.01
    first = _deliver(db_url, config, "--until-empty")
    deadline = time.monotonic() + 60
    while len(receiver.ids) < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)  # mid-delivery: requests in flight, rows leased
    first.wait()
    assert 0 < len(set(receiver.ids)) < len(expected)
    receiver.stall = 0.0
    # restart after the dead one's leases expired (default lease: 120 s)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    again = _deliver(db_url, config, "--until-empty", "--now", later)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert set(receiver.ids) == expected  # count of unique ids == messages
    # anything sent twice was in flight at the kill, and arrived under the same id
    assert sum(Counter(receiver.ids).values()) - len(expected) <= 10
    sql = make_engine(db_url)
    assert store.counts(sql) == {"delivered": len(expected)}
    with sql.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM outbox WHERE seq IS NULL")).scalar() == 0
    sql.dispose()
