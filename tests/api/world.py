"""A small marketplace behind the API: two merchants, two consumers, their orders, decisions,
scores, a dead letter, and a key or token for every kind of caller."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import msgspec
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.keys import create_key, revoke_key
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.store import schema as t

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
# Two days after the ship-by deadline: the late-shipment tier has fired (a decision per order).
NOW = dt.datetime(2026, 10, 6, 23, 59, 59, tzinfo=CST) + dt.timedelta(hours=49)

# order -> (merchant, consumer)
ORDERS = {"OA": ("MA", "CA"), "OB": ("MB", "CB"), "OAB": ("MA", "CB")}


def order_events(oid: str, merchant: str, consumer: str) -> list[bytes]:
    money = ev.Money(30000, "CNY")
    item = ev.Item(sku="sku", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id=oid, merchant_id=merchant, consumer_id=consumer, items=[item], amount=money
    )
    paid = ev.OrderPaidPayload(order_id=oid, amount_paid=money)
    out: list[ev.Event] = [
        ev.OrderPlaced(id=f"{oid}-p", occurred_at=PAID, source="t", payload=placed),
        ev.OrderPaid(id=f"{oid}-$", occurred_at=PAID, source="t", payload=paid),
    ]
    return [msgspec.json.encode(e) for e in out]


def batch(events: list[bytes]) -> bytes:
    return b'{"events":[' + b",".join(events) + b"]}"


def unknown_type_event(event_id: str = "bad-1") -> bytes:
    raw = json.loads(order_events("OX", "MA", "CA")[0])
    return json.dumps({**raw, "id": event_id, "type": "order.teleported"}).encode()


def score_row(merchant: str, day: str, score: str) -> dict[str, object]:
    explanation = {"score": score, "indicators": {"product_rating": {"value": 4.9}}}
    return {
        "merchant_id": merchant, "day": day, "pack": "douyin", "pack_version": "2026.10",
        "engine": "sqlite", "stage": "full", "score": score,
        "explanation": json.dumps(explanation),
    }  # fmt: skip


@dataclass
class World:
    client: TestClient
    sql: sa.Engine
    clock: FixedClock
    keys: dict[str, str] = field(default_factory=dict)  # caller -> API key secret
    links: dict[str, str] = field(default_factory=dict)  # caller -> link token secret
    dead_letter: str = ""
    violations: dict[str, str] = field(default_factory=dict)  # "merchant:type" -> violation id
    appeal: str = ""  # a filed appeal (MB's), for the operator to decide
    escalations: dict[str, str] = field(default_factory=dict)  # merchant -> escalation id


def build(client: TestClient, sql: sa.Engine, clock: FixedClock) -> World:
    w = World(client, sql, clock)
    for name, role, scope in [
        ("operator", "operator", {}),
        ("ingest", "ingest", {}),
        ("merchant_a", "merchant", {"merchant_id": "MA"}),
        ("merchant_b", "merchant", {"merchant_id": "MB"}),
        ("consumer_a", "consumer", {"consumer_id": "CA"}),
        ("consumer_b", "consumer", {"consumer_id": "CB"}),
        ("revoked_operator", "operator", {}),
        ("revoked_merchant_a", "merchant", {"merchant_id": "MA"}),
    ]:
        w.keys[name] = create_key(sql, name, role, clock=clock, **scope)  # type: ignore[arg-type]
    for name in ("revoked_operator", "revoked_merchant_a"):
        assert revoke_key(sql, w.keys[name].split("_")[1], clock=clock)
    operator = {"X-API-Key": w.keys["operator"]}

    lines = [e for oid, (m, c) in ORDERS.items() for e in order_events(oid, m, c)]
    r = client.post("/v1/events", content=batch([*lines, unknown_type_event()]), headers=operator)
    assert (r.status_code, r.json()["rejected"]) == (200, 1), r.text
    client.app.state.engine.tick(clock.now())  # type: ignore[attr-defined]
    with sql.begin() as conn:
        conn.execute(
            t.merchant_scores.insert(),
            [
                score_row("MA", "2026-10-06", "4.20"),
                score_row("MA", "2026-10-07", "4.50"),
                score_row("MB", "2026-10-07", "3.10"),
            ],
        )
        w.dead_letter = conn.execute(sa.select(t.dead_letters.c.dead_letter_id)).scalar_one()
        assert conn.execute(sa.select(sa.func.count()).select_from(t.decisions)).scalar_one() >= 3

    for name, order in [("link_a", "OA"), ("link_b", "OB"), ("revoked_link_a", "OA")]:
        r = client.post(f"/v1/orders/{order}/link", headers=operator)
        assert r.status_code == 201, r.text
        w.links[name] = r.json()["token"]
    token_id = w.links["revoked_link_a"].split("_")[1]
    r = client.delete(f"/v1/orders/OA/link/{token_id}", headers=operator)
    assert r.status_code == 204, r.text
    # forged: the right shapes with the wrong secrets, one of them naming a real id
    key_id = w.keys["operator"].split("_")[1]
    w.keys["forged_key"] = f"anx_{key_id}_{'A' * 43}"
    w.keys["unknown_key"] = "anx_0123456789abcdef_" + "B" * 43
    link_id = w.links["link_a"].split("_")[1]
    w.links["forged_link"] = f"lnk_{link_id}_{'C' * 43}"
    w.links["key_as_link"] = w.keys["operator"]  # an API key is not a link token
    return w


def seed_enforcement(sql: sa.Engine, now: dt.datetime) -> dict[str, str]:
    """The enforcement run at ``now`` on hand-made facts: MA broke false inventory two days
    before the last settled day and fraud shipping on it, MB shop-level late shipment on it.
    Returns violation ids by ``merchant:type``."""
    from anxin.application import load_policy
    from anxin.enforcement.facts import MerchantFacts
    from anxin.enforcement.run import config_of, run
    from tests.enforcement.days import put

    book = load_policy("douyin")
    config = config_of(book.in_force(now))
    last = now.astimezone(book.latest.calendar.zone).date() - dt.timedelta(
        days=config.settle_days + 1
    )
    facts = {"MA": MerchantFacts(), "MB": MerchantFacts()}
    put(facts["MA"], "false_inventory", last - dt.timedelta(days=2), config)
    put(facts["MA"], "fraud_shipping", last, config)
    put(facts["MB"], "late_shipment_shop", last, config)
    run(sql, book, now, facts=facts)
    v = t.violations.c
    with sql.connect() as conn:
        rows = conn.execute(sa.select(v.violation_id, v.merchant_id, v.type)).all()
    return {f"{r.merchant_id}:{r.type}": r.violation_id for r in rows}


def chat_events(
    cid: str, merchant: str, consumer: str, order: str, said: list[tuple[int, str, str]]
) -> list[bytes]:
    """A conversation: (minutes after 10:00 on the paid day, sender, text) per line."""
    out = []
    for n, (minutes, sender, text) in enumerate(said):
        payload = ev.ChatMessagePayload(
            conversation_id=cid,
            message_id=f"{cid}-{n}",
            merchant_id=merchant,
            consumer_id=consumer,
            sender=sender,  # type: ignore[arg-type]
            order_id=order,
            text=text,
        )
        at = PAID + dt.timedelta(minutes=minutes)
        message = ev.ChatMessage(id=f"{cid}-{n}", occurred_at=at, source="t", payload=payload)
        out.append(msgspec.json.encode(message))
    return out


def seed_service(
    client: TestClient, sql: sa.Engine, now: dt.datetime, operator: str
) -> dict[str, str]:
    """Two conversations run through `anxin service run` at ``now``: MA's on OA misses two reply
    SLAs (escalated), MB's on OB answers with a flat refusal (escalated). Returns the
    escalation ids by merchant."""
    from anxin.application import load_policy, order_rules
    from anxin.service.run import run

    lines = [
        *chat_events("KA", "MA", "CA", "OA", [(0, "consumer", "在吗"), (10, "agent", "在"),
                                              (11, "consumer", "快递到哪了"), (30, "agent", "好")]),
        *chat_events("KB", "MB", "CB", "OB", [(0, "consumer", "能退款吗"), (1, "agent", "不行")]),
    ]  # fmt: skip
    r = client.post("/v1/events", content=batch(lines), headers={"X-API-Key": operator})
    assert (r.status_code, r.json()["rejected"]) == (200, 0), r.text
    report = run(sql, load_policy("douyin"), now, order_rules())
    assert report.escalated == 2, report
    e = t.service_escalations.c
    with sql.connect() as conn:
        return dict(conn.execute(sa.select(e.merchant_id, e.escalation_id)).all())  # type: ignore[arg-type]
