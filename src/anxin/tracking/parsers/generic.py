"""The fallback for carriers anxin has no parser for: events found by shape in any JSON or XML
payload, and error / not-found answers found by shape too. Pure: reads the given document only.

An *event record* is an object with a time (one field, or a date and a clock field) and a
description or a code, however deep it sits. Records are grouped by the nearest enclosing object
carrying a tracking number, so a batch answer yields each parcel's events. Within a parcel, records
in a list (or under a history-like key: ``events``, ``scans``, ``TrackDetail`` …) are the history;
a lone record elsewhere (a "latest status" object) is used only when the parcel has no list.

XML is read as the same tree: namespaces dropped, attributes and child elements as fields,
repeated children as lists, so a SOAP envelope is just two more levels of nesting.

Times: an offset in the value wins, else a ``±HH:MM`` offset field beside it, else the caller's
``tz``, else the carrier's registered zone, else UTC (documented in the README).

The result is events, an error / not-found / auth answer with the payload's own messages, or a
precise "no tracking events found" error: never a guess. See ``docs/decisions/0015``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.parsers import shapes as sh
from anxin.tracking.reading import Context, at_offset, failure, message, success, text

_MAX_DEPTH = 64  # deeper than any carrier nests; bounds the walk on hostile input
_FLAT_DEPTH = 3  # how deep a record's own fields are looked for (``ServiceEvent/Description``)

Path = tuple[str, ...]
_BOOLEANS = ("true", "false")


def tree(el: ET.Element, depth: int = 0) -> Any:
    """An XML element as JSON-like data: attributes and children as keys (local names),
    repeated children as a list, a leaf as its text."""
    children = list(el) if depth < _MAX_DEPTH else []
    attrs = {sh.fold(k): v for k, v in el.attrib.items()}
    if not children and not attrs:
        return text(el.text)
    out: dict[str, Any] = dict(attrs)
    for child in children:
        name = child.tag.rsplit("}", 1)[-1]
        value = tree(child, depth + 1)
        if name in out:
            held = out[name]
            out[name] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            out[name] = value
    body = text(el.text)
    if body and children:
        out["#text"] = body
    return out


@dataclass(frozen=True, slots=True)
class _Found:
    parcel: int  # identity of the object holding the tracking number (0: the document)
    number: str
    rank: int  # 2: under a history-like key, 1: in a list of several, 0: a lone object
    scan: RawScan


@dataclass(slots=True)
class _Walk:
    carrier: str
    zone: dt.tzinfo
    found: list[_Found] = field(default_factory=list)


def _flat(node: dict[str, Any], path: Path = (), depth: int = 0) -> Iterator[tuple[Path, Any]]:
    """A record's scalar fields with their folded key paths (nested objects included, lists of
    scalars or one-field objects joined), lists of records excluded."""
    for key, value in node.items():
        here = (*path, sh.fold(key))
        if isinstance(value, dict):
            if depth < _FLAT_DEPTH:
                yield from _flat(value, here, depth + 1)
        elif isinstance(value, list):
            parts = [v for v in value if not isinstance(v, dict | list)]
            if parts and len(parts) == len(value):
                yield here, " ".join(text(p) for p in parts)
            elif depth < _FLAT_DEPTH:
                for v in value:
                    if isinstance(v, dict):
                        yield from _flat(v, here, depth + 1)
        elif value is not None and not isinstance(value, bool):
            yield here, value


@lru_cache(maxsize=4096)
def _any(pattern: re.Pattern[str], path: Path) -> bool:
    return any(pattern.search(p) for p in path)


@lru_cache(maxsize=4096)
def _named(path: Path) -> str:
    """The field's meaningful name: ``("date", "content")`` is a date."""
    return next((p for p in reversed(path) if p not in sh.GENERIC_LEAF), path[-1])


def _time(fields: list[tuple[Path, Any]], zone: dt.tzinfo) -> dt.datetime | None:
    timed = [
        (p, v)
        for p, v in fields
        if sh.TIME_KEY.search(_named(p)) and not _any(sh.NOT_EVENT_TIME, p) and text(v)
    ]
    offset = next(
        (
            text(v)
            for p, v in fields
            if re.search("offset|zone", p[-1]) and re.fullmatch(r"[+-]\d{1,2}:?\d{2}", text(v))
        ),
        "",
    )
    for _, value in timed:
        at = sh.read_time(value, zone)
        if at is not None:
            return at_offset(at, offset) if offset and not _has_offset(value) else at
    day = next((d for _, v in timed if (d := sh.read_date(text(v))) is not None), None)
    clock = next(
        (c for p, v in timed if sh.CLOCK_ONLY.search(_named(p)) and (c := sh.read_clock(v))), None
    )
    if day is None or clock is None:
        return None
    local = dt.datetime.combine(day, clock)
    if offset:
        m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})", offset)
        assert m is not None
        delta = dt.timedelta(hours=int(m[2]), minutes=int(m[3]))
        return local.replace(tzinfo=dt.timezone(-delta if m[1] == "-" else delta))
    return local.replace(tzinfo=zone)


