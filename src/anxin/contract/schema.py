"""The published JSON Schema of the event contract.

``event_schema()`` describes one event (a JSON Lines line, or one element of the HTTP batch);
``batch_schema()`` describes the HTTP batch body ``{"events": [event, ...]}``. Both are derived
from the msgspec structs in ``anxin.contract.events``, so the schema cannot drift from what the
decoder accepts. Regenerate the published copy with::

    python -m anxin.contract.schema > docs/event-schema.json
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from anxin.contract.events import AnyEvent

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EVENT_SCHEMA_ID = "https://anxin.dev/schema/event.json"
BATCH_SCHEMA_ID = "https://anxin.dev/schema/batch.json"


def _clean_descriptions(node: Any) -> Any:
    """Dedent docstring-derived descriptions (msgspec copies ``__doc__`` verbatim)."""
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else _clean_descriptions(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_clean_descriptions(value) for value in node]
    return node


def event_schema() -> dict[str, Any]:
    """JSON Schema of one event: a union of the event types, discriminated by ``type``."""
    generated: dict[str, Any] = _clean_descriptions(msgspec.json.schema(AnyEvent))
    return {
        "$schema": DIALECT,
        "$id": EVENT_SCHEMA_ID,
        "title": "anxin event",
        "description": (
            "One fact streamed into anxin: an envelope (id, type, occurred_at, source, "
            "partition_key?) around a payload. Money is integer minor units plus an ISO 4217 "
            "code; every timestamp carries a UTC offset; unknown fields are errors."
        ),
        **generated,
    }


def batch_schema() -> dict[str, Any]:
    """JSON Schema of the HTTP batch body ``{"events": [event, ...]}`` (self-contained)."""
    event = event_schema()
    defs = event.pop("$defs")
    item = {key: event[key] for key in ("anyOf", "discriminator")}
    return {
        "$schema": DIALECT,
        "$id": BATCH_SCHEMA_ID,
        "title": "anxin event batch",
        "description": (
            "The HTTP ingest body. Each element is judged on its own: a bad event is "
            "dead-lettered with a precise error while the valid ones beside it are accepted."
        ),
        "type": "object",
        "properties": {"events": {"type": "array", "items": item}},
        "required": ["events"],
        "additionalProperties": False,
        "$defs": defs,
    }


def dumps(schema: dict[str, Any]) -> str:
    """The published text form: stable key order as generated, 2-space indent, UTF-8."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path) -> Path:
    """Write the event schema to ``path`` (parent directories are created)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dumps(event_schema()), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m anxin.contract.schema [--batch] [PATH]``: print (or write) the schema."""
    args = list(sys.argv[1:] if argv is None else argv)
    batch = "--batch" in args
    args = [a for a in args if a != "--batch"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m anxin.contract.schema [--batch] [PATH]", file=sys.stderr)
        return 2
    schema = batch_schema() if batch else event_schema()
    if args:
        target = Path(args[0])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(schema), encoding="utf-8")
    else:
        sys.stdout.buffer.write(dumps(schema).encode())
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
