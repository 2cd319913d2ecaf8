"""A simulated week, end to end, over HTTP only, on PostgreSQL.

``anxin serve`` processes (real subprocesses) take the tiny preset's week as ``POST /v1/events``
batches, fire every clock on a test clock (``--clock-offset``: their "now" is the stream's end
+ 1 day, as the demo replays it) and deliver the outbox to a real signing receiver, registered
as a webhook endpoint. The receiver refuses the first requests (500) and the process running
the scheduler is killed with SIGKILL mid-delivery and restarted. What finally arrives must be
exactly what an undisturbed in-process run of the same stream produces (same message ids and
bodies), each verified by its Standard Webhooks signature, and the compensations must sum to
the ledger's consumer payouts, per order and in total.

Ingest runs with the scheduler off (phase 1) and the scheduler starts after it (phase 2): the
stream holds each order's whole life and is replayed in seconds with the clock already at its
end, so a clock firing mid-replay would judge an order before its later events arrived (a late
shipment whose shipment is in the next batch), and the outcome would depend on timing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from anxin.api.keys import create_key
from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock, SystemClock, to_us
from anxin.delivery import store as delivery_store
from anxin.delivery.envelope import new_secret
from anxin.serve_process import ServeProcess
from anxin.sim import preset, simulate
from anxin.store.sql import SqlStore
from tests.delivery.receiver import Receiver, serve
from tests.serve.test_serve import _wait

BATCH = 1_000
WORKERS = 2
CLAIM = 20  # deliveries a dispatcher claims per round: their outcomes are recorded together
REFUSED = 25  # the receiver answers 500 to its first requests
# The guarantees' three and their automatic refunds (a parcel lost or never signed), the
# after-sales refunds anxin grants (a merchant's agreement or silence) for the marketplace to
# pay, and presale orders from merchants without the privilege, flagged at ingest.
TOPICS = {
    "consumer.compensation",
    "merchant.task",
    "carrier.task",
    "refund.auto_approved",
    "refund.granted",
    "order.presale_flagged",
}


@dataclass
class FlakyReceiver(Receiver):
    """A receiver down for its first ``refuse_first`` requests (a deploy, an outage)."""

    refuse_first: int = 0
    refused: int = 0

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            refuse = self.refused < self.refuse_first
            self.refused += refuse
        return 500 if refuse else super().handle(body, headers)


@dataclass(frozen=True)
class Week:
    lines: list[bytes]
    now: dt.datetime  # the replay clock: the stream's last event + 1 day
    pack: str


def _week() -> Week:
    params = preset("tiny", seed=7)
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    return Week(
        events.getvalue().splitlines(), summary.last_event_at + dt.timedelta(days=1), params.pack
    )


@pytest.fixture
def receiver() -> Iterator[FlakyReceiver]:
    r = FlakyReceiver(new_secret(), refuse_first=REFUSED)
    server = serve(r)
    yield r
    server.shutdown()
    server.server_close()


def start_server(
    db_url: str, offset_s: float, config: Path, log: Path, *flags: str
) -> ServeProcess:
    """One ``anxin serve``; ``offset_s`` is shared by all (claims need one clock)."""
    args = ["--clock-offset", str(offset_s), "--tick-interval", "0.3"]
    args += ["--dispatch-interval", "0.2", "--delivery-config", str(config), *flags]
    return ServeProcess(db_url, log, *args)


def _reference(week: Week, db: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """message id -> (topic, body) of an undisturbed in-process run: the same batches, then
    ``tick`` at the replay clock."""
    sql = open_store(str(db))
    engine = build_engine(SqlStore(sql), load_policy(week.pack), FixedClock(week.now))
    for i in range(0, len(week.lines), BATCH):
        report = engine.ingest(list(enumerate(week.lines[i : i + BATCH])), "reference")
        assert report.rejected == 0
    engine.tick(week.now)
    with sql.connect() as conn:
        # The servers' clocks run on past the replay clock for the test's length: no clock may
        # fall due in that window, or the servers would fire what the reference did not.
        soon = to_us(week.now + dt.timedelta(hours=1))
        assert (
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM deadlines WHERE status = 'pending' AND due_at_us < :s"
                ),
                {"s": soon},
            ).scalar_one()
            == 0
        )
        rows = conn.execute(sa.text("SELECT message_id, topic, body FROM outbox")).all()
    sql.dispose()
    return {r.message_id: (r.topic, json.loads(r.body)) for r in rows}


def _ledger_by_order(sql: sa.Engine) -> dict[str, int]:
    """Consumer payouts booked in the ledger, per order (through the decision that paid); the
    after-sales refunds paid (``refund:…``) are the marketplace's own report, not a message."""
    with sql.connect() as conn:
        # .all(): a Result has keys() (its columns), so dict() would read it as a mapping.
        decisions = conn.execute(sa.text("SELECT decision_id, aggregate_key FROM decisions"))
        orders: dict[str, str] = dict(decisions.all())
        rows = conn.execute(
            sa.text(
                "SELECT t.explanation, e.amount FROM ledger_entries e"
                " JOIN ledger_transactions t ON t.txn_key = e.txn_key"
                " WHERE e.account LIKE 'consumer:%' AND e.amount > 0"
                " AND t.txn_key NOT LIKE 'refund:%'"
            )
        ).all()
        paid: dict[str, int] = defaultdict(int)
        for explanation, amount in rows:
            key = orders[json.loads(explanation)["decision_id"]]
            assert key.startswith("order:")
            paid[key.removeprefix("order:")] += int(amount)
    return dict(paid)


