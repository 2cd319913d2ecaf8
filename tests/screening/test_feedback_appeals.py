"""Post-sale feedback actions go through enforcement's flow (SQLite and PostgreSQL): each is an
appealable ``listing_feedback`` violation with its measure, the merchant reads its figures and
actions in its own scoped view, files an appeal, an operator upholds it, the listing's measure
is lifted with a message naming the listing, and no later run records it again."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from anxin.enforcement.evaluate import caught
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.screening.feedback import Outcomes, shop_feedback, smoothed
from anxin.screening.feedback_run import run
from anxin.sim import preset
from anxin.sim.run import simulate
from anxin.store import schema as t

NOW = dt.datetime(2026, 10, 22, tzinfo=dt.UTC)  # the window: the simulated fortnight


def _world(engine: Engine) -> None:
    events, truth = io.BytesIO(), io.BytesIO()
    simulate(preset("tiny", seed=4, days=14), events, truth)
    engine.ingest(list(enumerate(events.getvalue().splitlines())), "sim")


def _rows(sql: sa.Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> list[sa.Row]:
    with sql.connect() as conn:
        return list(conn.execute(sa.select(table).where(*where)))


def test_each_action_is_an_appealable_violation_with_its_measure(
    engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    _world(engine)
    found = run(sql_engine, book, NOW)
    assert {j.action for j in found} >= {"warning"}
    v = t.violations.c
    recorded = _rows(sql_engine, t.violations, v.type == "listing_feedback")
    rows = {r.violation_id: r for r in recorded}
    assert set(rows) == {f"feedback:{j.listing_id}:{j.action}" for j in found}
    kinds = {"warning": ("warning", "done"), "derank": ("listing_derank", "active"),
             "delist": ("product_delisting", "active")}  # fmt: skip
    for j in found:
        r = rows[f"feedback:{j.listing_id}:{j.action}"]
        assert (r.merchant_id, r.tier, r.status) == (j.merchant_id, j.action, "active")
        assert r.appeal_by_us > r.noticed_at_us
        (m,) = _rows(sql_engine, t.measures, t.measures.c.violation_id == r.violation_id)
        assert (m.kind, m.status) == kinds[j.action]
    # Listing actions are not merchant conduct: `violations evaluate` does not score them.
    assert "listing_feedback" not in caught(sql_engine)
    run(sql_engine, book, NOW + dt.timedelta(days=1))  # a later run records nothing twice
    assert len(_rows(sql_engine, t.violations, v.type == "listing_feedback")) == len(found)


def test_the_merchant_appeals_a_delisting_and_the_listing_comes_back(
    db_url: str, engine: Engine, sql_engine: sa.Engine, book: PolicyBook
) -> None:
    _world(engine)
    found = run(sql_engine, book, NOW)
    j = next(x for x in found if x.action != "warning")  # a lasting measure
    vid = f"feedback:{j.listing_id}:{j.action}"
    clock = FixedClock(NOW + dt.timedelta(hours=1))
    with TestClient(create_app(db_url, clock=clock)) as client:
        mine = {"X-API-Key": create_key(sql_engine, "m", "merchant", merchant_id=j.merchant_id,
                                        clock=clock)}  # fmt: skip
        other = {"X-API-Key": create_key(sql_engine, "o", "merchant", merchant_id="nobody",
                                         clock=clock)}  # fmt: skip
        op = {"X-API-Key": create_key(sql_engine, "op", "operator", clock=clock)}

        view = client.get(f"/v1/merchants/{j.merchant_id}/listings/feedback", headers=mine)
        assert view.status_code == 200
        body = view.json()
        assert vid in [a["violation_id"] for a in body["actions"]]
        assert body["figures"]["orders"] >= j.orders
        url = f"/v1/merchants/{j.merchant_id}/listings/feedback"
        assert client.get(url, headers=other).status_code == 404  # another shop's: not there
        listed = client.get(f"/v1/merchants/{j.merchant_id}/violations",
                            params={"type": "listing_feedback"}, headers=mine).json()  # fmt: skip
        assert {x["type"] for x in listed["violations"]} == {"listing_feedback"}

        filed = client.post(f"/v1/violations/{vid}/appeal", headers=mine,
                            json={"reason": "the returns were a courier's damage"})  # fmt: skip
        assert filed.status_code == 201, filed.text
        appeal_id = filed.json()["appeal_id"]
        decided = client.post(f"/v1/appeals/{appeal_id}/decision", headers=op,
                              json={"upheld": True, "decision": "damage in transit"})  # fmt: skip
        assert decided.status_code == 200, decided.text
        creators = client.get("/v1/screening/creators", headers=op)
        assert creators.status_code == 200
        assert client.get("/v1/screening/creators", headers=mine).status_code == 403

    (r,) = _rows(sql_engine, t.violations, t.violations.c.violation_id == vid)
    assert r.status == "reverted"
    o = t.outbox.c
    (lifted,) = _rows(sql_engine, t.outbox, o.topic == "enforcement.measure_lifted")
    assert lifted.aggregate_key == f"merchant:{j.merchant_id}"
    assert f'"listing_id":"{j.listing_id}"' in lifted.body.replace(" ", "")
    (sent,) = _rows(sql_engine, t.outbox, o.message_id == vid)
    assert f'"violation_id":"{vid}"' in sent.body.replace(" ", "")
    # The next run judges the same listing again and leaves the upheld appeal alone.
    run(sql_engine, book, NOW + dt.timedelta(days=1))
    (r,) = _rows(sql_engine, t.violations, t.violations.c.violation_id == vid)
    assert r.status == "reverted"


@pytest.mark.parametrize("bad", [5, 30])  # an ordinary shop; one with a rejected listing
def test_a_shop_is_compared_with_its_category_mix(bad: int) -> None:
    found = {f"L{i}": Outcomes(f"L{i}", "M1", "服饰", 100, 1, 5, 100) for i in range(19)}
    found["X"] = Outcomes("X", "M2", "服饰", 100, 0, bad, 100)
    mean = (19 * 5 + bad) / 2000  # the category's share over every shop's listings
    got = {s.merchant_id: s for s in shop_feedback(found, 20)}
    assert got["M2"].expected_bad_review_share == pytest.approx(mean)
    assert got["M2"].bad_review_share == pytest.approx(smoothed(bad, 100, mean, 20))
    assert (got["M1"].listings, got["M1"].orders, got["M1"].bad_reviews) == (19, 1900, 95)
    worse = got["M2"].bad_review_share > got["M2"].expected_bad_review_share
    assert worse == (bad > 5)
