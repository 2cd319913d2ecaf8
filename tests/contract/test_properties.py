"""Whatever bytes arrive, the decoder answers with an event or a contract error, never an
exception: arbitrary bytes, valid events with bytes edited, and valid events carrying arbitrary
JSON in a field. Accepted events survive what the engine does next (canonical bytes, hash key).
"""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from anxin.clock import to_us
from anxin.contract import events as ev
from anxin.contract.decode import (
    MAX_EVENT_BYTES,
    Rejected,
    decode_event,
    encode_event,
)
from tests.contract.test_decode import EXAMPLES

# Every code decode_event may answer with (the engine adds absurd dates and conflicts).
CODES = {
    "oversized",
    "too_deep",
    "invalid_utf8",
    "malformed_json",
    "missing_field",
    "unknown_field",
    "absurd_date",
    "unknown_type",
    "naive_timestamp",
    "negative_money",
    "non_integer_money",
    "unknown_currency",
    "invalid_type",
    "invalid_value",
}
SEEDS = [encode_event(e) for _, e in sorted(EXAMPLES.items())]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes that matter to JSON and UTF-8 more often than chance would pick them.
_SPECIAL = st.sampled_from(
    [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b"\xff", b"\xc3", b"\x00", b"\\u", b"\\ud800"]
)
_CHUNK = st.one_of(_SPECIAL, st.binary(min_size=1, max_size=8))


@st.composite
def edited(draw: st.DrawFn) -> bytes:
    """A valid event with a few bytes replaced, inserted or deleted."""
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        what = draw(st.sampled_from(["insert", "replace", "delete"]))
        chunk = draw(_CHUNK)
        if what == "insert":
            raw[at:at] = chunk
        elif what == "replace":
            raw[at : at + len(chunk)] = chunk
        else:
            del raw[at : at + draw(st.integers(1, 16))]
    return bytes(raw)


_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-10-01T10:00:00+08:00", "2026-10-01T10:00:00", "9999-12-31T23:59Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@st.composite
def grafted(draw: st.DrawFn) -> bytes:
    """A valid event with one of its fields (at any level) set to an arbitrary JSON value."""
    doc = msgspec.json.decode(draw(st.sampled_from(SEEDS)))
    node = doc
    while isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        if not isinstance(node[key], dict) or draw(st.booleans()):
            node[key] = draw(_JSON)
            break
        node = node[key]
    return msgspec.json.encode(doc)


def _check(raw: bytes, index: int) -> None:
    result = decode_event(raw, index)
    if isinstance(result, Rejected):
        assert result.error.code in CODES, result.error
        assert result.error.index == index
        assert result.raw == raw[:MAX_EVENT_BYTES]
        msgspec.json.encode(result.error.to_dict()).decode()  # reportable as UTF-8 JSON
        return
    assert isinstance(result, ev.EVENT_TYPES)
    canonical = encode_event(result)
    canonical.decode()  # the log stores it as text
    assert decode_event(canonical) == result
    to_us(result.occurred_at)
    result.key()


@PROPERTY
@given(st.binary(max_size=2048), st.integers(0, 10**6))
@example(b'{"id":"\xff"}', 1)
@example(b'{"a":' + b"[" * 1000 + b"]" * 1000 + b"}", 2)
def test_arbitrary_bytes(raw: bytes, index: int) -> None:
    _check(raw, index)


@PROPERTY
@given(edited())
def test_valid_events_with_bytes_edited(raw: bytes) -> None:
    _check(raw, 0)


@PROPERTY
@given(grafted())
def test_valid_events_with_any_json_in_a_field(raw: bytes) -> None:
    _check(raw, 0)
