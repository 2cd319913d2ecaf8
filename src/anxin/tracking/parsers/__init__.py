"""Payloads → ``ParseResult``: anxin's own scan events, the Kuaidi100 / KDNiao aggregator JSON,
the raw JSON / XML tracking responses of 26 international carriers (one module each in
``anxin.tracking.carriers``), and any other carrier's by shape (``parsers.generic``).

``parse`` never raises: an unreadable or unknown payload, or one a parser chokes on, comes back
as ``Kind.error`` with a message. The carrier is taken from the caller's hint when it has a
parser, else detected from the payload's shape (specific shapes first, generic error shapes
last). ``parse_file`` is the I/O edge; without a hint it tries the file's folder name.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from anxin.tracking.carriers import MODULES, canonical, key
from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.parsers import errors, feeds, generic
from anxin.tracking.reading import Context, JsonParser, XmlParser, load_zone, strip_namespaces


@dataclass(frozen=True, slots=True)
class Entry:
    names: tuple[str, ...]  # carrier names this parser answers for (the first is the default)
    json: JsonParser | None = None
    xml: XmlParser | None = None
    neutral: bool = False  # carries any carrier's scans (the caller's hint is only a fallback)


ENTRIES: tuple[Entry, ...] = (
    Entry(("anxin",), json=feeds.parse_anxin, neutral=True),
    Entry(("kuaidi100",), json=feeds.parse_kuaidi100, neutral=True),
    Entry(("kdniao",), json=feeds.parse_kdniao, neutral=True),
    # Each carrier's own shapes, from its module (``anxin.tracking.carriers.MODULES``, in order).
    *(Entry(m.names, json=m.json, xml=m.xml) for m in MODULES),
    # Any other carrier: events found by shape, after every carrier's own shape (order matters).
    Entry(("generic",), json=generic.parse_json, xml=generic.parse_xml, neutral=True),
    # Generic error bodies, then errors by shape or a precise "no events found": last.
    Entry(("error",), json=errors.parse_json_error, neutral=True),
    Entry(("soap",), xml=errors.parse_soap_fault, neutral=True),
    Entry(("no_events",), json=generic.failure_json, xml=generic.failure_xml, neutral=True),
)

PARSED_CARRIERS = frozenset(n for e in ENTRIES if not e.neutral for n in e.names)


def parse(data: bytes | str, carrier: str | None = None, tz: str | None = None) -> ParseResult:
    """Read one payload. ``carrier`` names the carrier (registry name, alias or fixture folder
    name); ``tz`` is the zone for offset-less times (default: the carrier's own)."""
    return _utf8_clean(_parse(data, carrier, tz))


# JSON may escape a lone UTF-16 surrogate (``"\ud800"``): a str UTF-8 cannot encode, which
# would crash whoever prints or stores the scan. Valid pairs are one character once decoded.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


_SCAN_TEXTS = tuple(f.name for f in fields(RawScan) if f.type == "str")


def _cleaned(scan: RawScan) -> dict[str, Any]:
    return {name: _clean(getattr(scan, name)) for name in _SCAN_TEXTS}


def _utf8_clean(result: ParseResult) -> ParseResult:
    """``result`` with each lone surrogate in its text replaced by U+FFFD."""
    texts = [result.carrier or "", *result.errors]
    texts += [getattr(s, name) for s in result.scans for name in _SCAN_TEXTS]
    if not any(_SURROGATE.search(t) for t in texts):
        return result
    scans = tuple(replace(s, **_cleaned(s)) for s in result.scans)
    carrier = _clean(result.carrier) if result.carrier is not None else None
    return ParseResult(result.kind, carrier, scans, tuple(map(_clean, result.errors)))


def _parse(data: bytes | str, carrier: str | None, tz: str | None) -> ParseResult:
    hint = canonical(carrier) if carrier else None
    if tz is not None:
        try:
            load_zone(tz)
        except ValueError as exc:
            return ParseResult(Kind.error, hint, (), (str(exc),))
    try:
        raw = data.decode("utf-8-sig") if isinstance(data, bytes) else _clean(data)
    except UnicodeDecodeError as exc:
        return ParseResult(Kind.error, hint, (), (f"not UTF-8 text: {exc}",))
    body = raw.strip()
    if not body:
        return ParseResult(Kind.error, hint, (), ("empty payload",))
    if body.startswith("<"):
        try:
            root = strip_namespaces(ET.fromstring(body))
        except ET.ParseError as exc:
            return ParseResult(Kind.error, hint, (), (f"malformed XML: {exc}",))
        return _dispatch(root, "xml", hint, tz, f"unrecognised XML payload <{root.tag}>")
    try:
        doc = _load_json(body)
    except RecursionError:  # json recurses per level; no carrier nests ~1,000 deep
        return ParseResult(Kind.error, hint, (), ("JSON nested too deep to read",))
    if doc is None:
        return ParseResult(Kind.error, hint, (), ("neither JSON, JSON Lines nor XML",))
    return _dispatch(doc, "json", hint, tz, f"unrecognised JSON payload ({_shape(doc)})")


def parse_file(path: Path, carrier: str | None = None, tz: str | None = None) -> ParseResult:
    """The file-reading edge. Without ``carrier``, a folder named after a carrier is the hint."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParseResult(Kind.error, carrier, (), (f"cannot read {path}: {exc.strerror}",))
    if carrier is None and key(path.parent.name) in PARSED_CARRIERS:
        carrier = path.parent.name
    return parse(data, carrier, tz)


def _load_json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        pass
    lines = [line for line in body.splitlines() if line.strip()]
    try:
        return [json.loads(line) for line in lines] if len(lines) > 1 else None
    except ValueError:
        return None


def _shape(doc: Any) -> str:
    if isinstance(doc, dict):
        return "keys: " + ", ".join(sorted(map(str, doc))[:8])
    if isinstance(doc, list):
        return f"a list of {len(doc)}"
    return type(doc).__name__


def _candidates(hint: str | None) -> Iterator[Entry]:
    """The hinted carrier's parser first, then ``ENTRIES`` in order (generic errors last)."""
    first = [e for e in ENTRIES if hint in e.names and not e.neutral]
    yield from first
    yield from (e for e in ENTRIES if e not in first)


def _dispatch(doc: Any, fmt: str, hint: str | None, tz: str | None, unknown: str) -> ParseResult:
    crashed: list[str] = []
    # A carrier's shape matched by detection (not named by the caller) that reads no event at
    # all is weak evidence: later entries (the generic extractor) may still find the events.
    empty: ParseResult | None = None
    for entry in _candidates(hint):
        fn = entry.json if fmt == "json" else entry.xml
        if fn is None:
            continue
        name = hint if entry.neutral or hint in entry.names else entry.names[0]
        try:
            result = fn(doc, Context(name, tz))
        except Exception as exc:  # a parser tripping over a malformed payload is a bad payload
            crashed.append(f"malformed {entry.names[0]} payload: {type(exc).__name__}: {exc}")
            continue
        if result is None:
            continue
        found = result.kind is Kind.ok and bool(result.scans)
        if empty is None and result.kind is Kind.ok and not found and hint not in entry.names:
            empty = result
            continue
        return result if empty is None or found else empty
    return empty or ParseResult(Kind.error, hint, (), tuple(crashed) or (unknown,))


__all__ = ["ENTRIES", "PARSED_CARRIERS", "Entry", "parse", "parse_file"]
