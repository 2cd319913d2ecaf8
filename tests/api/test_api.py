from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api import app as api_app
from anxin.api.app import MAX_BODY_BYTES, create_app
from anxin.api.keys import Role, create_key, revoke_key
from anxin.clock import FixedClock
from anxin.sample import example_lines
from anxin.store.schema import dead_letters


@pytest.fixture
def client(db_url: str, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(db_url, clock=clock)) as c:
        yield c


@pytest.fixture
def key(sql_engine: sa.Engine, clock: FixedClock) -> str:
    return create_key(sql_engine, "feed", "ingest", clock=clock)


def auth(secret: str) -> dict[str, str]:
    return {"X-API-Key": secret}


def batch(events: list[bytes]) -> bytes:
    return b'{"events":[' + b",".join(events) + b"]}"


def mixed_batch() -> tuple[bytes, int, dict[int, str]]:
    """Valid example events with three bad ones mixed in; returns (body, valid, bad index→code)."""
    events = example_lines(orders=4, merchants=2)
    paid = json.loads(next(e for e in events if b'"order.paid"' in e))
    unknown = {**paid, "id": "x-unknown", "type": "order.teleported"}
    naive = {**paid, "id": "x-naive", "occurred_at": "2026-10-02T10:00:00"}
    bad = {
        2: json.dumps('{"id": "broken'),  # a JSON Lines line pasted as a string: not an event
        5: json.dumps(unknown),
        9: json.dumps(naive),
    }
    codes = {2: "invalid_type", 5: "unknown_type", 9: "naive_timestamp"}
    mixed = list(events)
    for index in sorted(bad):
        mixed.insert(index, bad[index].encode())
    return batch(mixed), len(events), codes


def dead_letter_rows(sql_engine: sa.Engine) -> list[sa.Row[Any]]:
    with sql_engine.connect() as conn:
        return list(conn.execute(sa.select(dead_letters)).all())


# ------------------------------------------------------------------------------------ auth


