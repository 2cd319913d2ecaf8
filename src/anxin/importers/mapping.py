"""A mapping file: which columns of the user's CSV files become which fields of anxin events.

The model (:class:`Mapping`, one :class:`Section` per kind of file) and its validation, pure:
:func:`parse_mapping` takes the YAML text and returns a mapping or raises a
:class:`MappingError` naming the file, the key and why (``olist.yaml: `orders.values.status.x`:
'gone' is not an order status (known: …)``). The target fields of every kind of file, with
their types and vocabularies, are :data:`FIELDS` (``docs/integration.md`` lists them).
Shipped mappings live in ``anxin/importers/mappings/`` (:func:`shipped`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from anxin.domain.currencies import MINOR_UNITS
from anxin.tracking.vocabulary import Status

FieldType = Literal["id", "key", "text", "date", "money", "count", "stars", "choice", "code"]


@dataclass(frozen=True)
class Field:
    """A target field: ``type`` says how a cell is read; ``choices`` is its vocabulary."""

    type: FieldType
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()


ORDER_STATUSES = ("placed", "paid", "processing", "shipped", "delivered", "cancelled")
AFTERSALE_EVENTS = (
    "aftersale.requested",
    "aftersale.responded",
    "aftersale.escalated",
    "aftersale.resolved",
)
SCAN_STATUSES = tuple(s.value for s in Status if s is not Status.unknown)

_ITEM: dict[str, Field] = {
    "sku": Field("key", "the product (SKU, product id) of the line"),
    "title": Field("text", "the line's product name"),
    "quantity": Field("count", "units on the line (default 1)"),
    "unit_price": Field("money", "price of one unit"),
    "freight": Field("money", "shipping charged for the line (added to the order amount)"),
    "ship_by": Field("date", "latest hand-over to the carrier promised for the line"),
    "category": Field("text", "the product's category"),
}

FIELDS: dict[str, dict[str, Field]] = {
    "orders": {
        "order_id": Field("id", "the order's id (several rows with one id are one order)", True),
        "placed_at": Field("date", "when the order was placed", True),
        "merchant_id": Field("id", "the shop (else the first item's merchant_id)"),
        "consumer_id": Field("id", "the buyer (email, customer id)", True),
        "status": Field("choice", "the order's status: cancelled makes order.cancelled",
                        choices=ORDER_STATUSES),
        "paid_at": Field("date", "when payment was approved: makes order.paid"),
        "amount": Field("money", "order total (else the sum of its lines and freight)"),
        "amount_paid": Field("money", "amount paid (else the order amount)"),
        "currency": Field("code", "ISO 4217 code (else the mapping's currency)"),
        "cancelled_at": Field("date", "when it was cancelled: makes order.cancelled"),
        "ship_by": Field("date", "latest hand-over to the carrier promised"),
        "deliver_by": Field("date", "promised delivery day (kept through that local day)"),
        "shipped_at": Field("date", "handed to the carrier: a shipment and a picked_up scan"),
        "delivered_at": Field("date", "delivered: a delivered scan on the shipment"),
        "carrier": Field("key", "carrier of that shipment (else the mapping's carrier)"),
        "tracking_number": Field("id", "its tracking number (else the order id)"),
        "country": Field("code", "destination country, ISO 3166 alpha-2"),
        "province": Field("text", "destination state or province"),
        "city": Field("text", "destination city"),
        "postal_code": Field("text", "destination postal code"),
        **_ITEM,
    },
    "items": {
        "order_id": Field("id", "the order the line belongs to", True),
        "line": Field("key", "the line's number in its order (a repeated one is a duplicate)"),
        "merchant_id": Field("id", "the seller of the line"),
        **{k: Field(f.type, f.doc, k in ("sku", "unit_price")) for k, f in _ITEM.items()},
    },
    "shipments": {
        "order_id": Field("id", "the order shipped", True),
        "tracking_number": Field("id", "the parcel's tracking number", True),
        "shipped_at": Field("date", "when it was created / handed over", True),
        "carrier": Field("key", "the carrier (else the mapping's carrier)"),
        "shipment_id": Field("key", "the shipment's id (else the tracking number)"),
        "delivered_at": Field("date", "delivered: a delivered scan"),
    },
    "scans": {
        "tracking_number": Field("id", "the parcel scanned", True),
        "at": Field("date", "when", True),
        "carrier": Field("key", "the carrier (else the mapping's carrier)"),
        "status": Field("choice", "the scan's status, anxin's vocabulary (via values.status)",
                        choices=SCAN_STATUSES),
        "code": Field("text", "the carrier's own event code"),
        "text": Field("text", "the scan's description"),
        "location": Field("text", "where"),
    },
    "reviews": {
        "order_id": Field("id", "the order reviewed", True),
        "stars": Field("stars", "1..5", True),
        "posted_at": Field("date", "when", True),
        "review_id": Field("key", "the review's id (else derived from the row)"),
        "title": Field("text", "title (joined to the text)"),
        "text": Field("text", "the review's text"),
        "merchant_id": Field("id", "the shop reviewed (else the order's)"),
    },
    "aftersales": {
        "aftersale_id": Field("key", "the case's id", True),
        "order_id": Field("id", "the order", True),
        "at": Field("date", "when this step happened", True),
        "event": Field("choice", "which step the row is", True, AFTERSALE_EVENTS),
        "kind": Field("choice", "requested: what is asked", choices=(
            "refund_only", "return_refund", "exchange")),
        "reason": Field("text", "requested / escalated: why"),
        "amount": Field("money", "requested: the amount asked"),
        "text": Field("text", "the consumer's or merchant's words"),
        "by": Field("choice", "responded / escalated: who",
                    choices=("consumer", "merchant", "system")),
        "decision": Field("choice", "responded: the answer",
                          choices=("agree", "refuse", "agree_return", "propose")),
        "outcome": Field("choice", "resolved: how it ended",
                         choices=("refunded", "refused", "exchanged", "withdrawn", "closed")),
        "decided_by": Field("choice", "resolved: who decided",
                            choices=("merchant", "platform", "system", "consumer")),
        "refund": Field("money", "resolved: the amount refunded"),
    },
}  # fmt: skip

KINDS = tuple(FIELDS)
LINE_FIELDS = tuple(_ITEM)  # the item fields an orders file may carry (one line per row)
# A file of these kinds says something about orders, so the mapping needs an orders section.
NEEDS_ORDERS = ("items", "shipments", "reviews", "aftersales")
AUTO = "auto"  # anxin's tolerant reader (ISO, M/D/YYYY H:MM, AM/PM, Excel serials, offsets)
_TOP = ("name", "zone", "currency", "carrier", "country", "decimal", "date_formats", *KINDS)
_SECTION = ("file", "columns", "values", "defaults", "date_formats")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")


class MappingError(ValueError):
    """The mapping cannot be used: the message names the file, the line, the key and why."""

    def __init__(self, message: str, key: str | None = None, why: str = "") -> None:
        super().__init__(message)
        self.key, self.why = key, why


@dataclass(frozen=True)
class Section:
    """One kind of file: which columns hold which fields (a list: the first non-blank wins),
    vocabularies (source value → anxin value), constants, date formats and a file pattern."""

    kind: str
    columns: dict[str, tuple[str, ...]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = (AUTO,)
    file: str | None = None

    def has(self, name: str) -> bool:
        return name in self.columns or name in self.defaults


@dataclass(frozen=True)
class Mapping:
    name: str
    zone: ZoneInfo
    currency: str
    sections: dict[str, Section]
    carrier: str = ""
    country: str = ""
    decimal: Literal["auto", ".", ","] = "auto"
    origin: str = "mapping"  # where it was read from, for messages


def _fail(origin: str, key: str, why: str) -> MappingError:
    return MappingError(f"{origin}: `{key}`: {why}", key, why)


_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def line_of(text: str, key: str) -> int | None:
    """The line of ``key`` (``orders.values.status.x``, ``date_formats[0]``) in the YAML text,
    else of its nearest ancestor there (a required key that is absent); None for the top."""
    try:
        node = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError:  # pragma: no cover - the text was loaded already
        return None
    line = None
    for part in key.split(".") if key else []:
        m = _INDEX.match(part)
        name, index = (m[1], int(m[2])) if m else (part, None)
        if not isinstance(node, yaml.MappingNode):
            break
        found = next((pair for pair in node.value if pair[0].value == name), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
        if index is not None and isinstance(node, yaml.SequenceNode) and index < len(node.value):
            node = node.value[index]
            line = node.start_mark.line + 1
    return line


def _table(
    value: Any, origin: str, key: str, known: tuple[str, ...] | None = None
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(origin, key, f"must be a table of keys, not {_shown(value)}")
    if known is not None:
        for name in value:
            if name not in known:
                raise _fail(origin, f"{key}.{name}" if key else name,
                            f"unknown key (known: {', '.join(known)})")  # fmt: skip
    return value


def _shown(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]


def _text(value: Any, origin: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(origin, key, f"must be a non-empty text, not {_shown(value)}")
    return value.strip()


def check_date_format(fmt: str) -> str | None:
    """Why ``fmt`` is not a usable date format (None when it is): a strptime pattern naming a
    year, a month and a day, which reads back what it writes."""
    if fmt == AUTO:
        return None
    if "%d" not in fmt or not any(y in fmt for y in ("%Y", "%y")):
        return "a date format needs a day (%d) and a year (%Y or %y)"
    if not any(m in fmt for m in ("%m", "%b", "%B")):
        return "a date format needs a month (%m, %b or %B)"
    sample = dt.datetime(2019, 11, 28, 17, 45, 30, tzinfo=dt.UTC)
    try:
        back = dt.datetime.strptime(sample.strftime(fmt), fmt)  # noqa: DTZ007 - date compared
    except ValueError as exc:
        return f"{exc} (formats use Python's strptime codes: %Y-%m-%d %H:%M:%S)"
    if back.date() != sample.date():
        return "does not read back the date it writes"
    return None


def _formats(value: Any, origin: str, key: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _fail(origin, key, "needs at least one format")
    formats = []
    for i, item in enumerate(items):
        fmt = _text(item, origin, f"{key}[{i}]")
        if (why := check_date_format(fmt)) is not None:
            raise _fail(origin, f"{key}[{i}]", f"{fmt!r}: {why}")
        formats.append(fmt)
    return tuple(formats)


def _choice(fld: Field, value: str, origin: str, key: str, kind: str, name: str) -> str:
    if fld.type == "stars":
        if value not in {"1", "2", "3", "4", "5"}:
            raise _fail(origin, key, f"{value!r} is not a star rating 1..5")
    elif value not in fld.choices:
        raise _fail(origin, key, f"{value!r} is not a known {name} for {kind} "
                    f"(known: {', '.join(fld.choices)})")  # fmt: skip
    return value


def _section(kind: str, raw: Any, defaults: tuple[str, ...], origin: str) -> Section:
    body = _table(raw, origin, kind, _SECTION)
    fields = FIELDS[kind]
    columns: dict[str, tuple[str, ...]] = {}
    for name, spec in _table(body.get("columns", {}), origin, f"{kind}.columns").items():
        key = f"{kind}.columns.{name}"
        if name not in fields:
            raise _fail(origin, key, f"unknown field for {kind} (known: {', '.join(fields)})")
        names = spec if isinstance(spec, list) else [spec]
        columns[name] = tuple(_text(c, origin, key) for c in names)
        if not columns[name]:
            raise _fail(origin, key, "names no column")
    values: dict[str, dict[str, str]] = {}
    for name, vocab in _table(body.get("values", {}), origin, f"{kind}.values").items():
        key = f"{kind}.values.{name}"
        fld = fields.get(name)
        if fld is None or fld.type not in ("choice", "stars"):
            with_vocab = [n for n, f in fields.items() if f.type in ("choice", "stars")]
            raise _fail(origin, key, f"not a field with a vocabulary (those of {kind}: "
                        f"{', '.join(with_vocab)})")  # fmt: skip
        table = _table(vocab, origin, key)
        values[name] = {
            str(source).strip().lower(): _choice(
                fld, _text(target, origin, f"{key}.{source}"), origin, f"{key}.{source}", kind, name
            )
            for source, target in table.items()
        }
    consts: dict[str, str] = {}
    for name, value in _table(body.get("defaults", {}), origin, f"{kind}.defaults").items():
        key = f"{kind}.defaults.{name}"
        fld = fields.get(name)
        if fld is None:
            raise _fail(origin, key, f"unknown field for {kind} (known: {', '.join(fields)})")
        consts[name] = _text(value, origin, key)
        if fld.type in ("choice", "stars"):
            _choice(fld, consts[name], origin, key, kind, name)
    section = Section(
        kind,
        columns,
        values,
        consts,
        _formats(body["date_formats"], origin, f"{kind}.date_formats")
        if "date_formats" in body
        else defaults,
        _text(body["file"], origin, f"{kind}.file") if "file" in body else None,
    )
    for name, fld in fields.items():
        if fld.required and not section.has(name):
            raise _fail(origin, f"{kind}.columns.{name}", f"required: map {name} to a column of "
                        f"the {kind} file (or give {kind}.defaults.{name})")  # fmt: skip
    return section


def parse_mapping(text: str, origin: str = "mapping") -> Mapping:
    """Validate a mapping's YAML text; an error names ``origin``, the line, the key and why
    (``shop.yaml:12: `orders.values.status.done`: 'finished' is not a known status …``)."""
    try:
        # BaseLoader: every scalar stays text (``yes``, ``05``, ``1.10`` are column values).
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise MappingError(f"{origin}: not YAML: {exc}") from None
    try:
        return _parse(data, origin)
    except MappingError as exc:
        line = line_of(text, exc.key) if exc.key is not None else None
        if line is None:
            raise
        raise MappingError(f"{origin}:{line}: `{exc.key}`: {exc.why}", exc.key, exc.why) from None


def _parse(data: Any, origin: str) -> Mapping:
    top = _table(data, origin, "", _TOP)
    zone_name = _text(top.get("zone"), origin, "zone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(origin, "zone", f"unknown time zone {zone_name!r} (an IANA name such as "
                    "America/Sao_Paulo)") from None  # fmt: skip
    currency = _text(top.get("currency"), origin, "currency").upper()
    if currency not in MINOR_UNITS:
        raise _fail(origin, "currency", f"{currency!r} is not an ISO 4217 currency code")
    name = _text(top.get("name", "csv"), origin, "name").lower()
    if not _NAME.match(name):
        raise _fail(origin, "name", f"{name!r}: lower-case letters, digits, '_', '.' or '-', "
                    "at most 32 (it prefixes every event id)")  # fmt: skip
    country = top.get("country", "")
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise _fail(origin, "country", f"{country!r} is not an ISO 3166 alpha-2 code (BR, US)")
    decimal = top.get("decimal", AUTO)
    if decimal not in (AUTO, ".", ","):
        raise _fail(origin, "decimal", f"{decimal!r}: one of auto, '.', ','")
    formats = _formats(top["date_formats"], origin, "date_formats") if "date_formats" in top else (
        AUTO,)  # fmt: skip
    sections = {k: _section(k, top[k], formats, origin) for k in KINDS if k in top}
    if not sections:
        raise _fail(origin, "", f"maps no file: give at least one of {', '.join(KINDS)}")
    if "orders" not in sections and any(k in sections for k in NEEDS_ORDERS):
        raise _fail(origin, "orders", "required: items, shipments, reviews and after-sales "
                    "belong to orders, so the mapping needs an orders section")  # fmt: skip
    carrier = top.get("carrier", "")
    if not carrier and _needs_carrier(sections):
        raise _fail(origin, "carrier", "required: shipments or scans without a carrier "
                    "column need the mapping's carrier")  # fmt: skip
    return Mapping(name, zone, currency, sections, carrier, country, decimal, origin)


def _needs_carrier(sections: MappingType[str, Section]) -> bool:
    orders = sections.get("orders")
    if (
        orders is not None
        and not orders.has("carrier")
        and (orders.has("shipped_at") or orders.has("delivered_at"))
    ):
        return True
    return any(k in sections and not sections[k].has("carrier") for k in ("shipments", "scans"))


def shipped() -> list[str]:
    """The names of the mappings shipped with anxin (``--mapping olist``)."""
    folder = resources.files("anxin.importers") / "mappings"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_mapping(name_or_path: str) -> Mapping:
    """A mapping file, or the name of a shipped one (``olist``, ``shopify``)."""
    path = Path(name_or_path)
    if path.is_file():
        return parse_mapping(path.read_text("utf-8"), str(path))
    if name_or_path in shipped():
        ref = resources.files("anxin.importers") / "mappings" / f"{name_or_path}.yaml"
        return parse_mapping(ref.read_text("utf-8"), f"{name_or_path}.yaml")
    raise MappingError(
        f"{name_or_path}: no such mapping file, nor a shipped mapping ({', '.join(shipped())})"
    )
