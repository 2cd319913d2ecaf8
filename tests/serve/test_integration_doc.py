"""docs/integration.md says true things: its example events decode under the contract, its
batch is those events, replaying them in real time through the engine produces exactly the
messages it shows, and its receiver example is valid Python."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa

from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock, from_us
from anxin.contract.decode import Rejected, decode_event, encode_event, split_batch
from anxin.delivery.topics import schema_name
from anxin.store.sql import SqlStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
FENCE = re.compile(r"^```(\w+)(?: (\w+))?\n(.*?)^```$", re.M | re.S)


def blocks(kind: str, language: str = "json") -> list[str]:
    found = [
        body for lang, k, body in FENCE.findall(DOC.read_text()) if (lang, k) == (language, kind)
    ]
    assert found, f"no ```{language} {kind} block in {DOC.name}"
    return found


def canonical(raw: bytes) -> bytes:
    event = decode_event(raw)
    assert not isinstance(event, Rejected), event
    return encode_event(event)


def test_every_example_event_and_the_batch_decode() -> None:
    events = [canonical(b.encode()) for b in blocks("event")]
    (batch,) = blocks("batch")
    in_batch = [canonical(raw) for raw in split_batch(batch.encode())]
    assert in_batch
    assert set(in_batch) <= set(events)  # the batch sends the example's events


def test_replaying_the_example_yields_the_messages_shown(tmp_path: Path) -> None:
    raws = [b.encode() for b in blocks("event")]
    first = decode_event(raws[0])
    assert not isinstance(first, Rejected)
    sql = open_store(str(tmp_path / "doc.db"))
    clock = FixedClock(first.occurred_at)
    engine = build_engine(SqlStore(sql), load_policy("douyin"), clock)
    # In real time: each event arrives a few minutes after it happened, the clocks due by then
    # having fired; then the rest of the month passes.
    for i, raw in enumerate(raws):
        event = decode_event(raw)
        assert not isinstance(event, Rejected)
        clock.set(event.occurred_at + dt.timedelta(minutes=5))
        engine.tick()
        assert engine.ingest([(i, raw)], "doc").accepted == 1
    clock.set(dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    engine.tick()

    with sql.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT message_id, topic, aggregate_key, created_at_us, body FROM outbox")
        ).all()
    sql.dispose()
    produced = {
        r.message_id: {
            "type": r.topic,
            "schema": schema_name(r.topic),
            "aggregate_key": r.aggregate_key,
            "created_at": from_us(r.created_at_us),
            "data": json.loads(r.body),
        }
        for r in rows
    }
    shown: dict[str, dict[str, Any]] = {}
    for block in blocks("message"):
        message = json.loads(block)
        message.pop("sequence")  # given by the dispatcher when it sequences the outbox
        message["created_at"] = msgspec.convert(message["created_at"], dt.datetime)
        shown[message.pop("id")] = message
    assert shown == produced


def test_the_receiver_example_is_python() -> None:
    (receiver,) = [body for lang, _, body in FENCE.findall(DOC.read_text()) if lang == "python"]
    compile(receiver, DOC.name, "exec")
    assert ".verify(body, headers)" in receiver
