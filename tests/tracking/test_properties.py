"""Whatever a carrier sends, ``parse`` answers with a ``ParseResult`` (``Kind.error`` for what it
cannot read), and what ``anxin tracking parse`` prints from it is UTF-8 JSON: arbitrary bytes,
real payload shapes with bytes edited, and JSON built from the keys carriers use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from anxin.tracking.cli import render, tracking_group
from anxin.tracking.model import Kind, ParseResult
from anxin.tracking.parsers import PARSED_CARRIERS, parse
from tests.tracking.test_parsers import SF_SCANS, kuaidi100_json

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = [
    kuaidi100_json(SF_SCANS).encode(),
    json.dumps(
        {
            "ShipperCode": "ZTO",
            "LogisticCode": "7300001",
            "Success": True,
            "Traces": [{"AcceptTime": "2026-10-01 09:00:00", "AcceptStation": "已揽收"}],
        },
        ensure_ascii=False,
    ).encode(),
    b"<TrackResponse><Result><Success>true</Success></Result><Packages><Package><Events>"
    b"<Event><DateTime>2026-10-01T10:00:00Z</DateTime><Code>PU</Code></Event></Events>"
    b"</Package></Packages></TrackResponse>",
    b"<Envelope><Body><Fault><faultcode>100</faultcode><faultstring>no</faultstring></Fault>"
    b"</Body></Envelope>",
]
# Keys of the payload shapes the parsers read, so generated JSON reaches past shape detection.
KEYS = sorted(
    {
        *(k for seed in SEEDS[:2] for k in json.loads(seed)),
        *("data", "time", "context", "statusCode", "Traces", "AcceptTime", "AcceptStation"),
        *("output", "completeTrackResults", "trackResults", "scanEvents", "date", "events"),
        *("shipments", "status", "timestamp", "location", "description", "trackingNumber"),
        *("errors", "message", "code", "result", "returnCode", "lastResult", "com", "nu"),
    }
)
HINTS = st.none() | st.sampled_from([*sorted(PARSED_CARRIERS), "kuaidi100", "sf", "nobody"])

_TEXT = st.text(max_size=12) | st.sampled_from(
    ["\ud800", "x\udfffy", "2026-10-01 10:00:00", "2026-10-01T10:00:00+08:00", "", "已签收"]
)
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | _TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def edited(draw: st.DrawFn) -> bytes:
    """A payload of a known shape with a few bytes replaced, inserted or deleted."""
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        chunk = draw(st.sampled_from([b"<", b">", b"[", b"{", b'"', b"\\ud800", b"\xff"]))
        raw[at : at + draw(st.integers(0, 3))] = chunk
    return bytes(raw)


def _check(data: bytes | str, carrier: str | None) -> None:
    result = parse(data, carrier)
    assert isinstance(result, ParseResult)
    assert isinstance(result.kind, Kind)
    assert result.kind is Kind.ok or not result.scans
    assert all(isinstance(e, str) for e in result.errors)
    json.dumps(render(result), ensure_ascii=False).encode()  # what the CLI prints


@PROPERTY
@given(st.binary(max_size=1024), HINTS)
@example(b"[" * 5000 + b"]" * 5000, None)
@example(b"{}\n" + b"[" * 5000 + b"]" * 5000, None)
def test_arbitrary_bytes(data: bytes, carrier: str | None) -> None:
    _check(data, carrier)


@PROPERTY
@given(st.text(st.characters() | st.sampled_from(["\ud800", "\udfff", "<", "{", "["])), HINTS)
@example("<a>\ud800</a>", None)
@example('<a b="\udfff"/>', None)
def test_arbitrary_text(data: str, carrier: str | None) -> None:
    _check(data, carrier)


@PROPERTY
@given(edited(), HINTS)
def test_known_shapes_with_bytes_edited(data: bytes, carrier: str | None) -> None:
    _check(data, carrier)


@PROPERTY
@given(_JSON, st.booleans(), HINTS)
@example(  # a lone surrogate, escaped as JSON allows it: text UTF-8 cannot carry
    json.loads(kuaidi100_json(SF_SCANS))
    | {"data": [{"time": "2026-10-01 10:00:00", "context": "\ud800"}]},
    True,
    None,
)
def test_json_from_carrier_keys(doc: Any, ascii_only: bool, carrier: str | None) -> None:
    _check(json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"), carrier)


def test_the_command_prints_an_error_for_a_payload_it_cannot_read(tmp_path: Path) -> None:
    """Found by the properties above: these crashed ``anxin tracking parse``."""
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 5000 + b"]" * 5000)
    lone = tmp_path / "lone.json"
    lone.write_text(kuaidi100_json(SF_SCANS).replace("已收取快件", "\\ud800"))
    # A payload it cannot read is an error result, printed, and exit status 1 (no tracking
    # found); the lone surrogate is read as U+FFFD and its scans come out.
    for path, kind, status in ((deep, "error", 1), (lone, "ok", 0)):
        result = CliRunner().invoke(tracking_group, ["parse", str(path)], catch_exceptions=False)
        assert result.exit_code == status, result.output
        assert json.loads(result.stdout)["kind"] == kind