def test_missing_key_is_401(client: TestClient) -> None:
    r = client.post("/v1/events", content=batch([]))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "missing_api_key"
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "anx_0123456789abcdef_nope"},
        {"Authorization": "Bearer not-a-key"},
    ],
)
def test_wrong_key_is_401(client: TestClient, key: str, headers: dict[str, str]) -> None:
    r = client.post("/v1/events", content=batch([]), headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_api_key"


def test_revoked_key_is_401(
    client: TestClient, key: str, sql_engine: sa.Engine, clock: FixedClock
) -> None:
    assert client.post("/v1/events", content=batch([]), headers=auth(key)).status_code == 200
    assert revoke_key(sql_engine, key.split("_")[1], clock=clock)
    r = client.post("/v1/events", content=batch([]), headers=auth(key))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("role", ["consumer", "merchant"])
def test_wrong_role_is_403(
    client: TestClient, sql_engine: sa.Engine, clock: FixedClock, role: Role
) -> None:
    secret = create_key(sql_engine, "someone", role, clock=clock, **{f"{role}_id": "X1"})
    r = client.post("/v1/events", content=batch([]), headers=auth(secret))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_bearer_and_operator_accepted(
    client: TestClient, sql_engine: sa.Engine, clock: FixedClock
) -> None:
    secret = create_key(sql_engine, "ops", "operator", clock=clock)
    r = client.post("/v1/events", content=batch([]), headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200
    assert r.json() == {
        "received": 0, "accepted": 0, "duplicates": 0, "rejected": 0, "held": 0, "errors": []
    }  # fmt: skip


# ---------------------------------------------------------------------------------- ingest


def test_partial_acceptance_then_idempotent_resend(
    client: TestClient, key: str, sql_engine: sa.Engine
) -> None:
    body, valid, codes = mixed_batch()
    r = client.post("/v1/events", content=body, headers=auth(key))
    assert r.status_code == 200
    report = r.json()
    assert report["received"] == valid + 3
    assert report["accepted"] == valid
    assert report["rejected"] == 3
    assert report["duplicates"] == 0
    assert {e["index"]: e["code"] for e in report["errors"]} == codes
    rows = dead_letter_rows(sql_engine)
    assert {(row.position, row.code) for row in rows} == set(codes.items())
    assert {row.source for row in rows} == {"api:feed"}

    again = client.post("/v1/events", content=body, headers=auth(key)).json()
    assert again["accepted"] == 0
    assert again["duplicates"] == valid
    assert again["rejected"] == 3
    assert len(dead_letter_rows(sql_engine)) == 3


def test_body_over_limit_is_413(client: TestClient, key: str) -> None:
    r = client.post("/v1/events", content=b" " * (MAX_BODY_BYTES + 1), headers=auth(key))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"


def test_streamed_body_over_limit_is_413(client: TestClient, key: str) -> None:
    chunk = b" " * (1024 * 1024)  # no Content-Length: the cap must hold while streaming
    r = client.post("/v1/events", content=iter([chunk] * 9), headers=auth(key))
    assert r.status_code == 413


def test_too_many_events_is_413(client: TestClient, key: str) -> None:
    r = client.post("/v1/events", content=batch([b"{}"] * 10_001), headers=auth(key))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_many_events"


@pytest.mark.parametrize(
    "body", [b"", b"not json", b'{"events": 3}', b"[]", b'{"events": [], "extra": 1}']
)
def test_unreadable_envelope_is_400(client: TestClient, key: str, body: bytes) -> None:
    r = client.post("/v1/events", content=body, headers=auth(key))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_batch"
    assert r.json()["error"]["message"]


def _nested(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


def test_non_utf8_and_too_deep_events_are_refused_alone(
    client: TestClient, key: str, sql_engine: sa.Engine
) -> None:
    """Found in trial: either event made the whole batch a 500."""
    events = example_lines(orders=2, merchants=1)
    not_utf8 = events[1].replace(b'"source":"', b'"source":"\xb1', 1)
    deep = events[2].replace(b'"source":', b'"source":' + _nested(1000) + b',"x":', 1)
    body = batch([events[0], not_utf8, deep, *events[3:]])
    r = client.post("/v1/events", content=body, headers=auth(key))
    assert r.status_code == 200
    report = r.json()
    assert (report["received"], report["accepted"], report["rejected"]) == (
        len(events),
        len(events) - 2,
        2,
    )
    assert [(e["index"], e["code"]) for e in report["errors"]] == [
        (1, "invalid_utf8"),
        (2, "too_deep"),
    ]
    rows = dead_letter_rows(sql_engine)
    assert sorted((row.position, row.code, bytes(row.raw)) for row in rows) == [
        (1, "invalid_utf8", not_utf8),
        (2, "too_deep", deep),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"events":[' + b"[" * 100_000,  # never closed
        b'{"events":[{}]' + b"]" * 5 + b"}",
        b'{"events":[{}],"more":' + _nested(5_000) + b"}",
        b'{"more":' + _nested(5_000) + b',"events":[]}',
        b'{"events":[1,,' + _nested(5_000) + b"]}",
    ],
    ids=["arrays", "unclosed", "unbalanced", "deep-after", "deep-before", "empty-element"],
)
def test_deeply_nested_envelope_is_400_not_500(client: TestClient, key: str, body: bytes) -> None:
    r = client.post("/v1/events", content=body, headers=auth(key))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_batch"


def test_unexpected_error_is_bare_500(
    db_url: str, clock: FixedClock, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(db_url, clock=clock)

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.state.engine, "ingest", boom)
    r = TestClient(app).post("/v1/events", content=batch([]), headers=auth(key))
    assert r.status_code == 500
    assert r.json() == {"error": {"code": "internal"}}
    assert "secret internals" not in r.text


# --------------------------------------------------------------------------- health & docs


def test_health_needs_no_auth(client: TestClient, db_url: str) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["db"] == ("sqlite" if "://" not in db_url else "postgresql")
    assert body["schema"]


def test_health_503_when_db_unreachable(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(_: object) -> None:
        raise sa.exc.OperationalError("SELECT 1", None, ConnectionError("refused"))

    monkeypatch.setattr(api_app, "current_revision", down)
    r = client.get("/health")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "db_unavailable"


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_openapi_documents_events_and_auth(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.text)
    schemes = doc["components"]["securitySchemes"]
    assert {"type": "apiKey", "in": "header", "name": "X-API-Key"} in schemes.values()
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    op = doc["paths"]["/v1/events"]["post"]
    assert op["security"]
    schemas = doc["components"]["schemas"]
    body_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    item_refs = list(_refs(body["properties"]["events"]))
    assert "#/components/schemas/OrderPaid" in item_refs
    assert schemas["OrderPaid"]["properties"]["type"]["enum"] == ["order.paid"]
    prefix = "#/components/schemas/"
    for ref in _refs(doc):
        assert ref.startswith(prefix)
        assert ref[len(prefix) :] in schemas, ref


def test_event_schema_endpoint(client: TestClient) -> None:
    r = client.get("/v1/schema/events")
    assert r.status_code == 200
    schema = r.json()
    assert "order.paid" in json.dumps(schema["$defs"])
    assert msgspec.json.decode(r.content) == schema
