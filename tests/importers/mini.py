"""A tiny, hand-written Olist export to break in one way per test.

Base: seller ``s1``; order ``o1`` delivered (two identical item rows, a review with an accent),
order ``o2`` cancelled before shipping. Every time has ``:00`` seconds so the spreadsheet form
``M/D/YYYY H:MM`` names the same instants. The base export imports with no skipped row.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path

from anxin.importers.olist_reader import CUSTOMERS, ITEMS, ORDERS, PAYMENTS, REVIEWS, SELLERS

Cells = dict[str, str]

HEADERS: dict[str, list[str]] = {
    ORDERS: [
        "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
        "order_delivered_carrier_date", "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ],
    ITEMS: [
        "order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price",
        "freight_value",
    ],
    PAYMENTS: [
        "order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value",
    ],
    CUSTOMERS: [
        "customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city",
        "customer_state",
    ],
    REVIEWS: [
        "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message",
        "review_creation_date", "review_answer_timestamp",
    ],
    SELLERS: ["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"],
}  # fmt: skip


def _rows(file: str, *rows: list[str]) -> list[Cells]:
    return [dict(zip(HEADERS[file], row, strict=True)) for row in rows]


BASE: dict[str, list[Cells]] = {
    ORDERS: _rows(
        ORDERS,
        ["o1", "c1", "delivered", "2018-06-04 10:15:00", "2018-06-04 10:30:00",
         "2018-06-06 14:00:00", "2018-06-12 09:45:00", "2018-06-20 00:00:00"],
        ["o2", "c2", "canceled", "2018-06-05 08:00:00", "2018-06-05 08:05:00", "", "",
         "2018-06-25 00:00:00"],
    ),
    ITEMS: _rows(
        ITEMS,
        ["o1", "1", "p1", "s1", "2018-06-07 10:30:00", "49.90", "8.15"],
        ["o1", "2", "p1", "s1", "2018-06-07 10:30:00", "49.90", "8.15"],
        ["o2", "1", "p2", "s1", "2018-06-08 08:05:00", "120.00", "15.10"],
    ),
    PAYMENTS: _rows(
        PAYMENTS,
        ["o1", "1", "credit_card", "3", "116.10"],
        ["o2", "1", "boleto", "1", "135.10"],
    ),
    CUSTOMERS: _rows(
        CUSTOMERS,
        ["c1", "u1", "20000", "rio de janeiro", "RJ"],
        ["c2", "u2", "80000", "curitiba", "PR"],
    ),
    REVIEWS: _rows(
        REVIEWS,
        ["r1", "o1", "5", "Ótimo", "Chegou antes do prazo, não tive problemas",
         "2018-06-13 00:00:00", "2018-06-14 10:00:00"],
        ["r2", "o2", "1", "", "cancelaram sem avisar", "2018-06-10 00:00:00",
         "2018-06-11 09:00:00"],
    ),
    SELLERS: _rows(SELLERS, ["s1", "13023", "Campinas", "SP"]),
}  # fmt: skip

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):00$")


def us_date(value: str) -> str:
    """``2018-06-04 10:15:00`` → ``6/4/2018 10:15`` (what a US spreadsheet writes back)."""
    m = _ISO.match(value)
    if m is None:
        return value
    year, month, day, hour, minute = m.groups()
    return f"{int(month)}/{int(day)}/{year} {int(hour)}:{minute}"


class Export:
    """A mutable copy of :data:`BASE`; :meth:`write` puts the CSV files in a directory."""

    def __init__(self) -> None:
        self.rows = copy.deepcopy(BASE)
        self.headers = copy.deepcopy(HEADERS)
        self.latin1: set[tuple[str, int]] = set()  # rows written as Latin-1 bytes
        self.raw: dict[str, list[str]] = {}  # lines appended verbatim
        self.dropped: set[str] = set()

    def set(self, file: str, index: int, **cells: str) -> None:
        self.rows[file][index].update(cells)

    def add(self, file: str, **cells: str) -> None:
        self.rows[file].append({c: cells.get(c, "") for c in self.headers[file]})

    def copy(self, file: str, index: int, **cells: str) -> None:
        self.rows[file].append({**self.rows[file][index], **cells})

    def remove(self, file: str, index: int) -> None:
        del self.rows[file][index]

    def map_dates(self) -> None:
        for rows in self.rows.values():
            for row in rows:
                row.update({k: us_date(v) for k, v in row.items()})

    def extra_columns(self) -> None:
        for file, header in self.headers.items():
            header[1:1] = ["exported_by"]
            header.append("notes")
            for row in self.rows[file]:
                row.update(exported_by="bi-tool", notes="x,y")

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for file, header in self.headers.items():
            if file in self.dropped:
                continue
            lines = [_line(header).encode()]
            for i, row in enumerate(self.rows[file]):
                text = _line([row[c] for c in header])
                lines.append(text.encode("latin-1" if (file, i) in self.latin1 else "utf-8"))
            lines += [f"{raw}\r\n".encode() for raw in self.raw.get(file, [])]
            (directory / file).write_bytes(b"".join(lines))
        return directory


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()
