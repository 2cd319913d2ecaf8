"""Pre-identification on a simulated world: the consumers react to anxin's outreach without
the world changing otherwise; the store's run finds the same contacts the simulator's hook
did, sends each once, and the consumer's hall shows it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

import msgspec
import sqlalchemy as sa

from anxin.contract.events import AnyEvent, Event, ReviewPosted
from anxin.engine.processor import Engine
from anxin.guarantees.hall import load_hall
from anxin.policy.pack import PolicyBook
from anxin.service.outreach import Outreach
from anxin.service.proactive_eval import compare, helps_of
from anxin.service.proactive_run import run
from anxin.sim import preset
from anxin.sim.run import simulate
from anxin.store import schema as t

_EVENTS = msgspec.json.Decoder(AnyEvent)


@cache
def _world(outreach: bool) -> tuple[list[bytes], list[bytes], dict[str, int]]:
    from anxin.application import load_policy

    hook = Outreach(load_policy("douyin")) if outreach else None
    events, truth = io.BytesIO(), io.BytesIO()
    simulate(preset("tiny", seed=3), events, truth, outreach=hook)
    contacts = dict(hook.contacts) if hook else {}
    return events.getvalue().splitlines(), truth.getvalue().splitlines(), contacts


def _key(e: Event) -> tuple[str, str]:
    return (e.id, e.occurred_at.isoformat())


def test_outreach_takes_back_requests_and_changes_nothing_else() -> None:
    off_lines, off_truth, _ = _world(False)
    on_lines, on_truth, contacts = _world(True)
    off = {_key(e): e for e in map(_EVENTS.decode, off_lines)}
    on = {_key(e): e for e in map(_EVENTS.decode, on_lines)}
    missing = [off[k] for k in off.keys() - on.keys()]
    assert not on.keys() - off.keys()  # nothing new happens
    assert missing  # some consumers did not write
    assert {e.type for e in missing} <= {"chat.message", "chat.rated", "complaint.filed"}
    changed = [k for k in on.keys() & off.keys() if on[k] != off[k]]
    assert all(isinstance(on[k], ReviewPosted) for k in changed)  # reached: kinder stars
    assert all(on[k].payload.stars >= off[k].payload.stars for k in changed)  # type: ignore[union-attr]
    without, with_ = helps_of(off_truth), helps_of(on_truth)
    # The same requests were meant in both worlds; in the world with outreach some were not made.
    assert [(h.order_id, h.at) for h in without] == [(h.order_id, h.at) for h in with_]
    assert all(h.asked for h in without)
    assert not all(h.asked for h in with_)
    figures = compare(without, with_, contacts, orders=len({h.order_id for h in with_}) or 1)
    assert figures["reach"] > 0.5


def test_the_store_finds_the_same_contacts_and_sends_each_once(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    lines, _, contacts = _world(True)
    engine.ingest(list(enumerate(lines)), "sim")
    now = max(e.occurred_at for e in map(_EVENTS.decode, lines)) + dt.timedelta(days=1)
    engine.tick(now)
    first = run(sql_engine, book, now)
    again = run(sql_engine, book, now)
    o = t.outbox.c
    with sql_engine.connect() as conn:
        sent = dict(conn.execute(sa.select(o.aggregate_key, o.created_at_us)
                                 .where(o.topic == "service.proactive")).all())  # fmt: skip
    assert first.contacts == again.contacts == len(sent) > 0
    stored = {k.removeprefix("order:"): v // 1_000_000 for k, v in sent.items()}
    # The simulator asked about every order whose consumer could react; the store judged all.
    assert contacts
    differ = {oid: (at, stored.get(oid)) for oid, at in contacts.items() if stored.get(oid) != at}
    assert not differ, list(differ.items())[:5]
    oid, at_us = min(sent.items(), key=lambda kv: kv[0])
    hall = load_hall(sql_engine, oid.removeprefix("order:"), book, now)
    (message,) = hall.proactive
    assert int(message.sent_at.timestamp() * 1_000_000) == at_us
    assert oid.removeprefix("order:") in message.text.zh
    assert oid.removeprefix("order:") in message.text.en
    before = load_hall(sql_engine, oid.removeprefix("order:"), book, message.sent_at
                       - dt.timedelta(seconds=1))  # fmt: skip
    assert before.proactive == []  # not yet sent then
