"""The published JSON Schema: current, complete, and in agreement with the decoder.

``validate`` below is a small structural JSON Schema checker covering exactly the keywords
msgspec emits (a test fails if the schema starts using one it does not know), so the examples
are checked against the published schema itself, not only against their type tag.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anxin.contract import events as ev
from anxin.contract.decode import Rejected, decode_event, encode_event
from anxin.contract.schema import (
    BATCH_SCHEMA_ID,
    EVENT_SCHEMA_ID,
    batch_schema,
    event_schema,
    main,
    write_schema,
)
from anxin.sample import example_stream
from tests.contract.test_decode import EXAMPLES

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "event-schema.json"

# ---------------------------------------------------------------- a minimal validator

ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "default"}
ASSERTIONS = {
    "$ref",
    "anyOf",
    "discriminator",
    "enum",
    "type",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
}
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)  # an offset is required: JSON Schema's date-time has no naive form
TYPES: dict[str, Callable[[object], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/"), ref
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    assert isinstance(node, dict)
    return node


def validate(
    value: object, schema: dict[str, Any], root: dict[str, Any], at: str = "$"
) -> list[str]:
    """Return the violations of ``value`` against ``schema`` (empty when valid)."""
    if "$ref" in schema:
        return validate(value, _resolve(root, schema["$ref"]), root, at)
    if "discriminator" in schema and isinstance(value, dict):
        prop, mapping = schema["discriminator"]["propertyName"], schema["discriminator"]["mapping"]
        tag = value.get(prop)
        if tag not in mapping:
            return [f"{at}.{prop}: {tag!r} is not one of the discriminator's tags"]
        return validate(value, _resolve(root, mapping[tag]), root, at)
    if "anyOf" in schema:
        branches = [validate(value, branch, root, at) for branch in schema["anyOf"]]
        if all(branches):
            return [f"{at}: matches no branch of anyOf ({[b[0] for b in branches]})"]
    errors: list[str] = []
    if "enum" in schema and not any(
        value == option and type(value) is type(option) for option in schema["enum"]
    ):
        errors.append(f"{at}: {value!r} not in enum")
    if "type" in schema and not TYPES[schema["type"]](value):
        return [*errors, f"{at}: expected {schema['type']}, got {type(value).__name__}"]
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e99):
            errors.append(f"{at}: length {len(value)} out of bounds")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not RFC3339.match(value):
            errors.append(f"{at}: not an RFC 3339 date-time with offset: {value!r}")
    low, high = schema.get("minimum", -1e99), schema.get("maximum", 1e99)
    if isinstance(value, int | float) and not isinstance(value, bool) and not low <= value <= high:
        errors.append(f"{at}: {value} out of range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1e99):
            errors.append(f"{at}: {len(value)} items out of bounds")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += validate(item, schema["items"], root, f"{at}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{at}.{k}: required" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if "propertyNames" in schema:
                errors += validate(key, schema["propertyNames"], root, f"{at}.{key}(name)")
            if key in properties:
                errors += validate(item, properties[key], root, f"{at}.{key}")
            elif extra is False:
                errors.append(f"{at}.{key}: unknown field")
            elif isinstance(extra, dict):
                errors += validate(item, extra, root, f"{at}.{key}")
    return errors


def _keywords(node: object, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key in {"properties", "$defs"}:
                for sub in value.values():
                    _keywords(sub, found)
            elif key not in {"discriminator", "enum", "default", "required"}:
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


# ---------------------------------------------------------------- the published file


def test_published_schema_is_current() -> None:
    assert PUBLISHED.exists(), "run: python -m anxin.contract.schema > docs/event-schema.json"
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert published == event_schema(), (
        "docs/event-schema.json is stale: python -m anxin.contract.schema > docs/event-schema.json"
    )


def test_schema_identifies_itself() -> None:
    schema = event_schema()
    assert schema["$id"] == EVENT_SCHEMA_ID == "https://anxin.dev/schema/event.json"
    assert schema["title"]
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_main_prints_and_write_schema_writes_the_published_text(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main([]) == 0
    printed = capsysbinary.readouterr().out
    assert json.loads(printed) == event_schema()
    written = write_schema(tmp_path / "nested" / "event-schema.json")
    assert written.read_bytes() == printed
    assert main([str(tmp_path / "batch.json"), "--batch"]) == 0
    assert json.loads((tmp_path / "batch.json").read_text(encoding="utf-8")) == batch_schema()
    assert main(["a", "b"]) == 2


def test_validator_knows_every_keyword_the_schema_uses() -> None:
    for schema in (event_schema(), batch_schema()):
        unknown = _keywords(schema, set()) - ANNOTATIONS - ASSERTIONS
        assert unknown == set(), f"teach `validate` these keywords: {sorted(unknown)}"


# ---------------------------------------------------------------- completeness


def test_schema_lists_all_22_event_types() -> None:
    schema = event_schema()
    mapping = schema["discriminator"]["mapping"]
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(mapping) == set(ev.TYPE_NAMES)
    assert len(mapping) == 22
    assert sorted(branch["$ref"] for branch in schema["anyOf"]) == sorted(mapping.values())
    for tag, ref in mapping.items():
        definition = _resolve(schema, ref)
        assert definition["properties"]["type"] == {"enum": [tag]}
        assert set(definition["required"]) >= {"id", "type", "occurred_at", "source", "payload"}
        assert definition["additionalProperties"] is False


def test_money_is_integer_minor_units_in_a_closed_currency_list() -> None:
    money = event_schema()["$defs"]["Money"]
    assert money["properties"]["amount"]["type"] == "integer"
    assert money["properties"]["amount"]["minimum"] == 0
    assert "CNY" in money["properties"]["currency"]["enum"]
    assert "XXX" not in money["properties"]["currency"]["enum"]
    assert money["additionalProperties"] is False


# ---------------------------------------------------------------- examples vs the schema

SAMPLE = list(example_stream(12, 2))
ALL_EXAMPLES = [pytest.param(e, id=f"example-{e.type}") for e in EXAMPLES.values()] + [
    pytest.param(e, id=f"sample-{e.id}") for e in SAMPLE
]


@pytest.mark.parametrize("event", ALL_EXAMPLES)
def test_every_example_event_validates(event: ev.Event) -> None:
    schema = event_schema()
    instance = json.loads(encode_event(event))
    assert instance["type"] in schema["discriminator"]["mapping"]
    assert validate(instance, schema, schema) == []


def test_sample_stream_covers_the_usual_types() -> None:
    assert {e.type for e in SAMPLE} >= {
        "merchant.registered",
        "order.placed",
        "order.paid",
        "shipment.created",
        "tracking.scanned",
    }


def test_a_batch_of_examples_validates_against_the_batch_schema() -> None:
    schema = batch_schema()
    assert schema["$id"] == BATCH_SCHEMA_ID
    body = {"events": [json.loads(encode_event(e)) for e in [*EXAMPLES.values(), *SAMPLE]]}
    assert validate(body, schema, schema) == []
    assert validate({"events": []}, schema, schema) == []
    assert validate({}, schema, schema) == ["$.events: required"]
    assert validate({"events": [], "more": 1}, schema, schema) == ["$.more: unknown field"]


def _order_placed() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(encode_event(EXAMPLES["order.placed"]))
    return doc


# Bad input the schema alone can see, with the decoder's code for the same input.
SCHEMA_VIOLATIONS = [
    pytest.param(lambda d: d.update(type="order.shipped"), "unknown_type", id="unknown-type"),
    pytest.param(lambda d: d.pop("source"), "missing_field", id="missing-source"),
    pytest.param(lambda d: d.update(occured_at=d["occurred_at"]), "unknown_field", id="typo"),
    pytest.param(lambda d: d["payload"].update(order_id=1), "invalid_type", id="mistyped"),
    pytest.param(
        lambda d: d.update(occurred_at="2026-10-01T09:00:00"), "naive_timestamp", id="naive"
    ),
    pytest.param(
        lambda d: d["payload"]["amount"].update(amount=-1), "negative_money", id="negative-money"
    ),
    pytest.param(
        lambda d: d["payload"]["amount"].update(amount=12.5),
        "non_integer_money",
        id="non-integer-money",
    ),
    pytest.param(
        lambda d: d["payload"]["amount"].update(currency="cny"),
        "unknown_currency",
        id="lowercase-currency",
    ),
    pytest.param(
        lambda d: d["payload"]["items"][0].update(quantity=0), "invalid_value", id="quantity-0"
    ),
    pytest.param(lambda d: d["payload"].update(items=[]), "invalid_value", id="no-items"),
]


@pytest.mark.parametrize(("change", "code"), SCHEMA_VIOLATIONS)
def test_schema_and_decoder_agree_on_bad_input(
    change: Callable[[dict[str, Any]], object], code: str
) -> None:
    schema = event_schema()
    doc = _order_placed()
    change(doc)
    assert validate(doc, schema, schema) != []
    decoded = decode_event(json.dumps(doc).encode())
    assert isinstance(decoded, Rejected)
    assert decoded.error.code == code


def test_an_aware_timestamp_with_any_offset_is_valid() -> None:
    schema = event_schema()
    doc = _order_placed()
    at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    doc["occurred_at"] = at.isoformat()
    assert validate(doc, schema, schema) == []
    assert not isinstance(decode_event(json.dumps(doc).encode()), Rejected)
