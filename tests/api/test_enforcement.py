"""The enforcement API on a store the enforcement run filled from hand-made facts: a merchant
reads its own shop and nobody else's, appeals through the API, the operator decides and the
measures are reverted (money too), and the queues come in order with their due times. Both
backends (``db_url``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.application import load_policy
from anxin.clock import FixedClock
from anxin.enforcement.facts import Day, MerchantFacts
from anxin.enforcement.run import config_of, frozen, run
from anxin.store import schema as t
from tests.api.world import CST, seed_enforcement

# The run notices at RUN; the API answers an hour later.
RUN = dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=CST)
NOW = RUN + dt.timedelta(hours=1)


@dataclass
class Shop:
    client: TestClient
    sql: sa.Engine
    clock: FixedClock
    ids: dict[str, str]
    keys: dict[str, dict[str, str]]

    def get(self, who: str, path: str, **params: Any) -> Any:
        return self.client.get(path, headers=self.keys[who], params=params)

    def post(self, who: str, path: str, body: object) -> Any:
        return self.client.post(path, headers=self.keys[who], json=body)


@pytest.fixture
def shop(db_url: str, sql_engine: sa.Engine) -> Iterator[Shop]:
    clock = FixedClock(NOW)
    with TestClient(create_app(db_url, clock=clock)) as client:
        ids = seed_enforcement(sql_engine, RUN)
        keys = {
            "operator": create_key(sql_engine, "ops", "operator", clock=clock),
            "MA": create_key(sql_engine, "ma", "merchant", clock=clock, merchant_id="MA"),
            "MB": create_key(sql_engine, "mb", "merchant", clock=clock, merchant_id="MB"),
        }
        yield Shop(client, sql_engine, clock, ids, {k: {"X-API-Key": v} for k, v in keys.items()})


def _notice(row: dict[str, Any]) -> None:
    assert set(row["notice"]) == {"zh", "en"}
    assert row["notice"]["zh"]
    assert row["notice"]["en"]


def test_a_merchant_reads_its_own_shop(shop: Shop) -> None:
    r = shop.get("MA", "/v1/merchants/MA/violations")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [v["type"] for v in body["violations"]] == ["fraud_shipping", "false_inventory"]
    assert body["next_offset"] is None
    fraud = body["violations"][0]
    _notice(fraud)
    assert "欺诈发货" in fraud["notice"]["zh"]
    assert "fraud shipping" in fraud["notice"]["en"]
    assert (fraud["nth"], fraud["period"], fraud["status"]) == (1, "2026", "active")
    assert fraud["facts"]["fraud_orders"] == 3
    assert fraud["noticed_at"] == "2026-10-08T23:59:59+08:00"
    assert fraud["appeal_by"] == "2026-10-15T23:59:59+08:00"
    assert {m["kind"] for m in fraud["measures"]} >= {"settlement_freeze", "presale_off"}
    assert fraud["appeal_status"] is None

    whole = shop.get("MA", f"/v1/violations/{shop.ids['MA:false_inventory']}").json()
    assert (whole["rule_id"], whole["pack"]) == ("enforcement.false_inventory", "douyin")
    (freeze,) = whole["measures"]
    assert freeze["kind"] == "settlement_freeze"
    assert freeze["amount"] == {"amount": 100_000, "currency": "CNY"}  # the §7.1 minimum
    _notice(freeze)
    assert whole["appeal"] is None
    plan = whole["plan"]
    assert plan["cause"] == shop.ids["MA:false_inventory"]
    assert plan["targets"] == [{"indicator": "out_of_stock_share", "op": "<=", "value": 0.05}]
    _notice(plan)

    active = shop.get("MA", "/v1/merchants/MA/measures", status="active").json()["measures"]
    assert active
    assert all(m["status"] == "active" for m in active)
    assert {m["violation_id"] for m in active} == {
        shop.ids["MA:false_inventory"],
        shop.ids["MA:fraud_shipping"],
    }
    for m in active:
        _notice(m)
        assert m["starts_at"].endswith("+08:00")
    cap = shop.get("MB", "/v1/merchants/MB/measures").json()["measures"]
    assert [(m["kind"], m["orders_per_day"], m["amount"], m["lift"]) for m in cap] == [
        ("order_cap", 0, None, "cured")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/merchants/MB/violations",
        "/v1/merchants/MB/measures",
        "/v1/merchants/MB/rectification",
        "/v1/merchants/NOBODY/violations",
    ],
)
def test_another_shop_answers_as_a_missing_one(shop: Shop, path: str) -> None:
    r = shop.get("MA", path)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "merchant_not_found")
    assert shop.get("operator", path).status_code == 200


def test_another_merchants_violation_answers_as_a_missing_one(shop: Shop) -> None:
    theirs = shop.get("MA", f"/v1/violations/{shop.ids['MB:late_shipment_shop']}")
    missing = shop.get("MA", "/v1/violations/MB:nothing:2026-09-30")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"]
    appeal = shop.post(
        "MA", f"/v1/violations/{shop.ids['MB:late_shipment_shop']}/appeal", {"reason": "x"}
    )
    assert (appeal.status_code, appeal.json()["error"]["code"]) == (404, "violation_not_found")


def _frozen_balance(sql: sa.Engine, merchant: str) -> int:
    e = t.ledger_entries.c
    with sql.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(e.amount), 0)).where(
                e.account == frozen(merchant)
            )
        ).scalar_one()
    return int(total)


def test_an_appeal_filed_and_upheld_through_the_api_reverts_the_measures(shop: Shop) -> None:
    vid = shop.ids["MA:fraud_shipping"]
    frozen_before = _frozen_balance(shop.sql, "MA")
    assert frozen_before != 0
    r = shop.post("MA", f"/v1/violations/{vid}/appeal", {"reason": "the parcels were sent"})
    assert r.status_code == 201, r.text
    filed = r.json()
    assert (filed["violation_id"], filed["status"]) == (vid, "filed")
    assert filed["filed_at"] == "2026-10-09T00:59:59+08:00"
    # Filed on Friday 9 October: five working days on the calendar (Saturday 10 October is a
    # make-up working day after the National Day holiday) end on Thursday 15 October.
    assert filed["decide_by"] == "2026-10-15T23:59:59+08:00"
    again = shop.post("MA", f"/v1/violations/{vid}/appeal", {"reason": "again"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_appealed")

    # A merchant may not decide; the measures stay in force meanwhile.
    decision = {"upheld": True, "decision": "tracking shows delivery"}
    assert (
        shop.post("MA", f"/v1/appeals/{filed['appeal_id']}/decision", decision).status_code == 403
    )
    active = shop.get("MA", "/v1/merchants/MA/measures", status="active").json()["measures"]
    assert any(m["violation_id"] == vid for m in active)

    r = shop.post("operator", f"/v1/appeals/{filed['appeal_id']}/decision", decision)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["upheld"], decided["violation_id"]) == (True, vid)
    measures = shop.get("MA", f"/v1/violations/{vid}").json()["measures"]
    assert sorted(decided["reverted"]) == sorted(m["measure_id"] for m in measures)
    assert {m["status"] for m in measures} == {"reverted"}

    whole = shop.get("MA", f"/v1/violations/{vid}").json()
    assert whole["status"] == "reverted"
    assert (whole["appeal"]["status"], whole["appeal"]["decided_by"]) == ("upheld", "api:ops")
    active = shop.get("MA", "/v1/merchants/MA/measures", status="active").json()["measures"]
    assert all(m["violation_id"] != vid for m in active)
    # The fraud freeze went back to the settlement account; the other violation's stays.
    others = [m for m in active if m["kind"] == "settlement_freeze"]
    assert _frozen_balance(shop.sql, "MA") == sum(m["amount"]["amount"] for m in others)

    twice = shop.post("operator", f"/v1/appeals/{filed['appeal_id']}/decision", decision)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_decided")
    reverted = shop.post("MA", f"/v1/violations/{vid}/appeal", {"reason": "once more"})
    assert reverted.status_code == 409
    assert reverted.json()["error"]["code"] in ("violation_reverted", "already_appealed")


def test_a_rejected_appeal_reverts_nothing(shop: Shop) -> None:
    vid = shop.ids["MB:late_shipment_shop"]
    filed = shop.post("MB", f"/v1/violations/{vid}/appeal", {"reason": "carrier strike"}).json()
    r = shop.post(
        "operator", f"/v1/appeals/{filed['appeal_id']}/decision",
        {"upheld": False, "decision": "no strike that day"},
    )  # fmt: skip
    assert (r.status_code, r.json()["reverted"]) == (200, [])
    cap = shop.get("MB", "/v1/merchants/MB/measures", status="active").json()["measures"]
    assert [m["kind"] for m in cap] == ["order_cap"]


@pytest.mark.parametrize(
    ("after", "status", "code"),
    [
        (dt.timedelta(0), 201, None),  # exactly at appeal_by
        (dt.timedelta(seconds=1), 409, "appeal_window_closed"),
    ],
)
def test_the_appeal_window(shop: Shop, after: dt.timedelta, status: int, code: str | None) -> None:
    vid = shop.ids["MA:false_inventory"]
    appeal_by = dt.datetime.fromisoformat(
        shop.get("MA", f"/v1/violations/{vid}").json()["appeal_by"]
    )
    shop.clock.set(appeal_by + after)
    r = shop.post("MA", f"/v1/violations/{vid}/appeal", {"reason": "stock was there"})
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"]["code"] == code
        assert "were open from" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"not json", 400), (b'{"reason": ""}', 422), (b'{"why": "x"}', 422), (b"{}", 422)],
)
def test_a_bad_appeal_body_is_refused(shop: Shop, body: bytes, status: int) -> None:
    vid = shop.ids["MA:false_inventory"]
    r = shop.client.post(f"/v1/violations/{vid}/appeal", headers=shop.keys["MA"], content=body)
    assert r.status_code == status, r.text


def test_the_operators_queues_in_order_with_due_times(shop: Shop) -> None:
    # MA appeals on Friday 9 October, MB on Monday 12 October: MA's answer is due first.
    fraud, late = shop.ids["MA:fraud_shipping"], shop.ids["MB:late_shipment_shop"]
    ma = shop.post("MA", f"/v1/violations/{fraud}/appeal", {"reason": "sent"}).json()
    shop.clock.set(dt.datetime(2026, 10, 12, 9, tzinfo=CST))
    mb = shop.post("MB", f"/v1/violations/{late}/appeal", {"reason": "strike"}).json()
    assert ma["decide_by"] < mb["decide_by"]

    shop.clock.set(dt.datetime.fromisoformat(ma["decide_by"]))  # exactly due: not yet overdue
    q = shop.get("operator", "/v1/enforcement/queues").json()
    assert [(a["appeal_id"], a["overdue"]) for a in q["appeals"]] == [
        (ma["appeal_id"], False),
        (mb["appeal_id"], False),
    ]
    shop.clock.advance(dt.timedelta(seconds=1))
    q = shop.get("operator", "/v1/enforcement/queues").json()
    assert [a["overdue"] for a in q["appeals"]] == [True, False]
    assert q["now"] == "2026-10-16T00:00:00+08:00"
    # Open plans by deadline, overdue past it (the run has not closed them yet).
    assert [p["deadline_day"] for p in q["plans"]] == sorted(p["deadline_day"] for p in q["plans"])
    assert [p["overdue"] for p in q["plans"]] == [
        p["deadline_day"] < "2026-10-16" for p in q["plans"]
    ]
    assert {p["merchant_id"] for p in q["plans"]} == {"MA", "MB"}

    # A decided appeal leaves the queue; violations newest first.
    shop.post("operator", f"/v1/appeals/{ma['appeal_id']}/decision",
              {"upheld": True, "decision": "ok"})  # fmt: skip
    q = shop.get("operator", "/v1/enforcement/queues").json()
    assert [a["appeal_id"] for a in q["appeals"]] == [mb["appeal_id"]]
    assert fraud not in [v["violation_id"] for v in q["violations"]]  # reverted: not active
    assert {v["violation_id"] for v in q["violations"]} == {shop.ids["MA:false_inventory"], late}


def test_queues_and_lists_page_by_limit_and_offset(shop: Shop) -> None:
    # A later run notices a new violation: it heads the violations queue.
    book = load_policy("douyin")
    config = config_of(book.in_force(NOW))
    later = RUN + dt.timedelta(days=1)
    day = later.date() - dt.timedelta(days=config.settle_days + 1)
    facts = {"MC": MerchantFacts(days={day: Day(paid=30, fraud=3, shipped=30)})}
    run(shop.sql, book, later, facts=facts)
    first = shop.get("operator", "/v1/enforcement/queues", limit=1).json()
    assert [v["merchant_id"] for v in first["violations"]] == ["MC"]
    assert first["next_offset"] == 1
    seen = [v["violation_id"] for v in first["violations"]]
    offset = first["next_offset"]
    while offset is not None:
        page = shop.get("operator", "/v1/enforcement/queues", limit=1, offset=offset).json()
        seen += [v["violation_id"] for v in page["violations"]]
        offset = page["next_offset"]
    everything = shop.get("operator", "/v1/enforcement/queues").json()["violations"]
    assert len(seen) == 4
    assert seen == [v["violation_id"] for v in everything]

    one = shop.get("MA", "/v1/merchants/MA/violations", limit=1).json()
    two = shop.get("MA", "/v1/merchants/MA/violations", limit=1, offset=1).json()
    assert (one["next_offset"], two["next_offset"]) == (1, None)
    assert [one["violations"][0]["type"], two["violations"][0]["type"]] == [
        "fraud_shipping",
        "false_inventory",
    ]
    assert shop.get("MA", "/v1/merchants/MA/violations", limit=0).status_code == 422


def test_rectification_shows_daily_progress(shop: Shop) -> None:
    plans = shop.get("MA", "/v1/merchants/MA/rectification").json()["plans"]
    inventory = next(p for p in plans if p["cause"] == shop.ids["MA:false_inventory"])
    assert (inventory["status"], inventory["overdue"]) == ("open", False)
    # Its days start when a daily run would have told MA: none judged yet.
    assert inventory["progress"] == []
    # The run once that first day has settled tracks it (30 orders, none out of stock).
    opened = dt.date.fromisoformat(inventory["opened_day"])
    book = load_policy("douyin")
    config = config_of(book.in_force(NOW))
    later = dt.datetime.combine(
        opened + dt.timedelta(days=config.settle_days + 1), dt.time(1), tzinfo=CST
    )
    days = {opened: Day(paid=30, shipped=30)}
    run(shop.sql, book, later, facts={"MA": MerchantFacts(industry="apparel", days=days)})
    plans = shop.get("MA", "/v1/merchants/MA/rectification").json()["plans"]
    inventory = next(p for p in plans if p["cause"] == shop.ids["MA:false_inventory"])
    assert inventory["progress"] == [
        {"day": opened.isoformat(), "values": {"out_of_stock_share": 0.0}, "on_target": True}
    ]
    only_open = shop.get("MA", "/v1/merchants/MA/rectification", status="open").json()["plans"]
    assert len(only_open) == len(plans)
    assert (
        shop.get("MA", "/v1/merchants/MA/rectification", status="completed").json()["plans"] == []
    )
