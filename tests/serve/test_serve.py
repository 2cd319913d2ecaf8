"""``anxin serve`` as real processes: the scheduler fires deadlines and the dispatcher delivers
their messages as signed webhooks, with nobody running ``anxin tick`` or ``anxin outbox
deliver``. Two servers on one store deliver each message once; one killed with SIGKILL
mid-run and restarted loses nothing. On SQLite and (with ANXIN_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from anxin.api.keys import create_key
from anxin.clock import SystemClock, to_us
from anxin.contract import events as ev
from anxin.contract.decode import encode_event
from anxin.delivery import store
from anxin.serve_process import ServeProcess
from anxin.store.database import make_engine
from tests.delivery.receiver import Receiver

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 9, 0, tzinfo=CST)
CLOCK_START = dt.datetime(2026, 11, 1, tzinfo=CST)  # the orders' shipping deadlines are past
# One offset for every server: their clocks must agree (delivery claims are timed by them).
OFFSET = (CLOCK_START - dt.datetime.now(dt.UTC)).total_seconds()
AMOUNT = ev.Money(amount=600_000, currency="CNY")
WORKERS = 2


class Server(ServeProcess):
    """``anxin serve`` with fast loops, all servers on one clock (``OFFSET``)."""

    def __init__(self, db_url: str, config: Path, log: Path) -> None:
        args = ["--tick-interval", "0.3", "--dispatch-interval", "0.2", "--scheduler-lease", "2"]
        args += ["--delivery-config", str(config), "--clock-offset", str(OFFSET)]
        super().__init__(db_url, log, *args)

    def post(self, key: str, events: list[ev.Event]) -> None:
        body = b'{"events":[' + b",".join(encode_event(e) for e in events) + b"]}"
        r = httpx.post(f"{self.url}/v1/events", content=body, headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == len(events)


def _wait(done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.05)


def unshipped(order_id: str) -> list[ev.Event]:
    """Placed and paid, never shipped: the late-shipment deadline fires a compensation and a
    merchant task (two messages)."""
    return [
        ev.OrderPlaced(id=f"{order_id}-p", occurred_at=PAID, source="t",
            payload=ev.OrderPlacedPayload(order_id=order_id, merchant_id="M",
                consumer_id=f"C{order_id}", amount=AMOUNT,
                items=[ev.Item(sku="s", quantity=1, unit_price=AMOUNT)])),
        ev.OrderPaid(id=f"{order_id}-$", occurred_at=PAID, source="t",
            payload=ev.OrderPaidPayload(order_id=order_id, amount_paid=AMOUNT)),
    ]  # fmt: skip


def orders(prefix: str, n: int) -> list[ev.Event]:
    return [e for i in range(n) for e in unshipped(f"{prefix}{i}")]


def outbox_ids(sql: sa.Engine) -> set[str]:
    with sql.connect() as conn:
        return set(conn.execute(sa.text("SELECT message_id FROM outbox")).scalars())


@pytest.fixture
def servers(db_url: str, tmp_path: Path) -> Iterator[Callable[[], Server]]:
    config = tmp_path / "delivery.yaml"
    config.write_text(f"lease_s: 3\ntimeout_s: 2\nworkers: {WORKERS}\nbatch: 4\n")
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(db_url, config, tmp_path / "serve.log"))
        return started[-1]

    yield start
    for s in started:
        s.stop()


def test_serve_fires_and_delivers_once_and_survives_a_kill(
    db_url: str, receiver: Receiver, servers: Callable[[], Server]
) -> None:
    sql = make_engine(db_url)
    now_us = to_us(SystemClock().now())
    store.add_endpoint(sql, receiver.url, [], now_us, receiver.secret)
    key = create_key(sql, "feed", "ingest", clock=SystemClock())

    # Two servers on one store: every deadline fires once, every message arrives once.
    a, b = servers(), servers()
    a.post(key, orders("A", 6))
    b.post(key, orders("B", 6))
    _wait(lambda: len(receiver.ids) >= 24, 60, f"only {len(receiver.ids)} of 24 arrived")
    time.sleep(1.0)  # a second firing or a second send would show up now
    assert len(outbox_ids(sql)) == 24  # 12 orders, 2 messages each: fired once
    assert sorted(receiver.ids) == sorted(outbox_ids(sql))  # each delivered exactly once
    assert receiver.bad_signatures == 0

    # SIGKILL one mid-run (requests in flight, rows leased, maybe the scheduler lease held).
    receiver.stall = 0.05
    a.post(key, orders("K", 20))
    _wait(lambda: len(receiver.ids) >= 30, 60, "the second wave did not start arriving")
    a.kill()
    assert len(set(receiver.ids)) < 24 + 40
    receiver.stall = 0.0
    servers()  # restarted beside b
    expected = 24 + 40
    _wait(lambda: len(set(receiver.ids)) >= expected, 90, "messages lost after the kill")
    time.sleep(1.0)
    assert set(receiver.ids) == outbox_ids(sql)
    assert len(outbox_ids(sql)) == expected  # no deadline fired twice
    # Only what was in flight at the kill may arrive twice, under the same id.
    again = sum(Counter(receiver.ids).values()) - expected
    assert again <= WORKERS * 2
    assert receiver.bad_signatures == 0
    assert store.counts(sql) == {"delivered": expected}
    with sql.connect() as conn:
        pending = conn.execute(
            sa.text("SELECT count(*) FROM deadlines WHERE status = 'pending' AND due_at_us <= :n"),
            {"n": to_us(CLOCK_START)},
        ).scalar()
    assert pending == 0
    sql.dispose()
