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
# Arrays and objects nested deeper than this are refused before they are parsed: the decoder
# recurses per level (~1,000 levels overflow the interpreter's stack) and no event nests past 6.
MAX_DEPTH = 64

# Every code a dead letter can carry: the decoder's own, and the engine's (``conflict``: an id
# seen before with other content; ``absurd_date``: outside 2000..2099 or past the ingest clock).
ERROR_CODES = frozenset(
    {
        "absurd_date",
        "conflict",
        "invalid_type",
        "invalid_utf8",
        "invalid_value",
        "malformed_json",
        "missing_field",
        "naive_timestamp",
        "negative_money",
        "non_integer_money",
        "oversized",
        "too_deep",
        "unknown_currency",
        "unknown_field",
        "unknown_type",
    }
)


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
# A JSON string (escapes included), or a run of opening or of closing brackets: all that
# nesting depends on. Runs keep a bracket bomb to a handful of matches.
_NESTING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+', re.S)


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
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    value = obj.get("id") if isinstance(obj, dict) else None
    return value if isinstance(value, str) and "\x00" not in value else None


def _nul_at(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first string (key or value) holding U+0000, if any."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return path
            found = _nul_at(item, f"{path}.{key}")
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_at(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _nul_error(raw: bytes, index: int | None) -> ContractError | None:
    """U+0000 in any text is refused: no text column (PostgreSQL's, for one) can hold it, and no
    marketplace field means it. Only events spelling the escape are decoded twice."""
    try:
        obj = _any_decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None  # the typed decode reports what is wrong
    path = _nul_at(obj)
    if path is None:
        return None
    return ContractError(
        "invalid_value", "text holds U+0000 (NUL), which no field may carry", path, index,
        _peek_id(raw),
    )  # fmt: skip


def too_deep(raw: bytes) -> int | None:
    """The byte offset where ``raw`` opens its level ``MAX_DEPTH + 1`` array or object, if it
    does; ``None`` when it nests no deeper than ``MAX_DEPTH`` (brackets in strings are text)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:  # nearly every event: no scan at all
        return None
    depth = 0
    for m in _NESTING.finditer(raw):
        first = raw[m.start()]
        if first == 0x22:  # '"': a string
            continue
        run = m.end() - m.start()
        if first in b"[{":
            if depth + run > MAX_DEPTH:
                return m.start() + MAX_DEPTH - depth
            depth += run
        else:
            depth -= run
    return None


def _deep_error(at: int, index: int | None) -> ContractError:
    return ContractError(
        "too_deep",
        f"arrays and objects nest more than {MAX_DEPTH} levels deep (level {MAX_DEPTH + 1} "
        f"opens at byte {at}); deeper input is refused unparsed",
        "$",
        index,
    )


def _utf8_error(raw: bytes, exc: UnicodeDecodeError, index: int | None) -> ContractError:
    # msgspec's offsets are relative to the string it was reading: find the byte in the event.
    try:
        raw.decode()
    except UnicodeDecodeError as whole:
        exc = whole
    byte = exc.object[exc.start]
    message = (
        f"byte 0x{byte:02x} at offset {exc.start} is not valid UTF-8 ({exc.reason}); "
        "events are UTF-8 JSON"
    )
    # The id, if the bad byte is elsewhere: every invalid byte read as U+FFFD.
    readable = _peek_id(raw.decode(errors="replace").encode())
    event_id = readable if readable is not None and "\ufffd" not in readable else None
    return ContractError("invalid_utf8", message, "$", index, event_id)


def decode_event(raw: bytes, index: int | None = None) -> Event | Rejected:
    """Decode one event; never raises for bad input."""
    if len(raw) > MAX_EVENT_BYTES:
        error = ContractError(
            code="oversized",
            message=f"event is {len(raw)} bytes; the limit is {MAX_EVENT_BYTES}",
            index=index,
        )
        return Rejected(raw[:MAX_EVENT_BYTES], error)
    if (at := too_deep(raw)) is not None:
        return Rejected(raw, _deep_error(at, index))
    if b"\\u0000" in raw and (nul := _nul_error(raw, index)) is not None:
        return Rejected(raw, nul)
    try:
        return _decoder.decode(raw)  # type: ignore[no-any-return]
    except msgspec.ValidationError as exc:
        m = _AT.match(str(exc))
        assert m is not None  # the pattern matches any string
        code, path = _classify(m["msg"], m["path"] or "$")
        error = ContractError(code, m["msg"], path, index, _peek_id(raw))
    except msgspec.DecodeError as exc:
        error = ContractError("malformed_json", str(exc), "$", index)
    except UnicodeDecodeError as exc:  # msgspec checks UTF-8 as it reads each string
        error = _utf8_error(raw, exc, index)
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
    try:
        return [bytes(raw) for raw in _batch_decoder.decode(body).events]
    except RecursionError:  # an event nests too deep for the decoder even to skip over it
        return _split_deep(body)


_ENVELOPE = re.compile(rb'\A\s*\{\s*"events"\s*:\s*\[(?P<events>.*)\]\s*\}\s*\Z', re.S)
_ELEMENTS = re.compile(_NESTING.pattern + rb"|,", re.S)


def _split_deep(body: bytes) -> list[bytes]:
    """Split ``{"events": [...]}`` at its top-level commas without parsing the events, so each
    is still judged alone (``decode_event`` refuses the deep ones). Slower than the decoder,
    so only used when it gave up; any other shape is unreadable."""
    m = _ENVELOPE.match(body)
    if m is None:
        raise msgspec.DecodeError(
            f'nested more than {MAX_DEPTH} levels deep, and not of the form {{"events": [...]}}'
        )
    start, end = m.span("events")
    if not body[start:end].strip():
        return []
    raws: list[bytes] = []
    depth = 0
    for t in _ELEMENTS.finditer(body, start, end):
        first = body[t.start()]
        if first == 0x2C and depth == 0:  # ',' between two events
            raws.append(body[start : t.start()].strip())
            start = t.end()
        elif first in b"[{":
            depth += t.end() - t.start()
        elif first in b"]}":
            depth -= t.end() - t.start()
            if depth < 0:
                raise msgspec.DecodeError(f"unbalanced `]` or `}}` at byte {t.start()}")
    raws.append(body[start:end].strip())
    if depth != 0 or not all(raws):
        raise msgspec.DecodeError("unbalanced brackets or an empty element in `events`")
    return raws