def _has_offset(value: Any) -> bool:
    return isinstance(value, str) and bool(re.search(r"([+-]\d{2}:?\d{2}|Z)$", value.strip()))


@lru_cache(maxsize=4096)
def _tier(path: Path, tiers: tuple[re.Pattern[str], ...], excluded: re.Pattern[str]) -> int:
    """Which tier of names ``path`` is in (``len(tiers)``: none). Payloads repeat their field
    paths thousands of times: each is judged once."""
    if _any(excluded, path):
        return len(tiers)
    named = _named(path)
    return next((i for i, t in enumerate(tiers) if t.search(named)), len(tiers))


# A sentence under a code-like key (USPS's ``eventType``: "Out for Delivery") is the
# description when nothing is named so: the last tiers.
_DESCRIPTION_TIERS = (*sh.DESCRIPTION_KEYS, *sh.CODE_KEYS)


def _description(fields: list[tuple[Path, Any]]) -> str:
    best, found = len(_DESCRIPTION_TIERS), ""
    for path, value in fields:
        tier = _tier(path, _DESCRIPTION_TIERS, sh.NOT_DESCRIPTION)
        if tier >= best:
            continue
        t = text(value)
        sentence = tier < len(sh.DESCRIPTION_KEYS) or not sh.is_code(t)
        if sentence and re.search(r"[^\W\d_]", t) and t.casefold() not in _BOOLEANS:
            best, found = tier, t
    return found


def _code(fields: list[tuple[Path, Any]]) -> str:
    best, found = len(sh.CODE_KEYS), ""
    for path, value in fields:
        tier = _tier(path, sh.CODE_KEYS, sh.NOT_CODE)
        if tier >= best:
            continue
        t = text(value)
        if sh.is_code(t) and t.casefold() not in _BOOLEANS:
            best, found = tier, t
    return found


def _location(fields: list[tuple[Path, Any]]) -> str:
    parts: list[str] = []
    for path, value in fields:
        t = text(value)
        placed = _any(sh.LOCATION_KEYS, path) and not sh.TIME_KEY.search(path[-1])
        if placed and t and t.casefold() not in _BOOLEANS and t not in parts:
            parts.append(t)
    return ", ".join(parts[:3])


def _own_number(node: dict[str, Any], is_record: bool) -> str:
    for key, value in node.items():
        k = sh.fold(key)
        if isinstance(value, dict) and len(value) == 1:  # <PIN><Value>M123</Value></PIN>
            value = next(iter(value.values()))
        if isinstance(value, dict | list) or not sh.NUMBER_KEYS.search(k):
            continue
        if k == "id" and is_record:
            continue  # an event's own id is not a parcel
        t = text(value)
        if len(t) >= (6 if k == "id" else 3) and re.fullmatch(r"[\w\-]+", t):
            return t
    return ""


def _record(node: dict[str, Any], walk: _Walk, number: str) -> RawScan | None:
    fields = list(_flat(node))
    at = _time(fields, walk.zone)
    if at is None:
        return None
    description, code = _description(fields), _code(fields)
    if not description and not code:
        return None
    return RawScan(walk.carrier, number, at, code, description, _location(fields))


def _visit(
    node: Any,
    key: str,
    parent: str,
    number: str,
    parcel: int,
    walk: _Walk,
    depth: int,
    in_list: bool = False,
) -> bool:
    """Collect the records under ``node``; True when any was found (so ``node`` holding them is
    a parcel or a container, not a record itself)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, list):
        found = False
        for item in node:
            found |= _visit(item, key, parent, number, parcel, walk, depth + 1, len(node) > 1)
        return found
    if not isinstance(node, dict):
        return False
    scan = _record(node, walk, number)
    own = _own_number(node, scan is not None)
    if own:
        number, parcel = own, id(node)
    found = False
    for k, v in node.items():
        if isinstance(v, dict | list):
            found |= _visit(v, sh.fold(k), key, number, parcel, walk, depth + 1)
    if found or scan is None:
        return found
    if own:  # the record names its parcel itself (a one-event-per-parcel batch)
        scan = _record(node, walk, own)
        assert scan is not None
    if sh.NOTICE_KEY.search(key) or sh.NOTICE_KEY.search(parent):
        return False  # a timed notice ("messages": [{timestamp, message}]) is no event
    history = sh.EVENT_CONTAINER.search(key) or sh.EVENT_CONTAINER.search(parent)
    walk.found.append(_Found(parcel, number, 2 if history else int(in_list), scan))
    return True


def events(doc: Any, carrier: str, zone: dt.tzinfo) -> list[RawScan]:
    """Every parcel's event history found in ``doc`` (JSON-like data), in document order."""
    walk = _Walk(carrier, zone)
    _visit(doc, "", "", "", 0, walk, 0)
    by_parcel: dict[int, list[_Found]] = {}
    for f in walk.found:
        by_parcel.setdefault(f.parcel, []).append(f)
    scans: list[RawScan] = []
    for group in by_parcel.values():
        best = max(f.rank for f in group)
        scans.extend(f.scan for f in group if f.rank == best)
    return scans


