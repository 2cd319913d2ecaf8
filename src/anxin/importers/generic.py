"""The user's own CSV files → anxin events, as a mapping says (:mod:`anxin.importers.mapping`).

Pure: :func:`build_export` takes the tables already read (one per kind of file) and returns the
same :class:`~anxin.importers.olist_reader.Export` the Olist importer does, so ingesting,
dead-lettering and the summary line are shared. Every row is used or skipped with a reason,
exactly as for Olist: an order's rows may spread over several lines (Shopify writes one line
per item, the order's own cells on the first); a child row (item, shipment, review, after-sale)
whose order is unknown or unusable is skipped saying so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from anxin.contract import events as ev
from anxin.domain.currencies import MINOR_UNITS
from anxin.importers import generic_events as ge
from anxin.importers.csvread import (
    Accounts,
    CsvTable,
    FieldError,
    Row,
    check_id,
    in_range,
    localize,
    parse_local,
    parse_minor,
)
from anxin.importers.mapping import AUTO, FIELDS, LINE_FIELDS, Mapping, Section
from anxin.importers.olist_events import MAX_ID
from anxin.importers.olist_reader import Export

# Registration of a merchant known only from its orders: a fixed instant keeps the event the
# same in every export that names it (as for Olist's sellers).
REGISTERED_AT = ev.EARLIEST
ITEM_FIELDS = ("sku", "unit_price")  # an orders row carrying these is also an item line
_ITEM_ONLY = frozenset(LINE_FIELDS)


@dataclass
class Line:
    row: Row
    sku: str
    quantity: int
    price: int
    freight: int
    merchant: str
    ship_by: dt.datetime | None
    title: str
    category: str


@dataclass
class Order:
    row: Row  # the order's cells, merged over its rows
    rows: list[Row]
    order_id: str
    facts: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    # (kind, row, record); an item line's record is None (the line is on the order)
    children: list[tuple[str, Row, dict[str, Any] | None]] = field(default_factory=list)
    lost_lines: int = 0

    @property
    def currency(self) -> str:
        return str(self.facts["currency"])

    @property
    def placed(self) -> dt.datetime:
        at = self.facts["placed_at"]
        assert isinstance(at, dt.datetime)  # a required field
        return at


class Cells:
    """Typed cells of one kind of file, read as its section says."""

    def __init__(self, mapping: Mapping, section: Section) -> None:
        self.mapping, self.section = mapping, section
        self.fields = FIELDS[section.kind]

    def raw(self, row: Row, name: str) -> str:
        for column in self.section.columns.get(name, ()):
            if value := row.get(column):
                return value
        return self.section.defaults.get(name, "")

    def required(self, row: Row, name: str) -> str:
        value = self.raw(row, name)
        if not value:
            shown = "/".join(self.section.columns.get(name, ())) or f"defaults.{name}"
            raise FieldError(f"missing_{name}", f"`{name}` ({shown}) is empty")
        return value

    def number(self, row: Row, name: str, currency: str | None = None) -> int | None:
        value = self.get(row, name, currency)
        assert value is None or isinstance(value, int)
        return value

    def when(self, row: Row, name: str) -> dt.datetime | None:
        value = self.get(row, name)
        assert value is None or isinstance(value, dt.datetime)
        return value

    def get(self, row: Row, name: str, currency: str | None = None) -> object:
        """The cell as its field's type: None when blank and not required."""
        fld = self.fields[name]
        value = self.required(row, name) if fld.required else self.raw(row, name)
        if not value:
            return None
        try:
            return self._typed(row, name, value, currency)
        except FieldError as exc:
            detail = str(exc)
            named = detail if detail.startswith(f"`{name}`") else f"`{name}` {detail}"
            raise FieldError(exc.reason, named) from None

    def _typed(self, row: Row, name: str, value: str, currency: str | None) -> object:
        kind = self.fields[name].type
        if kind == "id":
            return check_id(value, name)
        if kind == "key":
            return value[:MAX_ID]
        if kind == "text":
            return value
        if kind == "date":
            return self.date(value, row.day_first)
        if kind == "money":
            comma = (
                row.decimal_comma if self.mapping.decimal == AUTO else self.mapping.decimal == ","
            )
            exponent = MINOR_UNITS[currency or self.mapping.currency]
            return parse_minor(value, f"{name}_not_a_number", exponent, comma)
        if kind == "count":
            if not value.isdigit() or int(value) < 1:
                raise FieldError(f"invalid_{name}", f"{value!r} is not a positive integer")
            return int(value)
        if kind == "code":
            code = value.upper()
            if name == "currency" and code not in MINOR_UNITS:
                raise FieldError("unknown_currency", f"{value!r} is not an ISO 4217 code")
            if name == "country" and (len(code) != 2 or not code.isalpha()):
                raise FieldError("invalid_country", f"{value!r} is not an ISO 3166 alpha-2 code")
            return code
        return self.choice(name, value)

    def choice(self, name: str, value: str) -> str:
        vocab = self.section.values.get(name)
        key = value.strip().lower()
        if vocab is not None:
            if key in vocab:
                return vocab[key]
            known = ", ".join(vocab)
            raise FieldError(f"unknown_{name}", f"{value!r} is not in values.{name} ({known})")
        fld = self.fields[name]
        allowed = fld.choices or ("1", "2", "3", "4", "5")
        if key in allowed:
            return key
        raise FieldError(f"unknown_{name}", f"{value!r} is not one of {', '.join(allowed)}")

    def date(self, value: str, day_first: bool = False) -> dt.datetime:
        errors = []
        for fmt in self.section.date_formats:
            if fmt == AUTO:
                try:
                    return parse_local(value, self.mapping.zone, day_first)
                except FieldError as exc:
                    if exc.reason == "absurd_date":
                        raise
                    errors.append(AUTO)
                    continue
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - zoned just below
            except ValueError:
                errors.append(fmt)
                continue
            return in_range(value, parsed if parsed.tzinfo else localize(parsed, self.mapping.zone))
        raise FieldError("unparseable_date", f"{value!r} matches none of {', '.join(errors)}")


