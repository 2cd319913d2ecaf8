"""Decode raw bytes into events, turning every failure into a precise, machine-readable error.

An error says which event (its position and, when readable, its id), which field (a JSON path)
and why (a stable ``code`` plus a human message). Valid events beside a bad one are unaffected:
each event is decoded on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from anxin.contract.events import AnyEvent, Event

# One event larger than this is refused before it is parsed; 64 KiB is ~300x a typical event.
MAX_EVENT_BYTES = 64 * 1024


class ContractError(msgspec.Struct, frozen=True, omit_defaults=True):
    """Why one event was refused."""

    code: str
    message: str
    path: str = "$"
    index: int | None = None  # position in the batch (0-based) or line number (1-based) in a file
    event_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]


class Rejected(msgspec.Struct, frozen=True):
    """A payload that failed the contract, kept verbatim for the dead-letter store."""

    raw: bytes
    error: ContractError


_decoder = msgspec.json.Decoder(AnyEvent)
_encoder = msgspec.json.Encoder()
_any_decoder = msgspec.json.Decoder()

_AT = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)
_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(?P<field>[^`]+)`")
_ABSURD = re.compile(r"absurd date in `(?P<field>[^`]+)`")


def _classify(message: str, path: str) -> tuple[str, str]:
    """Map a msgspec validation message to (code, precise path)."""
    if m := _MISSING.search(message):
        return "missing_field", f"{path}.{m['field']}"
    if m := _UNKNOWN_FIELD.search(message):
        return "unknown_field", f"{path}.{m['field']}"
    if m := _ABSURD.search(message):
        return "absurd_date", f"{path}.{m['field']}"
    if path == "$.type" and message.startswith("Invalid value"):
        return "unknown_type", path
    if "with a timezone component" in message:
        return "naive_timestamp", path
    money_amount = path.endswith(".amount") or path.endswith(".unit_price.amount")
    if money_amount and message.startswith("Expected `int` >="):
        return "negative_money", path
    if money_amount and message.startswith("Expected `int`, got"):
        return "non_integer_money", path
    if path.endswith(".currency") and message.startswith("Invalid enum value"):
        return "unknown_currency", path
    if message.startswith("Expected `"):
        return "invalid_type" if ", got `" in message else "invalid_value", path
    return "invalid_value", path


def _peek_id(raw: bytes) -> str | None:
    try:
        obj = _any_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    value = obj.get("id") if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def decode_event(raw: bytes, index: int | None = None) -> Event | Rejected:
    """Decode one event; never raises for bad input."""
    if len(raw) > MAX_EVENT_BYTES:
        error = ContractError(
            code="oversized",
            message=f"event is {len(raw)} bytes; the limit is {MAX_EVENT_BYTES}",
            index=index,
        )
        return Rejected(raw[:MAX_EVENT_BYTES], error)
    try:
        return _decoder.decode(raw)  # type: ignore[no-any-return]
    except msgspec.ValidationError as exc:
        m = _AT.match(str(exc))
        assert m is not None  # the pattern matches any string
        code, path = _classify(m["msg"], m["path"] or "$")
        error = ContractError(code, m["msg"], path, index, _peek_id(raw))
    except msgspec.DecodeError as exc:
        error = ContractError("malformed_json", str(exc), "$", index)
    return Rejected(raw, error)


def encode_event(event: Event) -> bytes:
    """Canonical bytes of an event: the log stores these and content hashes are taken over them."""
    return _encoder.encode(event)


def iter_lines(lines: Iterable[bytes], start: int = 1) -> Iterator[tuple[int, bytes]]:
    """Number the non-blank lines of a JSON Lines stream (1-based line numbers)."""
    for number, line in enumerate(lines, start):
        stripped = line.strip()
        if stripped:
            yield number, stripped


class BatchBody(msgspec.Struct, forbid_unknown_fields=True):
    """The HTTP batch body: ``{"events": [...]}``. Events stay raw so each is judged alone."""

    events: list[msgspec.Raw]


_batch_decoder = msgspec.json.Decoder(BatchBody)


def split_batch(body: bytes) -> list[bytes]:
    """Split an HTTP batch body into raw events; raises ``msgspec.DecodeError`` if the envelope
    itself is unreadable (then nothing in it can be attributed to an event)."""
    return [bytes(raw) for raw in _batch_decoder.decode(body).events]