# ---------------------------------------------------------------- errors by shape


def problems(doc: Any, notices: bool = False) -> tuple[list[str], int | None, bool]:
    """The payload's error messages, an HTTP-like failing status, and whether a success flag
    says false, wherever they sit. With ``notices``, the messages of notice containers
    (``messages``, ``notifications`` …) count too: for a payload that has no events."""
    messages: list[str] = []
    status: int | None = None
    flagged = False
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        node, key, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((v, key, depth + 1) for v in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        for k, v in node.items():
            f = sh.fold(k)
            hard = sh.ERROR_KEY.search(f) or (notices and sh.NOTICE_KEY.search(f))
            if hard and v not in (None, "", [], {}):
                messages.extend(_messages(v))
                continue
            if sh.FLAG_KEY.search(f) and (v is False or text(v).casefold() in ("false", "0")):
                flagged = True
            if sh.STATUS_NUMBER_KEY.search(f) and re.fullmatch(r"[45]\d\d", text(v)):
                status = status or int(text(v))
            if sh.SEVERITY_KEY.search(f) and text(v).casefold() in sh.BAD_SEVERITY:
                messages.append(_one(node))
            if f in ("message", "msg", "faultstring") and sh.ERROR_WORDS.search(text(v)):
                messages.append(text(v))
            if isinstance(v, dict | list):
                stack.append((v, f, depth + 1))
    return list(dict.fromkeys(m for m in messages if m)), status, flagged


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    if isinstance(value, dict):
        return [_one(value)]
    return [text(value)]


def _one(obj: dict[str, Any]) -> str:
    fields = list(_flat(obj))
    code = next((text(v) for p, v in fields if re.search("code|number", p[-1])), "")
    body = next((text(v) for p, v in fields if sh.MESSAGE_KEY.search(p[-1]) and text(v)), "")
    return message(code, body) or "; ".join(text(v) for _, v in fields if text(v))


# ---------------------------------------------------------------- the entries


def _name(ctx: Context) -> str:
    return ctx.carrier or "generic"


def parse_json(doc: Any, ctx: Context) -> ParseResult | None:
    """Events found by shape (``None`` when there are none: the error entries decide)."""
    scans = events(doc, _name(ctx), ctx.zone(_name(ctx)))
    if not scans:
        return None
    messages, _, _ = problems(doc)
    return success(ctx.carrier or "generic", scans, messages)


def parse_xml(root: ET.Element, ctx: Context) -> ParseResult | None:
    return parse_json({root.tag: tree(root)}, ctx)


def failure_json(doc: Any, ctx: Context, what: str = "") -> ParseResult:
    """The last resort: an error answer by shape, else a precise "no events" error."""
    messages, status, flagged = problems(doc, notices=True)
    if messages or status is not None or flagged:
        return failure(ctx.carrier, messages or [f"failure status {status}"], status)
    return ParseResult(
        Kind.error,
        ctx.carrier,
        (),
        (
            f"no tracking events found in {what or _shape(doc)}: no object in it has both a "
            "time and a description or event code, and it has no error or not-found marker",
        ),
    )


def _shape(doc: Any) -> str:
    if isinstance(doc, dict):
        return "the JSON payload (keys: " + ", ".join(sorted(map(str, doc))[:8]) + ")"
    if isinstance(doc, list):
        return f"the JSON payload (a list of {len(doc)})"
    return f"the JSON payload (a {type(doc).__name__})"


def failure_xml(root: ET.Element, ctx: Context) -> ParseResult:
    return failure_json({root.tag: tree(root)}, ctx, f"the XML payload <{root.tag}>")


def parse_any(doc: Any, ctx: Context) -> ParseResult:
    """Events if any, else the failure by shape: the whole generic path for JSON-like data."""
    found = parse_json(doc, ctx)
    return found if found is not None else failure_json(doc, ctx)


__all__ = [
    "events",
    "failure_json",
    "failure_xml",
    "parse_any",
    "parse_json",
    "parse_xml",
    "problems",
    "tree",
]
