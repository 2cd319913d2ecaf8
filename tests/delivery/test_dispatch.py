"""Signed delivery to a real local receiver, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec
import sqlalchemy as sa

from anxin.clock import FixedClock, to_us
from anxin.delivery import store
from anxin.delivery.backoff import DeliveryConfig, RetrySchedule
from tests.delivery.helpers import T0, dispatcher, messages, write
from tests.delivery.receiver import Receiver


def _drain(sql: sa.Engine, clock: FixedClock, d: object, step: dt.timedelta, rounds: int) -> None:
    for _ in range(rounds):
        d.run_once(clock.now())  # type: ignore[attr-defined]
        if not store.due_count(sql, to_us(clock.now()) + 10**15):
            return
        clock.advance(step)


def test_every_message_delivered_once_signed(sql_engine: sa.Engine, receiver: Receiver) -> None:
    batch = messages(orders=20, per_order=3)
    write(sql_engine, batch)
    store.add_endpoint(sql_engine, receiver.url, [], to_us(T0), receiver.secret)
    clock = FixedClock(T0)
    report = dispatcher(sql_engine, clock).run_once(T0)
    assert report.sequenced == 60
    assert report.delivered == 60
    assert report.failed == 0
    assert receiver.bad_signatures == 0
    assert sorted(receiver.ids) == sorted(m.message_id for m in batch)
    assert max(Counter(receiver.ids).values()) == 1
    by_id = {m.message_id: m for m in batch}
    for a in receiver.arrivals:
        # the idempotency key is the outbox message id, in the header and the envelope
        assert a.headers["webhook-id"] == a.body["id"] == a.message_id
        m = by_id[a.message_id]
        assert a.body["type"] == m.topic
        assert a.body["schema"] == f"{m.topic}/v1"
        assert a.body["aggregate_key"] == m.aggregate_key
        assert a.body["data"] == m.body
    # nothing left due; a second run sends nothing
    assert dispatcher(sql_engine, clock).run_once(T0).attempted == 0
    assert store.counts(sql_engine) == {"delivered": 60}


def test_order_kept_per_aggregate_under_retries(sql_engine: sa.Engine, receiver: Receiver) -> None:
    write(sql_engine, messages(orders=5, per_order=3))
    store.add_endpoint(sql_engine, receiver.url, [], to_us(T0), receiver.secret)
    receiver.fail["m:O1:0"] = 4  # the first message of order O1 fails four times
    clock = FixedClock(T0)
    _drain(sql_engine, clock, dispatcher(sql_engine, clock), dt.timedelta(hours=1), 50)
    ids = receiver.ids
    assert len(ids) == 15
    assert len(set(ids)) == 15
    for order in range(5):
        mine = [i for i in ids if i.startswith(f"m:O{order}:")]
        assert mine == [f"m:O{order}:{n}" for n in range(3)]
    # the later messages of O1 were never even tried before the first got through
    assert receiver.tries["m:O1:0"] == 5
    assert receiver.tries["m:O1:1"] == 1
    # other orders did not wait for O1
    assert ids.index("m:O2:2") < ids.index("m:O1:0")


def test_receiver_down_for_an_hour_loses_nothing(sql_engine: sa.Engine, receiver: Receiver) -> None:
    batch = messages(orders=10, per_order=2)
    write(sql_engine, batch)
    store.add_endpoint(sql_engine, receiver.url, [], to_us(T0), receiver.secret)
    receiver.down = True
    clock = FixedClock(T0)
    d = dispatcher(sql_engine, clock)
    for _ in range(6):  # an hour of 500s, a run every ten minutes
        d.run_once(clock.now())
        clock.advance(dt.timedelta(minutes=10))
    assert receiver.ids == []
    assert store.counts(sql_engine).get("failed", 0) == 0
    receiver.down = False
    _drain(sql_engine, clock, d, dt.timedelta(minutes=30), 200)
    assert sorted(receiver.ids) == sorted(m.message_id for m in batch)  # each exactly once
    assert store.counts(sql_engine) == {"delivered": 20}


def test_failed_after_max_attempts_then_replay(sql_engine: sa.Engine, receiver: Receiver) -> None:
    write(sql_engine, messages(orders=2, per_order=1))
    store.add_endpoint(sql_engine, receiver.url, [], to_us(T0), receiver.secret)
    config = DeliveryConfig(retry=RetrySchedule(max_attempts=3, min_window_s=0), workers=2)
    receiver.down = True
    clock = FixedClock(T0)
    d = dispatcher(sql_engine, clock, config)
    _drain(sql_engine, clock, d, dt.timedelta(hours=1), 20)
    failed = store.list_deliveries(sql_engine, "failed")
    assert [(r.message_id, r.attempts) for r in failed] == [("m:O0:0", 3), ("m:O1:0", 3)]
    assert all(r.last_error and r.last_error.startswith("HTTP 500") for r in failed)
    receiver.down = False
    assert store.replay(sql_engine, to_us(clock.now()), failed=True) == 2
    assert d.run_once(clock.now()).delivered == 2
    assert sorted(receiver.ids) == ["m:O0:0", "m:O1:0"]
    # replaying one delivered message sends it again, under the same id
    assert store.replay(sql_engine, to_us(clock.now()), "m:O0:0") == 1
    d.run_once(clock.now())
    assert receiver.ids.count("m:O0:0") == 2


def test_subscriptions_filter_topics_and_removal_cancels(
    sql_engine: sa.Engine, receiver: Receiver
) -> None:
    write(sql_engine, messages(orders=3, per_order=2))
    tasks, _ = store.add_endpoint(
        sql_engine, receiver.url, ["merchant.task"], to_us(T0), receiver.secret
    )
    gone, _ = store.add_endpoint(sql_engine, "http://127.0.0.1:9/never", [], to_us(T0))
    assert store.remove_endpoint(sql_engine, gone.endpoint_id, to_us(T0))
    assert not store.remove_endpoint(sql_engine, gone.endpoint_id, to_us(T0))
    clock = FixedClock(T0)
    dispatcher(sql_engine, clock).run_once(T0)
    assert sorted(receiver.ids) == ["m:O0:1", "m:O1:1", "m:O2:1"]
    assert [e.endpoint_id for e in store.list_endpoints(sql_engine)] == [tasks.endpoint_id]
    # a message committed later is sequenced after the others, whatever its created_at
    late = messages(orders=1, per_order=2, start=T0 - dt.timedelta(days=1))[1]
    write(sql_engine, [msgspec.structs.replace(late, message_id="late:1")])
    assert dispatcher(sql_engine, clock).run_once(T0).sequenced == 1
    with sql_engine.connect() as conn:
        seqs = dict(conn.execute(sa.text("SELECT message_id, seq FROM outbox")).all())
    assert seqs["late:1"] == max(seqs.values()) == 7
    assert receiver.ids[-1] == "late:1"
