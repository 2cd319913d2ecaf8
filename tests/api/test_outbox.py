"""Pull delivery over HTTP, the message schemas endpoint and ``/ready``: on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import Role, create_key
from anxin.clock import FixedClock
from anxin.delivery.topics import TOPICS, schema_name
from tests.delivery.helpers import messages, write


@pytest.fixture
def client(db_url: str, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(db_url, clock=clock)) as c:
        yield c


@pytest.fixture
def operator(sql_engine: sa.Engine, clock: FixedClock) -> dict[str, str]:
    return {"X-API-Key": create_key(sql_engine, "ops", "operator", clock=clock)}


def test_pages_by_cursor_then_acks(
    client: TestClient, operator: dict[str, str], sql_engine: sa.Engine
) -> None:
    batch = messages(orders=3, per_order=2)  # 6 messages
    write(sql_engine, batch)
    seen: list[str] = []
    after = 0
    for _ in range(4):
        r = client.get("/v1/outbox", params={"after": after, "limit": 4}, headers=operator)
        assert r.status_code == 200, r.text
        page = r.json()
        seqs = [m["sequence"] for m in page["messages"]]
        assert seqs == sorted(seqs)
        assert all(s > after for s in seqs)
        seen += [m["id"] for m in page["messages"]]
        if not page["messages"]:
            assert page["next_after"] == after
            break
        assert page["next_after"] == seqs[-1]
        after = page["next_after"]
    assert sorted(seen) == sorted(m.message_id for m in batch)
    assert len(seen) == len(set(seen))
    first = client.get("/v1/outbox", params={"limit": 1}, headers=operator).json()["messages"][0]
    assert set(first) == {"id", "type", "schema", "aggregate_key", "sequence", "created_at", "data"}
    assert first["schema"] == schema_name(first["type"])

    r = client.post("/v1/outbox/ack", json={"ids": [*seen[:2], "unknown"]}, headers=operator)
    assert r.status_code == 200
    assert r.json() == {"acked": 2}
    r = client.post("/v1/outbox/ack", json={"ids": seen[:3]}, headers=operator)
    assert r.json() == {"acked": 1}  # idempotent: the first two were acked already


@pytest.mark.parametrize(
    "body",
    [
        b'{"ids": ["a"], "extra": 1}',  # closed schema
        b'{"ids": []}',
        b'{"ids": "a"}',
        b"{}",
        b"not json",
    ],
)
def test_bad_ack_body_is_422(client: TestClient, operator: dict[str, str], body: bytes) -> None:
    r = client.post("/v1/outbox/ack", content=body, headers=operator)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_body"


def test_bad_paging_is_422(client: TestClient, operator: dict[str, str]) -> None:
    for params in ({"limit": 0}, {"limit": 1001}, {"after": -1}, {"after": "x"}):
        assert client.get("/v1/outbox", params=params, headers=operator).status_code == 422


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/outbox"), ("POST", "/v1/outbox/ack")])
def test_needs_an_operator_key(
    client: TestClient, sql_engine: sa.Engine, clock: FixedClock, method: str, path: str
) -> None:
    body = {"ids": ["x"]} if method == "POST" else None
    r = client.request(method, path, json=body)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "missing_api_key"
    roles: list[Role] = ["ingest", "merchant", "consumer"]
    for role in roles:
        scope = {f"{role}_id": "X1"} if role != "ingest" else {}
        headers = {"X-API-Key": create_key(sql_engine, role, role, clock=clock, **scope)}
        r = client.request(method, path, json=body, headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden"), role


def test_message_schemas_list_every_topic(client: TestClient) -> None:
    r = client.get("/v1/schema/messages")
    assert r.status_code == 200
    schemas = r.json()
    assert set(schemas) == {schema_name(t) for t in TOPICS} | {"envelope/v1"}
    assert schemas["consumer.compensation/v1"]["title"] == "consumer.compensation"


def test_ready_reports_lag_and_backlog(client: TestClient, operator: dict[str, str]) -> None:
    r = client.get("/ready", headers=operator)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True
    assert body["problems"] == []
    assert body["migrations"]["current"] == body["migrations"]["head"]
    assert body["scheduler"] == {"lag_s": 0.0, "due": 0}
    assert body["outbox"] == {"pending": 0, "failed": 0, "unsequenced": 0}
    assert client.get("/health").status_code == 200


def test_openapi_documents_the_new_routes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {"/v1/outbox", "/v1/outbox/ack", "/v1/schema/messages", "/ready"} <= set(doc["paths"])
    ready = doc["paths"]["/ready"]["get"]["responses"]
    assert {"200", "503"} <= set(ready)
    page = doc["paths"]["/v1/outbox"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "$ref" not in str(page)  # inlined: no dangling $defs references
    ack = doc["paths"]["/v1/outbox/ack"]["post"]["requestBody"]["content"]["application/json"]
    assert ack["schema"]["additionalProperties"] is False


def test_ack_of_ids_no_message_can_have_is_zero(
    client: TestClient, operator: dict[str, str]
) -> None:
    """Found by the schemathesis run: a NUL in an id was a 500 on PostgreSQL."""
    r = client.post("/v1/outbox/ack", json={"ids": ["a\u0000b", "x" * 400]}, headers=operator)
    assert (r.status_code, r.json()) == (200, {"acked": 0})


def test_a_cursor_past_any_sequence_is_refused(
    client: TestClient, operator: dict[str, str]
) -> None:
    """Found by the schemathesis run: a cursor past 2**63 overflowed the driver (500)."""
    r = client.get("/v1/outbox", params={"after": 2**63}, headers=operator)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")
