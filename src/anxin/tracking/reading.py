"""What every payload parser shares (the generic extractor and each carrier module): the parse
context, tolerant field access, time reading (an offset-less time is read in the carrier's zone,
or the caller's), and error classification."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anxin.tracking.model import Kind, ParseResult, RawScan


@dataclass(frozen=True, slots=True)
class Context:
    """What a parser knows besides the payload: the carrier named by the caller (if any) and
    the zone the caller wants offset-less times read in (``None``: each carrier's own)."""

    carrier: str | None = None
    tz: str | None = None

    def zone(self, carrier: str, default: str = "UTC") -> ZoneInfo:
        """``tz`` if given, else the carrier's zone (``default`` for an unregistered one)."""
        # Imported here: carrier modules read payloads with these helpers, and the registry
        # of carriers imports them (so this module must not import the registry at load).
        from anxin.tracking.carriers import zone_of

        return load_zone(self.tz or zone_of(carrier, default))


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


JsonParser = Callable[[Any, Context], ParseResult | None]
XmlParser = Callable[[ET.Element, Context], ParseResult | None]


# ---------------------------------------------------------------- field access


def dig(obj: Any, *path: str | int) -> Any:
    """``obj[p0][p1]…`` or ``None`` when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return None
            obj = obj[step]
        elif isinstance(obj, dict):
            obj = obj.get(step)
        else:
            return None
    return obj


def text(value: Any) -> str:
    """A scalar as clean text (whitespace runs collapsed); containers and ``None`` are ``""``."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return " ".join(str(value).split())


def items(value: Any) -> list[Any]:
    """A JSON list, or a lone object as a one-item list (XML-to-JSON payloads do that)."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def both(first: Any, second: Any) -> str:
    """Two descriptions of one event, the second kept only when it adds something."""
    a, b = text(first), text(second)
    return f"{a}; {b}" if a and b and b.casefold() not in a.casefold() else a or b


def join(*parts: Any) -> str:
    return ", ".join(t for t in (text(p) for p in parts) if t)


def strip_namespaces(root: ET.Element) -> ET.Element:
    """Local tag names only: carriers change namespaces more often than element names."""
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    return root


def xtext(el: ET.Element | None, path: str = "") -> str:
    if el is None:
        return ""
    found = el.find(path) if path else el
    return text(found.text) if found is not None else ""


def xall(el: ET.Element, path: str) -> Iterator[ET.Element]:
    yield from el.iterfind(path)


# ---------------------------------------------------------------- time

_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
)
_UTC_SUFFIX = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)


def when(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """An aware time from an ISO string, a common carrier format or epoch seconds; offset-less
    times are read in ``zone``. ``None`` if unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not 946_684_800 <= value < 4_102_444_800:  # 2000 .. 2100, in seconds
            return None
        return dt.datetime.fromtimestamp(value, tz=dt.UTC).astimezone(zone)
    raw = text(value)
    if not raw:
        return None
    utc = bool(_UTC_SUFFIX.search(raw)) and not raw.endswith(("z", "Z"))
    if utc:
        raw = _UTC_SUFFIX.sub("", raw)
    at = _read(raw)
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC if utc else zone)
    return at


def _read(raw: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt)  # noqa: DTZ007 - the caller attaches the zone
        except ValueError:
            continue
    return None


def at_offset(at: dt.datetime | None, offset: str) -> dt.datetime | None:
    """``at`` shown at a ``±HH:MM`` offset (the local time the carrier reported)."""
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})", offset.strip())
    if at is None or m is None:
        return at
    delta = dt.timedelta(hours=int(m[2]), minutes=int(m[3]))
    return at.astimezone(dt.timezone(-delta if m[1] == "-" else delta))


# ---------------------------------------------------------------- results

_AUTH = re.compile(
    r"auth|password|credential|licen[cs]e|login|unauthori[sz]ed|forbidden|invalid_client|"
    r"access denied|api ?key|(access|invalid|expired) token|autoryzac",
    re.IGNORECASE,
)
_NOT_FOUND = re.compile(
    r"not ?found|no (data|result|shipments?|information|record|pin history|tracking)|"
    r"invalid (tracking|inquiry)|unknown tracking|cannot be found|does not exist|"
    r"n.est pas valide|could not locate|tracking number may be incorrect|"
    r"查询无结果|单号不存在|暂无(轨迹|物流)|没有(轨迹|物流)",
    re.IGNORECASE,
)


def judge(messages: Iterable[str], status: int | None = None) -> Kind:
    """Classify an error response from its messages (and HTTP-like status, when it has one)."""
    joined = " | ".join(messages)
    if status in (401, 403) or _AUTH.search(joined):
        return Kind.auth_error
    if status == 404 or _NOT_FOUND.search(joined):
        return Kind.not_found
    return Kind.error


def failure(carrier: str | None, messages: Iterable[str], status: int | None = None) -> ParseResult:
    errors = tuple(m for m in messages if m) or ("error response without a message",)
    return ParseResult(judge(errors, status), carrier, (), errors)


def success(carrier: str, scans: Iterable[RawScan], errors: Iterable[str] = ()) -> ParseResult:
    """Scans found (or an empty but valid history). Exact duplicates are dropped."""
    unique = tuple(dict.fromkeys(scans))
    errs = tuple(e for e in errors if e)
    if not unique and errs:
        return ParseResult(judge(errs), carrier, (), errs)
    return ParseResult(Kind.ok, carrier, unique, errs)


def status_number(value: Any) -> int | None:
    try:
        return int(text(value))
    except ValueError:
        return None


def message(code: Any, msg: Any) -> str:
    """``"CODE: message"`` from an error's code and message, either may be missing."""
    c, m = text(code), text(msg)
    return f"{c}: {m}" if c and m else c or m
