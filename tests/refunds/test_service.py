"""The service on the ingested world, on SQLite and PostgreSQL: online features agree with the
offline dataset, a candidate decides in shadow and is never executed, repeats are absorbed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from anxin.application import load_policy
from anxin.clock import to_us
from anxin.refunds.features import NAMES
from anxin.refunds.model import load
from anxin.refunds.service import DecideBody, Decider, RefundService, UnknownOrder
from anxin.store import schema as t
from anxin.store.database import make_engine
from tests.refunds.conftest import SmallWorld, cli, count, one_json_line

_BODY = msgspec.json.Decoder(DecideBody)


def body_of(request: dict[str, Any]) -> DecideBody:
    return _BODY.decode(msgspec.json.encode(request))


@pytest.fixture
def sql(world_db: str) -> Any:
    engine = make_engine(world_db)
    yield engine
    engine.dispose()


def test_online_features_are_the_offline_rows(
    world: SmallWorld, sql: sa.Engine, model: tuple[Path, dict[str, Any]]
) -> None:
    """Every request of the world: the service's features (engine order state + projected read
    model) equal ``dataset.build``'s row for it, feature by feature."""
    svc = RefundService(sql, Decider(load_policy(world.pack), load(model[0])))
    rows = {r.case.aftersale_id: r for r in world.data.rows}
    assert len(rows) == len(world.requests) > 100
    differ: list[str] = []
    for request in world.requests:
        req, _, x = svc.inputs(body_of(request), world.now)
        row = rows[request["aftersale_id"]]
        assert req == row.request
        differ += [
            f"{req.aftersale_id} {n}: online {a} offline {b}"
            for n, a, b in zip(NAMES, x, row.x, strict=True)
            if a != b
        ]
    assert differ == []
    # the world is not trivial: histories show up in the features
    ix = NAMES.index
    assert any(r.x[ix("requests_all")] > 0 for r in rows.values())
    assert any(r.x[ix("refunds_90d")] > 0 for r in rows.values())
    assert any(r.x[ix("findings_all")] > 0 for r in rows.values())


def _approved_request(world: SmallWorld, svc: RefundService, taken: str) -> dict[str, Any]:
    """A request the live side approves now and the shadow test has to itself (``taken``:
    which end of the request list, so two tests never share one)."""
    order = world.requests if taken == "first" else world.requests[::-1]
    for request in order:
        decided = svc.evaluate(body_of(request), world.now)
        if decided[0].view.outcome == "approve_now":
            return request
    raise AssertionError("no request is approved now in the world")


def test_a_candidate_decides_in_shadow_and_is_never_executed(
    world: SmallWorld,
    sql: sa.Engine,
    world_db: str,
    model: tuple[Path, dict[str, Any]],
    candidate: tuple[Path, dict[str, Any]],
) -> None:
    book = load_policy(world.pack)
    live, cand = load(model[0]), load(candidate[0])
    svc = RefundService(sql, Decider(book, live), Decider(book, cand, shadow=True))
    request = _approved_request(world, svc, "first")
    aid = request["aftersale_id"]
    ledger_before = count(sql, t.ledger_entries)
    outbox_before = count(sql, t.outbox)

    view = svc.decide(body_of(request), world.now)
    assert (view.outcome, view.shadow, view.model_version) == ("approve_now", False, live.version)
    d = t.refund_decisions.c
    with sql.connect() as conn:
        rows = conn.execute(
            sa.select(d.decision_id, d.shadow, d.model_version, d.outcome).where(
                d.aftersale_id == aid
            )
        ).all()
    by_side = {r.shadow: r for r in rows}
    assert sorted(by_side) == [0, 1]
    assert by_side[0].decision_id == view.decision_id
    assert by_side[1].model_version == cand.version != live.version
    shadow_id = by_side[1].decision_id
    assert shadow_id != view.decision_id
    # executed: the live approval's one message; the shadow's nothing; no money moves here
    o = t.outbox.c
    assert count(sql, t.outbox, o.message_id == f"{view.decision_id}:approved") == 1
    assert count(sql, t.outbox, o.body.contains(shadow_id)) == 0
    assert count(sql, t.outbox, o.message_id.contains(shadow_id)) == 0
    assert count(sql, t.outbox) == outbox_before + 1
    assert count(sql, t.ledger_entries) == ledger_before
    with sql.connect() as conn:
        topic, body = conn.execute(
            sa.select(o.topic, o.body).where(o.message_id == f"{view.decision_id}:approved")
        ).one()
    message = msgspec.json.decode(body)
    assert topic == "refund.instant_approved"
    assert (message["aftersale_id"], message["amount"]) == (aid, request["amount"])

    # the same request again, even at another instant: the same ids, nothing new written
    decisions_before = count(sql, t.refund_decisions)
    again = svc.decide(body_of(request), world.now + dt.timedelta(minutes=5))
    assert again.decision_id == view.decision_id
    assert count(sql, t.refund_decisions) == decisions_before
    assert count(sql, t.outbox) == outbox_before + 1
    assert count(sql, t.ledger_entries) == ledger_before

    report = one_json_line(cli("--db", world_db, "refunds", "shadow-report"))
    assert set(report) == {"requests", "labelled", "agreement", "live", "candidate"}
    assert report["requests"] >= 1
    assert 0.0 <= report["agreement"] <= 1.0
    for side, version in (("live", live.version), ("candidate", cand.version)):
        assert set(report[side]) == {"coverage", "loss_rate", "versions"}
        assert all(v.endswith("/" + version) for v in report[side]["versions"]), report


