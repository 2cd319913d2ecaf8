"""``POST /v1/refunds/decide`` on the ingested world, on SQLite and PostgreSQL: who may call it,
the one error body, precise refusals of a bad body, and a decision with its row and message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.application import load_policy
from anxin.clock import FixedClock
from anxin.refunds.model import load
from anxin.refunds.service import DecideBody, Decider, RefundService
from anxin.store import schema as t
from anxin.store.database import make_engine
from tests.refunds.conftest import SmallWorld, count

PATH = "/v1/refunds/decide"
DECISION_KEYS = {
    "decision_id", "aftersale_id", "order_id", "consumer_id", "outcome", "refund_at", "amount",
    "score", "rules_hit", "top_features", "pack", "pack_version", "model_version", "shadow",
    "decided_at",
}  # fmt: skip


@dataclass
class Api:
    client: TestClient
    sql: sa.Engine
    keys: dict[str, str]
    request: dict[str, Any]  # a request the live model approves now
    other: dict[str, Any]  # a request of another consumer's order
    model_version: str


def _approved(world: SmallWorld, sql: sa.Engine, model: Path) -> dict[str, Any]:
    """The last request of the world the live side approves now (the shadow test takes the
    first ones)."""
    svc = RefundService(sql, Decider(load_policy(world.pack), load(model)))
    dec = msgspec.json.Decoder(DecideBody)
    for request in reversed(world.requests):
        body = dec.decode(json.dumps(request))
        if svc.evaluate(body, world.now)[0].view.outcome == "approve_now":
            return request
    raise AssertionError("nothing approved now")


@pytest.fixture
def api(
    world: SmallWorld,
    world_db: str,
    model: tuple[Path, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Api]:
    monkeypatch.setenv("ANXIN_REFUND_MODEL", str(model[0]))
    sql = make_engine(world_db)
    request = _approved(world, sql, model[0])
    row = next(r for r in world.data.rows if r.case.aftersale_id == request["aftersale_id"])
    consumer, merchant = row.order.consumer_id, row.order.merchant_id
    other = next(
        q for q in world.requests
        if next(r for r in world.data.rows if r.case.aftersale_id == q["aftersale_id"])
        .order.consumer_id != consumer
    )  # fmt: skip
    clock = FixedClock(world.now)
    keys = {
        "operator": create_key(sql, "op", "operator", clock=clock),
        "ingest": create_key(sql, "in", "ingest", clock=clock),
        "merchant": create_key(sql, "m", "merchant", clock=clock, merchant_id=merchant),
        "consumer": create_key(sql, "c", "consumer", clock=clock, consumer_id=consumer),
        "other_consumer": create_key(sql, "c2", "consumer", clock=clock, consumer_id="C-OTHER"),
    }
    with TestClient(create_app(world_db, pack=world.pack, clock=clock)) as client:
        r = client.post(
            f"/v1/orders/{request['order_id']}/link", headers={"X-API-Key": keys["operator"]}
        )
        assert r.status_code == 201, r.text
        keys["link"] = r.json()["token"]
        yield Api(client, sql, keys, request, other, model[1]["version"])
    sql.dispose()


def post(api: Api, who: str | None, body: object, **headers: str) -> Any:
    if who == "link":
        headers["X-Link-Token"] = api.keys["link"]
    elif who is not None:
        headers["X-API-Key"] = api.keys[who]
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.client.post(PATH, content=raw, headers=headers)


def error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    return body["error"]


def test_who_may_ask(api: Api) -> None:
    error(post(api, None, api.request), 401, "missing_api_key")
    # a link token reads the guarantee hall only: the decision takes a key
    error(post(api, "link", api.request), 401, "missing_api_key")
    error(post(api, "merchant", api.request), 403, "forbidden")
    error(post(api, "ingest", api.request), 403, "forbidden")
    # another consumer's order answers exactly as an order that does not exist
    hidden = error(post(api, "other_consumer", api.request), 404, "order_not_found")
    absent = error(post(api, "operator", {**api.request, "order_id": "O-NOPE"}), 404,
                   "order_not_found")  # fmt: skip
    assert hidden["message"].replace(api.request["order_id"], "X") == absent["message"].replace(
        "O-NOPE", "X"
    )
    error(post(api, "consumer", api.other), 404, "order_not_found")
    assert count(api.sql, t.refund_decisions, t.refund_decisions.c.order_id == "O-NOPE") == 0
    assert post(api, "consumer", api.request).status_code == 200


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"kind": None}, ["body", "kind"]),  # missing
        ({"order_id": 42}, ["body", "order_id"]),
        ({"amount": {"amount": 100, "currency": "cny"}}, ["body", "amount", "currency"]),
        ({"amount": {"amount": -1, "currency": "CNY"}}, ["body", "amount", "amount"]),
        ({"kind": "teleport"}, ["body", "kind"]),
        ({"requested_at": "2026-10-05T10:00:00"}, ["body", "requested_at"]),  # no offset
        ({"refund_everything": True}, ["body", "refund_everything"]),  # unknown field
    ],
)
def test_a_bad_body_is_refused_naming_the_field(
    api: Api, change: dict[str, Any], loc: list[str]
) -> None:
    body = {k: v for k, v in {**api.request, **change}.items() if v is not None}
    e = error(post(api, "operator", body), 422, "invalid_body")
    assert [d["loc"] for d in e["details"]] == [loc], e
    assert e["details"][0]["msg"]
    assert e["message"].startswith(e["details"][0]["msg"])


@pytest.mark.parametrize("raw", [b"{", b"", b"not json", b'{"aftersale_id": "A", }'])
def test_bytes_that_are_no_json_are_a_400(api: Api, raw: bytes) -> None:
    error(post(api, "operator", raw), 400, "malformed_body")


def test_a_decision_with_its_row_and_message(api: Api) -> None:
    r = post(api, "operator", api.request)
    assert r.status_code == 200, r.text
    d = r.json()
    assert set(d) == DECISION_KEYS
    assert (d["outcome"], d["aftersale_id"], d["shadow"]) == (
        "approve_now", api.request["aftersale_id"], False
    )  # fmt: skip
    assert d["refund_at"] in ("request", "first_scan")
    assert 0.0 <= d["score"] <= 1.0
    assert d["rules_hit"]
    assert all(isinstance(x, str) for x in d["rules_hit"])
    assert d["top_features"]
    assert all(len(f) == 2 for f in d["top_features"])
    assert (d["pack"], d["model_version"]) == ("douyin", api.model_version)
    assert d["pack_version"]
    assert d["decision_id"].startswith("rd-")
    c = t.refund_decisions.c
    with api.sql.connect() as conn:
        row = conn.execute(
            sa.select(c.outcome, c.shadow, c.explanation).where(c.decision_id == d["decision_id"])
        ).one()
    assert (row.outcome, row.shadow) == ("approve_now", 0)
    explanation = json.loads(row.explanation)
    assert explanation["rules_hit"] == d["rules_hit"]
    assert len(explanation["features"]) == 27
    o = t.outbox.c
    message = f"{d['decision_id']}:approved"
    assert (
        count(api.sql, t.outbox, o.message_id == message, o.topic == "refund.instant_approved") == 1
    )
    # asked again by the order's own consumer: the same decision, nothing more sent
    again = post(api, "consumer", api.request)
    assert again.json()["decision_id"] == d["decision_id"]
    assert count(api.sql, t.outbox, o.message_id == message) == 1
    assert count(api.sql, t.refund_decisions, c.aftersale_id == d["aftersale_id"]) == 1
