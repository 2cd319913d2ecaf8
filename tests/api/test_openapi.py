"""The OpenAPI document: every answer documented with its body, one error schema, closed
request objects, FastAPI's own validation errors in the same body."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from anxin.api.app import create_app

ERROR_REF = "#/components/schemas/ApiErrorBody"


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(str(tmp_path_factory.mktemp("doc") / "anxin.db"))
    return app.openapi()


def _operations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{m.upper()} {p}", op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def test_every_error_answer_has_the_one_error_body(doc: dict[str, Any]) -> None:
    for label, op in _operations(doc):
        answers = op["responses"]
        assert "500" in answers, label
        for status, answer in answers.items():
            assert "X-Request-Id" in answer["headers"], (label, status)
            if int(status) >= 400 and not (label == "GET /ready" and status == "503"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (label, status)
    error = doc["components"]["schemas"]["ApiErrorBody"]
    assert error["required"] == ["error"]
    detail = doc["components"]["schemas"]["ErrorDetail"]
    assert {"code", "message"} <= set(detail["properties"])
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_secured_operations_document_401_and_their_refusals(doc: dict[str, Any]) -> None:
    public = {"GET /health", "GET /live", "GET /v1/schema/events", "GET /v1/schema/messages"}
    for label, op in _operations(doc):
        if label in public:
            assert "401" not in op["responses"], label
            continue
        assert "401" in op["responses"], label
        if label != "GET /ready":
            assert "403" in op["responses"], label
        if "{" in label:
            assert "404" in op["responses"], label
            assert "422" in op["responses"], label  # path parameters are bounded
    assert "413" in doc["paths"]["/v1/events"]["post"]["responses"]


def test_request_objects_are_closed(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["EventBatch"]["additionalProperties"] is False
    ack = doc["paths"]["/v1/outbox/ack"]["post"]["requestBody"]["content"]["application/json"]
    assert ack["schema"]["additionalProperties"] is False


def test_fastapi_validation_errors_use_the_error_body(tmp_path: Any) -> None:
    from anxin.api.keys import create_key
    from anxin.clock import SystemClock

    app = create_app(str(tmp_path / "anxin.db"))
    key = create_key(app.state.sql_engine, "ops", "operator", clock=SystemClock())
    with TestClient(app) as client:
        r = client.get("/v1/outbox", params={"limit": 0}, headers={"X-API-Key": key})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"] == [{"loc": ["query", "limit"], "msg": error["details"][0]["msg"]}]
    assert "limit" in error["message"]


def test_refund_decisions_document_their_own_bodies(doc: dict[str, Any]) -> None:
    """The decision and the orders' decision list are two structs: two schemas, two refs."""
    op = doc["paths"]["/v1/refunds/decide"]["post"]
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/RefundDecision"}
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DecideBody"}
    schemas = doc["components"]["schemas"]
    assert {"outcome", "refund_at", "model_version"} <= set(schemas["RefundDecision"]["properties"])
    assert "rule_id" in schemas["DecisionView"]["properties"]  # the orders' decisions
    assert schemas["DecideBody"]["additionalProperties"] is False
    assert {"400", "401", "403", "404", "422"} <= set(op["responses"])