def test_an_unknown_order_is_refused_and_nothing_written(world: SmallWorld, sql: sa.Engine) -> None:
    svc = RefundService(sql, Decider(load_policy(world.pack), None))
    before = count(sql, t.refund_decisions)
    request = {**world.requests[0], "aftersale_id": "AS-NOPE", "order_id": "O-NOPE"}
    with pytest.raises(UnknownOrder):
        svc.decide(body_of(request), world.now)
    assert count(sql, t.refund_decisions) == before


@pytest.mark.parametrize(("kind", "withdraws"), [("suspension", True), ("warning", False)])
def test_a_merchant_under_a_withdrawing_measure_gets_no_instant_refund(
    world: SmallWorld,
    sql: sa.Engine,
    model: tuple[Path, dict[str, Any]],
    kind: str,
    withdraws: bool,
) -> None:
    """Enforcement withdraws the instant-refund privilege (the pack's ``withdrawn_by``): while
    a suspension is in force the request takes the standard flow, naming the measure; a
    warning withdraws nothing. Before it starts and after it ends, the decision is as before."""
    svc = RefundService(sql, Decider(load_policy(world.pack), load(model[0])))
    request = _approved_request(world, svc, "first")
    body = body_of(request)
    assert body.requested_at is not None
    at = body.requested_at
    with sql.connect() as conn:
        state = conn.execute(
            sa.select(t.order_state.c.state).where(t.order_state.c.order_id == body.order_id)
        ).scalar_one()
    merchant = msgspec.json.decode(state)["merchant_id"]
    spans = {
        "in force": (at - dt.timedelta(days=1), at + dt.timedelta(days=1)),
        "ended": (at - dt.timedelta(days=2), at),  # ends exactly at the request: not in force
        "later": (at + dt.timedelta(seconds=1), None),
    }
    try:
        for name, (starts, ends) in spans.items():
            with sql.begin() as conn:
                conn.execute(sa.delete(t.measures).where(t.measures.c.measure_id == "ms-test"))
                conn.execute(sa.insert(t.measures), [{
                    "measure_id": "ms-test", "violation_id": "v-test", "merchant_id": merchant,
                    "kind": kind, "status": "active", "starts_at_us": to_us(starts),
                    "ends_at_us": None if ends is None else to_us(ends), "lift": "expiry",
                    "amount": None, "currency": None,
                    "explanation": "{}"}])  # fmt: skip
            live = svc.evaluate(body, world.now)[0].view
            if name == "in force" and withdraws:
                assert live.outcome == "standard_flow", name
                assert f"merchant.measure:{kind}" in live.rules_hit
            else:
                assert live.outcome == "approve_now", name
                assert not any(r.startswith("merchant.measure") for r in live.rules_hit)
    finally:
        with sql.begin() as conn:
            conn.execute(sa.delete(t.measures).where(t.measures.c.measure_id == "ms-test"))