def _post_week(server: ServeProcess, key: str, week: Week) -> None:
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
        for i in range(0, len(week.lines), BATCH):
            batch = week.lines[i : i + BATCH]
            body = b'{"events":[' + b",".join(batch) + b"]}"
            answer = client.post("/v1/events", content=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["accepted"] == len(batch), answer.text


def test_a_week_over_http_is_delivered_exactly_as_computed(
    pg_url: str, receiver: FlakyReceiver, tmp_path: Path
) -> None:
    week = _week()
    expected = _reference(week, tmp_path / "reference.db")
    assert {topic for topic, _ in expected.values()} == TOPICS  # the week exercises all six

    sql = open_store(pg_url)
    delivery_store.add_endpoint(sql, receiver.url, [], to_us(SystemClock().now()), receiver.secret)
    key = create_key(sql, "marketplace", "ingest", clock=SystemClock())
    config = tmp_path / "delivery.yaml"
    # Quick retries (the defaults wait 30 s and more) and short leases: a killed process's
    # claims come back within seconds.
    config.write_text(
        f"lease_s: 3\ntimeout_s: 2\nworkers: {WORKERS}\nbatch: {CLAIM}\nretry:\n"
        "  max_attempts: 100\n  first_delay_s: 0.5\n  factor: 1.0\n  max_delay_s: 0.5\n"
        "  min_delay_s: 0.2\n  min_window_s: 0\n"
    )
    offset_s = (week.now - dt.datetime.now(dt.UTC)).total_seconds()
    log = tmp_path / "serve.log"
    started: list[ServeProcess] = []

    def start(*flags: str) -> ServeProcess:
        started.append(start_server(pg_url, offset_s, config, log, *flags))
        return started[-1]

    try:
        # Phase 1: the week arrives over HTTP; no clock fires yet (see the module docstring).
        feeder = start("--no-scheduler")
        _post_week(feeder, key, week)

        # Phase 2: a process with the scheduler fires every clock; both processes deliver.
        receiver.stall = 0.03  # requests stay in flight long enough to be cut by the kill
        scheduler = start()
        _wait(lambda: len(receiver.ids) >= len(expected) // 3, 60, "delivery did not start")
        scheduler.kill()
        assert receiver.refused >= REFUSED
        assert len(set(receiver.ids)) < len(expected), "all delivered before the kill"
        receiver.stall = 0.0
        start()  # restarted
        _wait(
            lambda: set(receiver.ids) >= expected.keys(),
            60,
            f"{len(expected.keys() - set(receiver.ids))} messages never arrived",
        )
        threading.Event().wait(1.0)  # a second firing or an unexpected message would show now
    finally:
        for server in started:
            server.stop()

    with sql.connect() as conn:
        stored = {
            r.message_id: (r.topic, json.loads(r.body))
            for r in conn.execute(sa.text("SELECT message_id, topic, body FROM outbox"))
        }
        pending = conn.execute(
            sa.text("SELECT count(*) FROM deadlines WHERE status = 'pending' AND due_at_us <= :n"),
            {"n": to_us(week.now)},
        ).scalar_one()
    assert pending == 0
    assert stored == expected  # the store computed what the undisturbed run did

    # Every message arrived, signed; only the killed process's claimed round (sent, its
    # outcomes not yet recorded) may arrive twice, under its own id with the same body
    # (receivers dedupe on webhook-id).
    assert receiver.bad_signatures == 0
    arrivals = {a.message_id: a for a in receiver.arrivals}
    assert arrivals.keys() == expected.keys()
    assert sum(Counter(receiver.ids).values()) - len(arrivals) <= CLAIM
    for arrival in receiver.arrivals:
        topic, body = expected[arrival.message_id]
        assert arrival.body["type"] == topic
        assert arrival.body["data"] == body
        assert arrival.headers["webhook-id"] == arrival.body["id"] == arrival.message_id
    assert delivery_store.counts(sql) == {"delivered": len(expected)}

    # Compensations received = the ledger's consumer payouts, per order and in total.
    received: dict[str, int] = defaultdict(int)
    for arrival in arrivals.values():
        if arrival.body["type"] == "consumer.compensation":
            data = arrival.body["data"]
            assert data["amount"]["currency"] == "CNY"
            received[data["order_id"]] += data["amount"]["amount"]
    ledger = _ledger_by_order(sql)
    assert dict(received) == ledger
    assert sum(received.values()) == sum(ledger.values()) > 0
    # Each refund.granted asks for what the ledger granted the case (owed to the consumer).
    with sql.connect() as conn:
        granted = dict(
            conn.execute(
                sa.text(
                    "SELECT txn_key, amount FROM ledger_entries"
                    " WHERE account LIKE 'refunds_payable:%' AND amount > 0"
                )
            ).all()
        )
    asked = {
        f"refund:{a.body['data']['aftersale_id']}:granted": a.body["data"]["amount"]["amount"]
        for a in arrivals.values()
        if a.body["type"] == "refund.granted"
    }
    assert asked
    assert all(granted[key] == amount for key, amount in asked.items())
    sql.dispose()
