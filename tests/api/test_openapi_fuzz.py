"""Schemathesis against the ASGI app in-process, with an operator key: no 5xx, every status the
API answers is documented, and every body matches its documented schema."""

from __future__ import annotations

import json

import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from anxin.api.app import create_app
from anxin.api.keys import create_key
from anxin.clock import FixedClock
from tests.api.world import NOW, ORDERS, order_events, unknown_type_event

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
MAX_EXAMPLES = 8


def test_operations_conform_to_the_document(db_url: str, sql_engine: sa.Engine) -> None:
    """Each operation, a few generated cases each (schemathesis's pytest plugin does not run
    under this pytest, so the operations are walked here)."""
    clock = FixedClock(NOW)
    app = create_app(db_url, clock=clock)
    operator = {"X-API-Key": create_key(sql_engine, "ops", "operator", clock=clock)}
    lines = [e for oid, (m, c) in ORDERS.items() for e in order_events(oid, m, c)]
    app.state.engine.ingest(list(enumerate([*lines, unknown_type_event()])), "seed")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:
        strategy = operation.as_strategy()

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=operator, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # every operation's failure, not only the first
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n\n".join(failures)


def test_nul_in_an_event_is_refused_not_a_server_error(db_url: str, sql_engine: sa.Engine) -> None:
    """Found by the fuzz run: U+0000 in a string failed the whole batch on PostgreSQL (500).
    It is a contract error now, on both backends, and its neighbour is accepted."""
    clock = FixedClock(NOW)
    app = create_app(db_url, clock=clock)
    operator = {"X-API-Key": create_key(sql_engine, "ops", "operator", clock=clock)}
    event = json.loads(order_events("O1", "M1", "C1")[0])
    event["id"] = "nul\u0000id"
    neighbour = json.loads(order_events("O2", "M1", "C2")[0])
    body = json.dumps({"events": [event, neighbour]}).encode()
    with TestClient(app) as client:
        r = client.post("/v1/events", content=body, headers=operator)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == 1
    (error,) = answer["errors"]
    assert (error["code"], error["path"], error["index"]) == ("invalid_value", "$.id", 0)
