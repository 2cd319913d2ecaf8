"""The fast path's parts on the ingested world, on SQLite and PostgreSQL: the order view a
decision decodes gives the same facts as the full engine state, and group commit writes what
one transaction per request wrote (repeats absorbed, one bad request failing alone)."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future
from pathlib import Path
from typing import Any, cast

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.domain.order import decode_state
from anxin.refunds.model import load
from anxin.refunds.service import (
    DecideBody,
    Decider,
    RefundDecision,
    RefundService,
    decode_view,
    order_facts,
)
from anxin.refunds.writer import DecisionWriter
from anxin.store import schema as t
from anxin.store.database import make_engine
from tests.refunds.conftest import SmallWorld, count

_BODY = msgspec.json.Decoder(DecideBody)


def body_of(request: dict[str, Any]) -> DecideBody:
    return _BODY.decode(msgspec.json.encode(request))


@pytest.fixture
def sql(world_db: str) -> Any:
    engine = make_engine(world_db)
    yield engine
    engine.dispose()


def test_the_order_view_gives_the_facts_of_the_full_state(sql: sa.Engine) -> None:
    with sql.connect() as conn:
        states = conn.execute(sa.select(t.order_state.c.state)).scalars().all()
    assert len(states) > 100
    for raw in states:
        assert order_facts(decode_view(raw)) == order_facts(decode_state(raw))
    # the world is not trivial: parcels with scans, addresses and categories show up
    facts = [order_facts(decode_view(raw)) for raw in states]
    assert any(f.first_scan_us is not None for f in facts)
    assert any(f.delivered_us is not None for f in facts)
    assert any(f.address for f in facts)
    assert any(f.category for f in facts)


def test_group_commit_writes_each_request_once_and_answers_each(
    world: SmallWorld, sql: sa.Engine, model: tuple[Path, dict[str, Any]]
) -> None:
    """Every request of the world, each submitted twice at once: each answer is the decision
    ``evaluate`` made, stored once; each live approval left exactly one message."""
    svc = RefundService(sql, Decider(load_policy(world.pack), load(model[0])))
    writer = DecisionWriter(svc)
    decided = [svc.evaluate(body_of(r), world.now) for r in world.requests]
    pending = [(d, writer.submit(d, world.now)) for d in decided for _ in range(2)]
    answers = [(d, done.result(timeout=60)) for d, done in pending]
    for d, view in answers:
        assert view == d[0].view
    ids = {view.decision_id for _, view in answers}
    assert len(ids) == len(world.requests)
    d = t.refund_decisions.c
    with sql.connect() as conn:
        stored = conn.execute(
            sa.select(d.decision_id, sa.func.count())
            .where(d.decision_id.in_(ids))
            .group_by(d.decision_id)
        ).all()
    assert sorted(stored) == sorted((i, 1) for i in ids)
    approved = {v.decision_id for _, v in answers if v.outcome == "approve_now"}
    assert approved, "no approval in the world"
    assert {v.outcome for _, v in answers} > {"approve_now"}
    o = t.outbox.c
    for i in approved:
        assert count(sql, t.outbox, o.message_id == f"{i}:approved") == 1


def test_a_bad_request_fails_alone(world: SmallWorld, sql: sa.Engine) -> None:
    """A decision the store refuses (no outcome) beside good ones: its request gets the error,
    the others are committed and answered."""
    svc = RefundService(sql, Decider(load_policy(world.pack), None))
    writer = DecisionWriter(svc)
    good = [svc.evaluate(body_of(r), world.now) for r in world.requests[:20]]
    first = good[0][0]
    view = msgspec.structs.replace(first.view, decision_id="bad-decision", outcome=cast(str, None))
    bad = [dataclasses.replace(first, view=view)]
    pending: list[tuple[list[Any], Future[RefundDecision]]] = [
        (d, writer.submit(d, world.now)) for d in [*good[:10], bad, *good[10:]]
    ]
    for d, done in pending:
        if d is bad:
            with pytest.raises(sa.exc.IntegrityError):
                done.result(timeout=60)
        else:
            assert done.result(timeout=60).decision_id == d[0].view.decision_id
    d_ = t.refund_decisions.c
    assert count(sql, t.refund_decisions, d_.decision_id == "bad-decision") == 0
    for d in good:
        assert count(sql, t.refund_decisions, d_.decision_id == d[0].view.decision_id) == 1
