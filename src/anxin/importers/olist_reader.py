"""Reading an Olist export: CSV rows → checked records → contract events, with every row accounted.

Every CSV row is either used or skipped with a reason (:class:`~anxin.importers.csvread.Accounts`
checks that none is lost). A row that is fine but incomplete (no delivery date) imports what it
has; a bad optional cell (an unparseable approval date) is dropped and counted as a cell problem
while the row is still used. Sellers named by an imported item are registered; the rest of the
sellers file (a registry of every Olist seller) is skipped as ``seller_without_imported_items``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anxin.contract import events as ev
from anxin.importers import olist_events as oe
from anxin.importers.csvread import (
    Accounts,
    CsvTable,
    ExportError,
    FieldError,
    Row,
    parse_id,
    parse_local,
    parse_minor,
    read_csv,
)
from anxin.importers.olist_events import Item, Order, Review

DEFAULT_TZ = "America/Sao_Paulo"

ORDERS = "olist_orders_dataset.csv"
ITEMS = "olist_order_items_dataset.csv"
PAYMENTS = "olist_order_payments_dataset.csv"
CUSTOMERS = "olist_customers_dataset.csv"
REVIEWS = "olist_order_reviews_dataset.csv"
PRODUCTS = "olist_products_dataset.csv"
CATEGORIES = "product_category_name_translation.csv"
SELLERS = "olist_sellers_dataset.csv"
REQUIRED_FILES = (ORDERS, ITEMS)


@dataclass
class Export:
    """What the CSV files turned into, and where every row went."""

    events: list[ev.Event]
    accounts: Accounts
    tz: str
    order_ids: list[str] = field(default_factory=list)
    seller_ids: list[str] = field(default_factory=list)
    multi_seller_orders: int = 0
    orders_with_skipped_items: int = 0
    sellers_missing_from_file: int = 0  # distinct item seller ids the sellers file lacks
    absent_files: list[str] = field(default_factory=list)
    latin1_lines: dict[str, int] = field(default_factory=dict)


def sellers_path(directory: Path, sellers: Path | None) -> Path | None:
    """The sellers file: ``--sellers``, else the export's own, else none (sellers are then
    registered from the item rows alone, without a location)."""
    if sellers is not None:
        if not sellers.is_file():
            raise ExportError(f"sellers file {sellers} does not exist")
        return sellers
    default = directory / SELLERS
    return default if default.is_file() else None


def zone_for(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExportError(
            f"unknown time zone {tz!r} (use an IANA name such as {DEFAULT_TZ})"
        ) from None


def _positive_int(value: str, reason: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise FieldError(reason, f"{value!r} is not a positive integer")
    return int(value)


def _stars(value: str) -> int:
    if value not in {"1", "2", "3", "4", "5"}:
        raise FieldError("invalid_review_score", f"review_score {value!r} is not 1..5")
    return int(value)


class _Reader:
    """One pass over the files; holds the zone and the accounts while mapping."""

    def __init__(self, directory: Path, sellers: Path | None, tz: str) -> None:
        self.directory = directory
        self.sellers_file = sellers
        self.zone = zone_for(tz)
        self.export = Export([], Accounts(), tz)
        self.acc = self.export.accounts
        self.tables: list[CsvTable] = []
        self.products: dict[str, Row] = {}
        self.categories: dict[str, Row] = {}
        self.used_products: set[str] = set()
        self.used_categories: set[str] = set()

    # ------------------------------------------------------------ files and cells

    def table(
        self,
        path: Path,
        required: Sequence[str],
        optional: Sequence[str] = (),
        aliases: Mapping[str, Sequence[str]] | None = None,
    ) -> CsvTable | None:
        if not path.is_file():
            if path.name in REQUIRED_FILES:
                raise ExportError(f"{path} does not exist: an Olist export needs {path.name}")
            self.export.absent_files.append(path.name)
            return None
        table = read_csv(path, required, optional, aliases)
        self.acc.add_table(table)
        self.tables.append(table)
        return table

    def date(self, row: Row, column: str) -> dt.datetime:
        value = row.get(column)
        if not value:
            raise FieldError("missing_required_date", f"`{column}` is empty")
        try:
            return parse_local(value, self.zone, row.day_first)
        except FieldError as exc:
            raise FieldError(exc.reason, f"`{column}` {exc}") from None

    def optional_date(self, row: Row, column: str) -> dt.datetime | None:
        """A date the row can do without: a bad one is noted, and the row is still used."""
        if not row.get(column):
            return None
        try:
            return self.date(row, column)
        except FieldError as exc:
            self.acc.note(row, f"{exc.reason}:{column}", str(exc))
            return None

    def unique(self, table: CsvTable | None, key: str) -> dict[str, Row]:
        """Rows of a lookup file by key; each is used or skipped once the orders are known."""
        found: dict[str, Row] = {}
        for row in table.rows if table else []:
            try:
                value = parse_id(row, key)
                if value in found:
                    raise FieldError(
                        f"duplicate_{key}", f"{value} first on line {found[value].line}"
                    )
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                continue
            found[value] = row
        return found

    # ------------------------------------------------------------ the mapping

    def run(self) -> Export:
        d = self.directory
        orders_t = self.table(
            d / ORDERS,
            ["order_id", "customer_id", "order_status", "order_purchase_timestamp"],
            [
                "order_approved_at",
                "order_delivered_carrier_date",
                "order_delivered_customer_date",
                "order_estimated_delivery_date",
            ],
        )
        items_t = self.table(
            d / ITEMS,
            ["order_id", "order_item_id", "product_id", "seller_id", "price", "freight_value"],
            ["shipping_limit_date"],
        )
        sellers: dict[str, Row] = {}
        if self.sellers_file is None:
            self.export.absent_files.append(SELLERS)
        else:
            sellers = self.unique(
                self.table(
                    self.sellers_file,
                    ["seller_id"],
                    ["seller_state", "seller_city"],
                    aliases={"seller_city": ["seler_city"]},  # sic, in Olist's own file
                ),
                "seller_id",
            )
        customers = self.unique(
            self.table(
                d / CUSTOMERS,
                ["customer_id"],
                ["customer_unique_id", "customer_city", "customer_state"],
            ),
            "customer_id",
        )
        payments_t = self.table(d / PAYMENTS, ["order_id", "payment_value"], ["payment_sequential"])
        reviews_t = self.table(
            d / REVIEWS,
            ["order_id", "review_score", "review_creation_date"],
            [
                "review_id",
                "review_comment_title",
                "review_comment_message",
                "review_answer_timestamp",
            ],
        )
        self.products = self.unique(
            self.table(d / PRODUCTS, ["product_id", "product_category_name"]), "product_id"
        )
        self.categories = self.unique(
            self.table(d / CATEGORIES, ["product_category_name", "product_category_name_english"]),
            "product_category_name",
        )
        assert orders_t is not None
        assert items_t is not None
        known, orders = self._orders(orders_t)
        lost_items = self._items(items_t, known, orders)
        self._payments(payments_t, known, orders)
        self._reviews(reviews_t, known, orders)

        used_customers: set[str] = set()
        skipped_customers = {r.get("customer_id") for r in orders_t.rows} - {
            o.customer_id for o in orders.values() if o.items
        }
        order_events: list[ev.Event] = []
        for order in sorted(orders.values(), key=lambda o: (o.purchased, o.order_id)):
            if not order.items:
                self._skip_order(order, "order_without_items", "no usable item row")
                continue
            customer = customers.get(order.customer_id)
            if customer is None:
                self.acc.note(order.row, "customer_not_found", order.customer_id)
            used_customers.add(order.customer_id)
            order_events += self._order_events(order, customer)
            self.export.orders_with_skipped_items += order.order_id in lost_items

        used_sellers = {i.seller_id for o in orders.values() for i in o.items}
        seller_events: list[ev.Event] = []
        for seller_id, row in sellers.items():
            if seller_id not in used_sellers:
                self.acc.skip(row, "seller_without_imported_items", seller_id, unused=True)
                continue
            self.acc.use(row)
            self.export.seller_ids.append(seller_id)
            seller_events.append(
                oe.seller_registered(seller_id, row.get("seller_state"), row.get("seller_city"))
            )
        missing = sorted(used_sellers - sellers.keys())
        self.export.sellers_missing_from_file = len(missing)
        for seller_id in missing:  # known only from their items: no location
            self.export.seller_ids.append(seller_id)
            seller_events.append(oe.seller_registered(seller_id, None, None))
        for customer_id, row in customers.items():
            if customer_id in used_customers:
                self.acc.use(row)
            elif customer_id in skipped_customers:
                self.acc.skip(row, "customer_of_skipped_order", customer_id)
            else:
                self.acc.skip(row, "customer_without_order", customer_id, unused=True)
        self._settle(self.products, self.used_products, "product_without_imported_items")
        self._settle(self.categories, self.used_categories, "category_without_imported_items")
        self.export.events = seller_events + order_events
        self.export.latin1_lines = {t.name: t.latin1_lines for t in self.tables if t.latin1_lines}
        self.acc.check()
        return self.export

    def _settle(self, rows: dict[str, Row], used: set[str], reason: str) -> None:
        for key, row in rows.items():
            if key in used:
                self.acc.use(row)
            else:
                self.acc.skip(row, reason, key, unused=True)

    def _orders(self, table: CsvTable) -> tuple[set[str], dict[str, Order]]:
        """Usable orders by id, and every order id in the file (to tell unknown from skipped)."""
        known: set[str] = set()
        orders: dict[str, Order] = {}
        for row in table.rows:
            try:
                order_id = parse_id(row, "order_id")
                if order_id in known:
                    raise FieldError("duplicate_order", f"order {order_id} appears again")
                known.add(order_id)
                orders[order_id] = Order(
                    row,
                    order_id,
                    parse_id(row, "customer_id"),
                    row.get("order_status").lower(),
                    self.date(row, "order_purchase_timestamp"),
                    self.optional_date(row, "order_approved_at"),
                    self.optional_date(row, "order_delivered_carrier_date"),
                    self.optional_date(row, "order_delivered_customer_date"),
                    self.optional_date(row, "order_estimated_delivery_date"),
                )
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
        return known, orders

    def _owner(
        self, row: Row, known: set[str], orders: dict[str, Order], kind: str
    ) -> Order | None:
        """The order a child row belongs to; skips the row (saying why) when there is none."""
        try:
            order_id = parse_id(row, "order_id")
        except FieldError as exc:
            self.acc.skip(row, exc.reason, str(exc))
            return None
        order = orders.get(order_id)
        if order is None:
            reason = (
                f"{kind}_of_skipped_order" if order_id in known else f"{kind}_for_unknown_order"
            )
            self.acc.skip(row, reason, order_id)
        return order

    def _items(self, table: CsvTable, known: set[str], orders: dict[str, Order]) -> set[str]:
        """Attach usable items to their orders; returns the orders that lost an item row."""
        seen: dict[tuple[str, int], int] = {}
        lost: set[str] = set()
        for row in table.rows:
            order = self._owner(row, known, orders, "item")
            if order is None:
                continue
            try:
                number = _positive_int(row.get("order_item_id"), "invalid_order_item_id")
                if (order.order_id, number) in seen:
                    first = seen[(order.order_id, number)]
                    raise FieldError("duplicate_item", f"item {number} first on line {first}")
                item = Item(
                    row,
                    number,
                    parse_id(row, "product_id"),
                    parse_id(row, "seller_id"),
                    self.optional_date(row, "shipping_limit_date"),
                    parse_minor(row.get("price"), "price_not_a_number", 2, row.decimal_comma),
                    parse_minor(
                        row.get("freight_value"), "freight_not_a_number", 2, row.decimal_comma
                    ),
                )
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                lost.add(order.order_id)
                continue
            seen[(order.order_id, number)] = row.line
            order.items.append(item)
        for order in orders.values():
            order.items.sort(key=lambda i: i.number)
        return lost

    def _payments(self, table: CsvTable | None, known: set[str], orders: dict[str, Order]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for row in table.rows if table else []:
            order = self._owner(row, known, orders, "payment")
            if order is None:
                continue
            key = (order.order_id, row.get("payment_sequential"))
            try:
                if key[1] and key in seen:
                    raise FieldError("duplicate_payment", f"{key[1]} first on line {seen[key]}")
                value = parse_minor(
                    row.get("payment_value"), "payment_value_not_a_number", 2, row.decimal_comma
                )
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                continue
            seen[key] = row.line
            order.payments.append((row, value))

    def _reviews(self, table: CsvTable | None, known: set[str], orders: dict[str, Order]) -> None:
        seen: dict[tuple[str, str], int] = {}
        # A BI tool's reviews file may lack the id column: one is derived from the row's facts.
        has_id = table is not None and table.has("review_id")
        derived: Counter[str] = Counter()
        for row in table.rows if table else []:
            order = self._owner(row, known, orders, "review")
            if order is None:
                continue
            try:
                review_id = (
                    parse_id(row, "review_id") if has_id else oe.derived_review_id(row, derived)
                )
                key = (review_id, order.order_id)
                if key in seen:
                    raise FieldError("duplicate_review", f"first on line {seen[key]}")
                title, message = row.get("review_comment_title"), row.get("review_comment_message")
                review = Review(
                    row,
                    review_id,
                    _stars(row.get("review_score")),
                    self.date(row, "review_creation_date"),
                    "\n".join(t for t in (title, message) if t),
                )
            except FieldError as exc:
                self.acc.skip(row, exc.reason, str(exc))
                continue
            seen[key] = row.line
            order.reviews.append(review)

    def _skip_order(self, order: Order, reason: str, detail: str) -> None:
        self.acc.skip(order.row, reason, detail)
        for row, _ in order.payments:
            self.acc.skip(row, f"payment_of_{reason}", order.order_id)
        for review in order.reviews:
            self.acc.skip(review.row, f"review_of_{reason}", order.order_id)

    def _item_lines(self, order: Order) -> list[ev.Item]:
        """Contract items: identical product rows at one price become one line with a quantity."""
        lines: dict[tuple[str, int], ev.Item] = {}
        for item in order.items:
            category = ""
            product = self.products.get(item.product_id)
            if product is not None:
                self.used_products.add(item.product_id)
                category = product.get("product_category_name")
                english = self.categories.get(category) if category else None
                if english is not None:
                    self.used_categories.add(category)
                    category = english.get("product_category_name_english") or category
            key = (item.product_id, item.price)
            line = lines.get(key)
            lines[key] = ev.Item(
                sku=item.product_id,
                quantity=line.quantity + 1 if line else 1,
                unit_price=ev.Money(item.price, oe.CURRENCY),
                category=category[: oe.MAX_SHORT],
            )
            self.acc.use(item.row)
        return list(lines.values())

    def _order_events(self, order: Order, customer: Row | None) -> list[ev.Event]:
        consumer, destination = order.customer_id, None
        if customer is not None:
            try:
                consumer = parse_id(customer, "customer_unique_id")
            except FieldError as exc:
                if customer.get("customer_unique_id"):  # blank is simply absent
                    self.acc.note(customer, exc.reason, str(exc))
            destination = ev.Region(
                country="BR",
                province=customer.get("customer_state")[: oe.MAX_SHORT],
                city=customer.get("customer_city")[: oe.MAX_SHORT],
            )
        items = self._item_lines(order)
        events: list[ev.Event] = [oe.order_placed(order, consumer, destination, items, self.zone)]
        self.acc.use(order.row)
        self.export.order_ids.append(order.order_id)
        self.export.multi_seller_orders += len({i.seller_id for i in order.items}) > 1
        if order.approved is not None:
            events.append(oe.order_paid(order, order.approved))
            for row, _ in order.payments:
                self.acc.use(row)
        else:  # never approved: nothing records when (or whether) the money moved
            for row, _ in order.payments:
                self.acc.skip(row, "payment_of_order_without_approval_date", order.order_id)
        if order.carrier is None and order.delivered is not None:
            self.acc.note(order.row, "delivered_without_carrier_date", order.order_id)
        events += oe.parcel_events(order)
        if order.status == "canceled":
            events.append(oe.order_cancelled(order))
        for review in order.reviews:
            events.append(oe.review_posted(order, review))
            self.acc.use(review.row)
        return events


def read_export(directory: Path, sellers: Path | None = None, tz: str = DEFAULT_TZ) -> Export:
    """Read an Olist export directory into events plus the account of every row."""
    if not directory.is_dir():
        raise ExportError(f"{directory} is not a directory")
    return _Reader(directory, sellers_path(directory, sellers), tz).run()