class _Builder:
    def __init__(self, mapping: Mapping, tables: dict[str, CsvTable]) -> None:
        self.m = mapping
        self.tables = tables
        self.export = Export([], Accounts(), mapping.zone.key)
        self.acc = self.export.accounts
        for table in tables.values():
            self.acc.add_table(table)
        self.orders: dict[str, Order] = {}
        self.known: set[str] = set()
        self.prefix = f"csv-{mapping.name}"

    def cells(self, kind: str) -> Cells:
        return Cells(self.m, self.m.sections[kind])

    # ------------------------------------------------------------ orders

    def read_orders(self) -> None:
        table = self.tables.get("orders")
        if table is None:
            return
        cells = self.cells("orders")
        order_columns = {
            c for n, cs in cells.section.columns.items() if n not in _ITEM_ONLY for c in cs
        }
        grouped: dict[str, list[Row]] = {}
        for row in table.rows:
            try:
                order_id = str(cells.get(row, "order_id"))
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                continue
            grouped.setdefault(order_id, []).append(row)
        for order_id, rows in grouped.items():
            self.known.add(order_id)
            merged = dict(rows[0].values)
            kept = [rows[0]]
            for row in rows[1:]:
                clash = [
                    c for c in order_columns
                    if row.get(c) and merged.get(c) and row.get(c) != merged[c]
                ]  # fmt: skip
                if clash:
                    c = clash[0]
                    why = f"{c} {row.get(c)!r} but line {rows[0].line} says {merged[c]!r}"
                    self.acc.skip(row, "conflicting_order_row", why)
                    continue
                merged.update({c: v for c, v in row.values.items() if v and not merged.get(c)})
                kept.append(row)
            first = rows[0]
            order_row = replace(first, values=merged)
            try:
                facts = self._order_facts(cells, order_row)
            except FieldError as exc:
                self.acc.skip(first, exc.reason, str(exc))
                for row in kept[1:]:
                    self.acc.skip(row, "row_of_skipped_order", order_id)
                continue
            order = Order(order_row, kept, order_id, facts)
            for row in kept:
                if any(cells.raw(row, n) for n in ITEM_FIELDS):
                    self._line(cells, order, row, inline=True)
            self.orders[order_id] = order

    def _order_facts(self, cells: Cells, row: Row) -> dict[str, Any]:
        currency = str(cells.get(row, "currency") or self.m.currency)
        facts: dict[str, Any] = {"currency": currency}
        for name in FIELDS["orders"]:
            if name not in _ITEM_ONLY and name != "currency":
                facts[name] = cells.get(row, name, currency)
        return facts

    def _line(self, cells: Cells, order: Order, row: Row, inline: bool) -> bool:
        try:
            sku = cells.required(row, "sku")[:MAX_ID]
            cells.required(row, "unit_price")  # also on an orders file, where it is optional
            line = Line(
                row,
                sku,
                cells.number(row, "quantity") or 1,
                cells.number(row, "unit_price", order.currency) or 0,
                cells.number(row, "freight", order.currency) or 0,
                # An orders file's merchant_id is the order's; an items file's, the line's seller.
                "" if inline else str(cells.get(row, "merchant_id") or ""),
                cells.when(row, "ship_by"),
                cells.raw(row, "title"),
                cells.raw(row, "category"),
            )
        except FieldError as exc:
            order.lost_lines += 1
            if inline:  # the row still carries its order: the line alone is lost
                self.acc.note(row, f"item:{exc.reason}", str(exc))
            else:
                self.acc.skip(row, exc.reason, str(exc))
            return False
        order.lines.append(line)
        return True

    # ------------------------------------------------------------ children of orders

    def owner(self, row: Row, cells: Cells, kind: str) -> Order | None:
        try:
            order_id = str(cells.get(row, "order_id"))
        except FieldError as exc:
            self.acc.skip(row, exc.reason, str(exc))
            return None
        order = self.orders.get(order_id)
        if order is None:
            reason = "of_skipped_order" if order_id in self.known else "for_unknown_order"
            self.acc.skip(row, f"{kind}_{reason}", order_id)
        return order

    def read_children(self) -> None:
        for kind in ("items", "shipments", "reviews", "aftersales"):
            table = self.tables.get(kind)
            if table is None:
                continue
            cells = self.cells(kind)
            seen: dict[tuple[str, str], int] = {}
            for row in table.rows:
                order = self.owner(row, cells, kind.rstrip("s"))
                if order is None:
                    continue
                if kind == "items":
                    number = cells.raw(row, "line")
                    if number and (order.order_id, number) in seen:
                        first = seen[(order.order_id, number)]
                        self.acc.skip(row, "duplicate_item", f"line {number} first on {first}")
                        continue
                    if self._line(cells, order, row, inline=False):
                        seen[(order.order_id, number)] = row.line
                        order.children.append((kind, row, None))
                    continue
                try:
                    record = {n: cells.get(row, n, order.currency) for n in cells.fields}
                except FieldError as exc:
                    self.acc.skip(row, exc.reason, str(exc))
                    continue
                order.children.append((kind, row, record))

    # ------------------------------------------------------------ events

    def run(self) -> Export:
        self.read_orders()
        self.read_children()
        events: list[ev.Event] = []
        merchants: set[str] = set()
        derived: Counter[str] = Counter()
        for order in sorted(self.orders.values(), key=lambda o: (o.placed, o.order_id)):
            if not order.lines:
                self._drop(order, "order_without_items", "no usable item line")
                continue
            merchant = str(order.facts["merchant_id"] or order.lines[0].merchant)
            if not merchant:
                self._drop(order, "missing_merchant_id", "no merchant_id on the order or its items")
                continue
            sellers = {line.merchant or merchant for line in order.lines}
            merchants |= sellers
            self.export.multi_seller_orders += len(sellers) > 1
            self.export.orders_with_skipped_items += order.lost_lines > 0
            events += self.order_events(order, merchant, derived)
        registered = [
            ev.MerchantRegistered(
                id=f"{self.prefix}-merchant-{m}",
                occurred_at=REGISTERED_AT,
                source=self.m.name,
                payload=ev.MerchantPayload(merchant_id=m),
            )
            for m in sorted(merchants)
        ]
        self.export.seller_ids = sorted(merchants)
        self.export.sellers_missing_from_file = len(merchants)
        self.export.events = registered + events + self.scans()
        self.export.absent_files = [k for k in self.m.sections if k not in self.tables]
        self.export.latin1_lines = {
            t.name: t.latin1_lines for t in self.tables.values() if t.latin1_lines
        }
        self.acc.check()
        return self.export

    def _drop(self, order: Order, reason: str, detail: str) -> None:
        """Skip an unusable order's rows: its first with the reason, the rest as its rows."""
        cause = "order_without_items" if reason == "order_without_items" else "skipped_order"
        self.acc.skip(order.rows[0], reason, detail)
        for row in order.rows[1:]:
            self.acc.skip(row, f"row_of_{cause}", order.order_id)
        for kind, row, _ in order.children:
            self.acc.skip(row, f"{kind.rstrip('s')}_of_{cause}", order.order_id)

    def order_events(self, order: Order, merchant: str, derived: Counter[str]) -> list[ev.Event]:
        f, m, source = order.facts, self.m, self.m.name
        amount = f["amount"]
        if amount is None:
            amount = sum(line.quantity * line.price + line.freight for line in order.lines)
        lines = [(ln.sku, ln.quantity, ln.price, ln.title, ln.category) for ln in order.lines]
        limits = sorted({ln.ship_by for ln in order.lines if ln.ship_by is not None})
        events: list[ev.Event] = [
            ge.placed(self.prefix, source, f, lines, merchant, int(amount), limits, m.country,
                      m.zone)
        ]  # fmt: skip
        if f["paid_at"] is not None:
            events.append(ge.paid(self.prefix, source, f, int(f["amount_paid"] or amount)))
        carrier = str(f["carrier"] or m.carrier)
        tracking = str(f["tracking_number"] or order.order_id)
        shipped, delivered = _when(f["shipped_at"]), _when(f["delivered_at"])
        events += ge.shipment(self.prefix, source, order.order_id, carrier, tracking, tracking,
                              None, shipped, delivered)  # fmt: skip
        for row in order.rows:
            self.acc.use(row)
        self.export.order_ids.append(order.order_id)
        for kind, row, record in order.children:
            if record is None:  # an item line, already on the order
                self.acc.use(row)
                continue
            try:
                events += self.child_events(kind, record, order, merchant, derived)
            except ValueError as exc:
                self.acc.skip(row, f"incomplete_{kind.rstrip('s')}", str(exc))
                continue
            self.acc.use(row)
        if f["status"] == "cancelled" or f["cancelled_at"] is not None:
            known = [_when(f[k]) for k in ("placed_at", "paid_at", "shipped_at", "delivered_at")]
            at = _when(f["cancelled_at"]) or max(t for t in known if t is not None)
            events.append(ge.cancelled(self.prefix, source, at, order.order_id))
        return events

    def child_events(
        self, kind: str, record: dict[str, Any], order: Order, merchant: str, derived: Counter[str]
    ) -> list[ev.Event]:
        source = self.m.name
        if kind == "shipments":
            carrier = str(record["carrier"] or self.m.carrier)
            tracking = str(record["tracking_number"])
            return ge.shipment(self.prefix, source, order.order_id, carrier, tracking,
                               str(record["shipment_id"] or tracking), record["shipped_at"],
                               None, record["delivered_at"])  # fmt: skip
        if kind == "reviews":
            review_id = str(record["review_id"] or ge.derived_id(record, derived))
            return [ge.review(self.prefix, source, record, merchant, review_id)]
        return [ge.aftersale(self.prefix, source, record, order.currency)]

    def scans(self) -> list[ev.Event]:
        table = self.tables.get("scans")
        if table is None:
            return []
        cells = self.cells("scans")
        made: list[ev.Event] = []
        for row in table.rows:
            try:
                r: dict[str, Any] = {n: cells.get(row, n) for n in cells.fields}
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                continue
            carrier = str(r["carrier"] or self.m.carrier)
            tracking = str(r["tracking_number"])
            base = ge.event_id(self.prefix, "shipment", carrier, tracking)
            made.append(ge.scan(base, self.m.name, carrier, tracking, r["at"],
                                str(r["status"] or ""), str(r["code"] or ""),
                                str(r["text"] or ""), str(r["location"] or "")))  # fmt: skip
            self.acc.use(row)
        return made


def _when(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def build_export(mapping: Mapping, tables: dict[str, CsvTable]) -> Export:
    """The events of the tables (by kind of file), with every row accounted."""
    return _Builder(mapping, tables).run()
