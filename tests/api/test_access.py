"""Who may read and write what: every endpoint against every kind of caller, on both backends.

One table: for each request, the status each caller gets. A caller not listed gets 401 (a
missing, forged, unknown or revoked key or token; a link token where only keys count). 404 for
another party's order, decisions or score is exactly the 404 of a thing that does not exist, so
existence never leaks; 403 is for a role that may never call the endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.application import load_policy
from anxin.clock import FixedClock
from anxin.enforcement.appeals import file_appeal
from tests.api.world import NOW, ORDERS, World, batch, build, seed_enforcement, seed_service

KEYS = ["operator", "ingest", "merchant_a", "merchant_b", "consumer_a", "consumer_b"]
LINKS = ["link_a", "link_b", "revoked_link_a", "forged_link", "key_as_link"]
BAD_KEYS = ["forged_key", "unknown_key", "revoked_operator", "revoked_merchant_a"]
CALLERS = ["anonymous", *KEYS, *BAD_KEYS, *LINKS]
NO_KEY = ["anonymous", *LINKS]  # link tokens are no key: they count on the guarantee hall only


@pytest.fixture
def world(db_url: str, sql_engine: sa.Engine) -> Iterator[World]:
    clock = FixedClock(NOW)
    with TestClient(create_app(db_url, clock=clock)) as client:
        w = build(client, sql_engine, clock)
        w.violations = seed_enforcement(sql_engine, NOW)
        late = w.violations["MB:late_shipment_shop"]
        w.appeal = file_appeal(sql_engine, load_policy("douyin"), late, "MB", "x", NOW).appeal_id
        w.escalations = seed_service(client, sql_engine, NOW, w.keys["operator"])
        yield w


def send(w: World, caller: str, method: str, path: str, body: bytes | None = None) -> Any:
    headers: dict[str, str] = {}
    params: dict[str, str] = {}
    if caller in w.keys:
        secret = w.keys[caller]
        if caller == "merchant_b":  # one caller uses the Bearer form
            headers["Authorization"] = f"Bearer {secret}"
        else:
            headers["X-API-Key"] = secret
    elif caller in w.links:
        if caller in ("link_a", "forged_link"):  # query form for some, header for others
            params["token"] = w.links[caller]
        else:
            headers["X-Link-Token"] = w.links[caller]
    return w.client.request(method, path, headers=headers, params=params, content=body)


def others(status: int, *, but: dict[str, int]) -> dict[str, int]:
    """Every key ``status``, except as given."""
    return {**dict.fromkeys(KEYS, status), **but}


@dataclass
class Row:
    method: str
    path: str
    statuses: dict[str, int]
    body: bytes | None = None
    default: int = 401
    code404: str = ""  # the 404's error code, the same for absent and hidden resources
    tags: list[str] = field(default_factory=list)


def _hall(order: str) -> Row:
    merchant, consumer = ORDERS.get(order, ("", ""))
    see = {
        "operator": 200 if order in ORDERS else 404,
        "ingest": 403,
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
        "consumer_a": 200 if consumer == "CA" else 404,
        "consumer_b": 200 if consumer == "CB" else 404,
        "link_a": 200 if order == "OA" else 404,
        "link_b": 200 if order == "OB" else 404,
    }
    return Row("GET", f"/v1/orders/{order}/guarantees", see, code404="order_not_found")


def _decisions(order: str) -> Row:
    merchant = ORDERS.get(order, ("", ""))[0]
    see = {
        "operator": 200 if order in ORDERS else 404,
        "ingest": 403,
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
        "consumer_a": 403,
        "consumer_b": 403,
    }
    return Row("GET", f"/v1/orders/{order}/decisions", see, code404="order_not_found")


def _score(merchant: str) -> Row:
    scored = merchant in ("MA", "MB")
    see = {
        "operator": 200 if scored else 404,
        "ingest": 403,
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
        "consumer_a": 403,
        "consumer_b": 403,
    }
    return Row("GET", f"/v1/merchants/{merchant}/score", see, code404="score_not_found")


def _refund(order: str) -> Row:
    """Operator keys for any order, consumer keys for their own (another's answers as absent),
    no other role; a link token is no key. Before shipment, no model: the pack's rule."""
    consumer = ORDERS.get(order, ("", ""))[1]
    see = {
        **others(403, but={"operator": 200 if order in ORDERS else 404}),
        "consumer_a": 200 if consumer == "CA" else 404,
        "consumer_b": 200 if consumer == "CB" else 404,
    }
    body = (
        b'{"aftersale_id":"AS-' + order.encode() + b'","order_id":"' + order.encode() + b'",'
        b'"kind":"refund_only","reason":"not_shipped","amount":{"amount":100,"currency":"CNY"}}'
    )
    return Row("POST", "/v1/refunds/decide", see, body=body, code404="order_not_found")


def _suggest(order: str) -> Row:
    """Operator keys for any order, merchant keys for their shop's (another's answers as
    absent); consumers and ingest keys may not; a link token is no key."""
    merchant = ORDERS.get(order, ("", ""))[0]
    see = {
        **others(403, but={"operator": 200 if order in ORDERS else 404}),
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
    }
    body = b'{"order_id":"' + order.encode() + b'","intent":"where_is_my_parcel","lang":"en"}'
    return Row("POST", "/v1/service/suggest", see, body=body, code404="order_not_found")


def _screen() -> Row:
    """Operator keys screen any listing, merchant keys their own; no one else."""
    see = others(403, but={"operator": 200, "merchant_a": 200, "merchant_b": 200})
    body = b'{"listing_id":"L1","title":"\xe9\xab\x98\xe4\xbb\xbf watch","category":"Watches"}'
    return Row("POST", "/v1/listings/screen", see, body=body)


def _screen_content() -> Row:
    see = others(403, but={"operator": 200, "merchant_a": 200, "merchant_b": 200})
    body = b'{"content_id":"V1","text":"the best price ever"}'
    return Row("POST", "/v1/content/screen", see, body=body)


def _shop(merchant: str, what: str) -> Row:
    """A merchant's enforcement reads: operator keys any shop, merchant keys their own (another
    shop, or one that does not exist, answers 404 the same)."""
    see = {
        **others(403, but={"operator": 200}),
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
    }
    return Row("GET", f"/v1/merchants/{merchant}/{what}", see, code404="merchant_not_found")


def _violation(w: World, which: str) -> Row:
    vid = w.violations.get(which, "MZ:nothing:2026-09-30")
    merchant = which.split(":")[0] if which in w.violations else ""
    see = {
        **others(403, but={"operator": 200 if merchant else 404}),
        "merchant_a": 200 if merchant == "MA" else 404,
        "merchant_b": 200 if merchant == "MB" else 404,
    }
    return Row("GET", f"/v1/violations/{vid}", see, code404="violation_not_found")


def _appeal(w: World, which: str) -> Row:
    """Merchant keys only, against their own violation (another's answers as absent)."""
    vid = w.violations.get(which, "MZ:nothing:2026-09-30")
    merchant = which.split(":")[0] if which in w.violations else ""
    see = {
        **others(403, but={}),
        "merchant_a": 201 if merchant == "MA" else 404,
        "merchant_b": 201 if merchant == "MB" else 404,
    }
    return Row("POST", f"/v1/violations/{vid}/appeal", see, body=b'{"reason": "it was not so"}',
               code404="violation_not_found")  # fmt: skip


def _enforcement(w: World) -> list[Row]:
    decision = b'{"upheld": true, "decision": "the carrier was late"}'
    return [
        *(
            _shop(m, what)
            for m in ("MA", "MB", "MZ")
            for what in ("violations", "measures", "rectification")
        ),
        *(_violation(w, v) for v in ("MA:fraud_shipping", "MB:late_shipment_shop", "nope")),
        Row("GET", "/v1/enforcement/queues", others(403, but={"operator": 200})),
        Row("GET", "/v1/enforcement/queues?limit=1&offset=1", others(403, but={"operator": 200})),
        *(_appeal(w, v) for v in ("MA:false_inventory", "nope")),
        Row(
            "POST",
            "/v1/appeals/nope/decision",
            others(403, but={"operator": 404}),
            body=decision,
            code404="appeal_not_found",
        ),
        # last: it reverts MB's violation
        Row(
            "POST",
            f"/v1/appeals/{w.appeal}/decision",
            others(403, but={"operator": 200}),
            body=decision,
        ),
    ]


def _service_shop(merchant: str, what: str, method: str = "GET", ok: int = 200) -> Row:
    """A merchant's service reads and its auto-answer switch: operator keys any shop, merchant
    keys their own (another shop, or one that does not exist, answers 404 the same)."""
    see = {
        **others(403, but={"operator": ok}),
        "merchant_a": ok if merchant == "MA" else 404,
        "merchant_b": ok if merchant == "MB" else 404,
    }
    body = b'{"enabled": true}' if method == "PUT" else None
    return Row(method, f"/v1/merchants/{merchant}/service/{what}", see, body=body,
               code404="merchant_not_found")  # fmt: skip


def _service(w: World) -> list[Row]:
    resolve = b'{"resolution": "refunded by the platform"}'
    return [
        *(
            _service_shop(m, what)
            for m in ("MA", "MB", "MZ")
            for what in ("conversations", "escalations", "escalations?status=open&limit=1")
        ),
        *(_service_shop(m, "auto-answer", "PUT") for m in ("MA", "MB", "MZ")),
        Row("GET", "/v1/service/escalations", others(403, but={"operator": 200})),
        Row(
            "GET",
            "/v1/service/escalations?status=resolved&limit=1&offset=0",
            others(403, but={"operator": 200}),
        ),
        Row(
            "POST",
            "/v1/service/escalations/nope/resolve",
            others(403, but={"operator": 404}),
            body=resolve,
            code404="escalation_not_found",
        ),
        Row(
            "POST",
            f"/v1/service/escalations/{w.escalations['MB']}/resolve",
            others(403, but={"operator": 200}),
            body=resolve,
        ),
    ]


def table(w: World) -> list[Row]:
    ready = {**dict.fromkeys(KEYS, 200), **dict.fromkeys(NO_KEY, 200)}
    return [
        *(_hall(o) for o in ("OA", "OB", "OAB", "nope")),
        *(_decisions(o) for o in ("OA", "OB", "OAB", "nope")),
        *(_score(m) for m in ("MA", "MB", "MZ")),
        Row("GET", "/v1/deadletters", others(403, but={"operator": 200})),
        Row("GET", "/v1/deadletters?code=unknown_type", others(403, but={"operator": 200})),
        Row("POST", f"/v1/deadletters/{w.dead_letter}/replay", others(403, but={"operator": 200})),
        Row("POST", f"/v1/deadletters/{'0' * 32}/replay", others(403, but={"operator": 404})),
        Row("POST", "/v1/orders/OA/link", others(403, but={"operator": 201})),
        Row("POST", "/v1/orders/nope/link", others(403, but={"operator": 404})),
        Row("DELETE", f"/v1/orders/OA/link/{'f' * 16}", others(403, but={"operator": 404})),
        Row(
            "POST",
            "/v1/events",
            others(403, but={"operator": 200, "ingest": 200}),
            body=batch([]),
        ),
        Row("GET", "/v1/outbox", others(403, but={"operator": 200})),
        Row("POST", "/v1/outbox/ack", others(403, but={"operator": 200}), body=b'{"ids":["x"]}'),
        Row("GET", "/ready", ready),
        Row("GET", "/health", {}, default=200),
        Row("GET", "/live", {}, default=200),
        *(_refund(o) for o in ("OA", "OB", "nope")),
        *(_suggest(o) for o in ("OA", "OB", "OAB", "nope")),
        _screen(),
        _screen_content(),
        Row("GET", "/v1/screening/reviews", others(403, but={"operator": 200})),
        Row(
            "POST",
            "/v1/screening/reviews/nope:0/decision",
            others(403, but={"operator": 404}),
            body=b'{"verdict": "pass", "reason": "fine"}',
            code404="review_not_found",
        ),
        *(_shop(m, "listings/verdicts") for m in ("MA", "MB", "MZ")),
        *(_shop(m, "listings/feedback") for m in ("MA", "MB", "MZ")),
        Row("GET", "/v1/screening/creators", others(403, but={"operator": 200})),
        Row("GET", "/v1/platform/kpis", others(403, but={"operator": 200})),
        Row("GET", "/v1/schema/events", {}, default=200),
        *_enforcement(w),
        *_service(w),
    ]


def _check_body(w: World, row: Row, caller: str, status: int, body: Any) -> str | None:
    """What is wrong with a response body, if anything."""
    if status >= 400:
        if set(body) != {"error"} or not isinstance(body["error"].get("code"), str):
            return f"not the error body: {body}"
        if status == 404 and row.code404 and body["error"]["code"] != row.code404:
            return f"a hidden resource's 404 differs from an absent one's: {body}"
        return None
    path = row.path.split("?")[0]
    if path.endswith("/guarantees") or path.endswith("/decisions"):
        order = path.split("/")[3]
        if body["order_id"] != order:
            return f"answered for {body['order_id']}"
        if path.endswith("/decisions") and not body["decisions"]:
            return "no decisions"
    if path.endswith("/score") and body["merchant_id"] != path.split("/")[3]:
        return f"score of {body['merchant_id']}"
    if path == "/v1/content/screen" and body["results"][0]["verdict"] != "needs_changes":
        return f"an absolute claim passed: {body}"
    if path == "/v1/listings/screen" and body["results"][0]["verdict"] != "intercept":
        return f"a counterfeit listing passed: {body}"
    if path == "/v1/service/suggest" and body["order_id"] not in body["text"]:
        return f"the reply does not name its order: {body['text']}"
    if path == "/v1/refunds/decide" and body["order_id"] != json.loads(row.body or b"")["order_id"]:
        return f"decided for {body['order_id']}"
    parts = path.split("/")
    if path.startswith("/v1/merchants/") and parts[4] == "listings":
        return None if body["merchant_id"] == parts[3] else f"verdicts of {body['merchant_id']}"
    if path.startswith("/v1/merchants/") and parts[4] == "service":
        rows = body.get(parts[5], [])
        if body["merchant_id"] != parts[3] or any(x["merchant_id"] != parts[3] for x in rows):
            return f"another shop's rows for {parts[3]}"
        if parts[5] != "auto-answer" and parts[3] != "MZ" and not rows:
            return "no rows"
        return None
    if path.startswith("/v1/merchants/") and path.split("/")[4] != "score":
        merchant = path.split("/")[3]
        rows = body[path.split("/")[4] if "rectification" not in path else "plans"]
        if body["merchant_id"] != merchant or any(x["merchant_id"] != merchant for x in rows):
            return f"another shop's rows for {merchant}"
    if path.startswith("/v1/violations/") and not path.endswith("/appeal"):
        if body["violation_id"] != path.split("/")[3]:
            return f"answered for {body['violation_id']}"
        if caller.startswith("merchant_") and body["merchant_id"] != f"M{caller[-1].upper()}":
            return f"{caller} read {body['merchant_id']}'s violation"
    if path == "/ready" and ("migrations" in body) != (caller == "operator"):
        return f"/ready internals shown to {caller}: {sorted(body)}"
    return None


def test_every_endpoint_against_every_caller(world: World) -> None:
    wrong: list[str] = []
    for row in table(world):
        for caller in CALLERS:
            expected = row.statuses.get(caller, row.default)
            r = send(world, caller, row.method, row.path, row.body)
            label = f"{caller:18s} {row.method} {row.path}"
            if r.status_code != expected:
                wrong.append(f"{label}: {r.status_code} (expected {expected}) {r.text[:120]}")
                continue
            problem = _check_body(world, row, caller, r.status_code, r.json() if r.text else {})
            if problem:
                wrong.append(f"{label}: {problem}")
    assert wrong == [], "\n" + "\n".join(wrong)


def test_a_key_wins_over_a_link_token(world: World) -> None:
    """A consumer key sent with another order's link token reads as the key, not the token."""
    headers = {"X-API-Key": world.keys["consumer_b"], "X-Link-Token": world.links["link_a"]}
    assert world.client.get("/v1/orders/OA/guarantees", headers=headers).status_code == 404


def test_merchant_sees_only_its_orders_decisions(world: World) -> None:
    r = send(world, "merchant_a", "GET", "/v1/orders/OAB/decisions")
    assert r.status_code == 200
    body = r.json()
    assert body["merchant_id"] == "MA"
    for d in body["decisions"]:
        assert (bool(d["rule_id"]), d["pack"], bool(d["pack_version"])) == (True, "douyin", True)
        assert d["explanation"] is not None
        assert "OAB" in d["decision_id"]


def test_score_is_the_latest_day_with_its_explanation(world: World) -> None:
    r = send(world, "merchant_a", "GET", "/v1/merchants/MA/score")
    assert r.status_code == 200
    body = r.json()
    assert (body["day"], body["score"]) == ("2026-10-07", "4.50")
    assert body["explanation"]["indicators"]["product_rating"]["value"] == 4.9


def test_revoking_a_link_token_closes_it(world: World) -> None:
    operator = {"X-API-Key": world.keys["operator"]}
    token = world.client.post("/v1/orders/OB/link", headers=operator).json()["token"]
    link = {"X-Link-Token": token}
    assert world.client.get("/v1/orders/OB/guarantees", headers=link).status_code == 200
    token_id = token.split("_")[1]
    # revoking it under another order's path does nothing
    assert (
        world.client.delete(f"/v1/orders/OA/link/{token_id}", headers=operator).status_code == 404
    )
    assert (
        world.client.delete(f"/v1/orders/OB/link/{token_id}", headers=operator).status_code == 204
    )
    r = world.client.get("/v1/orders/OB/guarantees", headers=link)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_link_token")
    assert (
        world.client.delete(f"/v1/orders/OB/link/{token_id}", headers=operator).status_code == 404
    )
