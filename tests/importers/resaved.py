"""The real Olist sample as spreadsheets and BI tools write it back, made at test time.

Each variation reads the original CSV files with the csv module, changes what a tool changes
(separator, encoding, line ends, dates, numbers, columns) and writes them into a new directory;
:func:`truth` computes, from the original files alone, the counts an import must reproduce.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Table = tuple[list[str], list[list[str]]]  # header, rows

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
NUMBER = re.compile(r"^\d+\.\d+$")
NUMERIC = {"price", "freight_value", "payment_value"}


def read(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


@dataclass
class Resave:
    """How a tool writes a file back: cell and header changes, then the byte form."""

    cells: Callable[[str, str], str] = lambda column, value: value
    header: Callable[[list[str]], list[str]] = lambda names: names
    index: str | None = None  # a surrogate key column put in front, with this header ("" …)
    unnamed_index: bool = False  # R's row names: one cell more per row than the header
    trailing_blank_columns: int = 0
    drop: dict[str, set[str]] = field(default_factory=dict)  # file → columns dropped
    delimiter: str = ","
    line_end: str = "\n"
    encoding: str = "utf-8"
    bom: bool = False
    quote_all: bool = False

    def table(self, file: str, table: Table) -> Table:
        header, rows = table
        keep = [i for i, c in enumerate(header) if c not in self.drop.get(file, set())]
        new_rows = [[self.cells(header[i], row[i]) for i in keep] for row in rows]
        new_header = self.header([header[i] for i in keep])
        if self.index is not None or self.unnamed_index:
            new_rows = [[str(n), *row] for n, row in enumerate(new_rows)]
            if not self.unnamed_index:
                new_header = [self.index or "", *new_header]
        blank = [""] * self.trailing_blank_columns
        return [*new_header, *blank], [[*row, *blank] for row in new_rows]

    def write(self, source: Path, target: Path) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.glob("*.csv")):
            header, rows = self.table(path.name, read(path))
            buffer = io.StringIO()
            writer = csv.writer(
                buffer,
                delimiter=self.delimiter,
                lineterminator=self.line_end,
                quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL,
            )
            writer.writerow(header)
            writer.writerows(rows)
            data = buffer.getvalue().encode(self.encoding)
            (target / path.name).write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + data)
        return target


# ---------------------------------------------------------------- cell spellings


def _wall(value: str) -> dt.datetime | None:
    """An Olist time cell as the wall-clock time it names (None for other cells)."""
    m = DATE.match(value)
    return dt.datetime(*map(int, m.groups())) if m else None  # noqa: DTZ001 - as written


def us_minutes(column: str, value: str) -> str:
    """``2018-07-29 13:54:51`` → ``7/29/2018 13:54`` (seconds dropped, as Excel shows it)."""
    at = _wall(value)
    return value if at is None else f"{at.month}/{at.day}/{at.year} {at.hour}:{at:%M}"


def br_minutes(column: str, value: str) -> str:
    """``2018-07-29 13:54:51`` → ``29/07/2018 13:54`` (a pt-BR Excel, day first)."""
    at = _wall(value)
    return value if at is None else f"{at:%d/%m/%Y} {at.hour}:{at:%M}"


def us_seconds_pm(column: str, value: str) -> str:
    """``2018-07-29 13:54:51`` → ``7/29/2018 1:54:51 PM``."""
    at = _wall(value)
    if at is None:
        return value
    half = "PM" if at.hour >= 12 else "AM"
    return f"{at.month}/{at.day}/{at.year} {at.hour % 12 or 12}:{at:%M:%S} {half}"


def excel_serial(column: str, value: str) -> str:
    """A date cell as the number Excel stores (days since 1899-12-30, 10 decimals)."""
    at = _wall(value)
    if at is None:
        return value
    delta = at - dt.datetime(1899, 12, 30)  # noqa: DTZ001 - a wall clock, as Excel counts
    return f"{delta.total_seconds() / 86400:.10f}"


def thousands(column: str, value: str) -> str:
    """``1234.5`` → ``1,234.50`` in money columns (quoted by the writer: it holds a comma)."""
    if column in NUMERIC and NUMBER.match(value):
        return f"{float(value):,.2f}"
    return value


def decimal_comma(column: str, value: str) -> str:
    """``1234.5`` → ``1.234,50`` (a pt-BR / de-DE spreadsheet, ``;``-separated)."""
    return thousands(column, value).replace(",", "\0").replace(".", ",").replace("\0", ".")


def both(*changes: Callable[[str, str], str]) -> Callable[[str, str], str]:
    def change(column: str, value: str) -> str:
        for one in changes:
            value = one(column, value)
        return value

    return change


def shouting(names: list[str]) -> list[str]:
    """Header names as a BI tool labels them: `` Order Id ``, ``ORDER_STATUS`` …"""
    return [f" {n.replace('_', ' ').title()} " if i % 2 else n.upper() for i, n in enumerate(names)]


VARIATIONS: dict[str, Resave] = {
    "m-d-yyyy-h-mm-no-seconds": Resave(cells=us_minutes),
    "m-d-yyyy-am-pm": Resave(cells=us_seconds_pm),
    "excel-serial-dates": Resave(cells=excel_serial),
    "pandas-index-column": Resave(index="Unnamed: 0"),
    "r-row-names-without-header": Resave(unnamed_index=True, quote_all=True),
    "id-column-in-front": Resave(index="id"),
    "reviews-without-id-and-comments": Resave(
        drop={
            "olist_order_reviews_dataset.csv": {
                "review_id",
                "review_comment_title",
                "review_comment_message",
            }
        }
    ),
    "semicolon-decimal-comma": Resave(cells=decimal_comma, delimiter=";"),
    "utf8-bom": Resave(bom=True),
    "quoted-thousands": Resave(cells=thousands, quote_all=True),
    "crlf": Resave(line_end="\r\n"),
    "trailing-empty-columns": Resave(trailing_blank_columns=3),
    "header-case-and-spaces": Resave(header=shouting),
    "excel-unicode-text": Resave(delimiter="\t", encoding="utf-16", line_end="\r\n"),
    "pt-br-excel": Resave(
        cells=both(br_minutes, decimal_comma), delimiter=";", line_end="\r\n", bom=True
    ),
    "excel-eu-everything": Resave(
        cells=both(us_minutes, decimal_comma),
        header=shouting,
        index="",
        delimiter=";",
        line_end="\r\n",
        bom=True,
        trailing_blank_columns=1,
    ),
}


# ---------------------------------------------------------------- the counts to reproduce


def truth(directory: Path) -> Counter[str]:
    """What importing the original must yield, computed from its CSV files alone."""
    _, item_rows = read(directory / "olist_order_items_dataset.csv")
    items = {r[0] for r in item_rows}
    sellers = {r[3] for r in item_rows}
    header, order_rows = read(directory / "olist_orders_dataset.csv")
    col = {c: i for i, c in enumerate(header)}
    count = Counter[str](sellers=len(sellers), items=len(item_rows))
    for row in order_rows:
        if row[col["order_id"]] not in items:
            continue
        count["orders"] += 1
        count["paid_orders"] += bool(row[col["order_approved_at"]])
        carrier, delivered = (
            row[col["order_delivered_carrier_date"]],
            row[col["order_delivered_customer_date"]],
        )
        count["shipped_orders"] += bool(carrier or delivered)
        count["picked_up_scans"] += bool(carrier)
        count["delivered_orders"] += bool(delivered)
        count["cancelled_orders"] += row[col["order_status"]] == "canceled"
    header, review_rows = read(directory / "olist_order_reviews_dataset.csv")
    orders_with_items = {r[col["order_id"]] for r in order_rows if r[col["order_id"]] in items}
    count["reviews"] = len(
        {(r[0], r[1]) for r in review_rows if r[1] in orders_with_items}
    )  # review_id, order_id
    count["reviewed_orders"] = len({r[1] for r in review_rows if r[1] in orders_with_items})
    count["events"] = (
        count["sellers"]
        + count["orders"]
        + count["paid_orders"]
        + count["shipped_orders"]
        + count["picked_up_scans"]
        + count["delivered_orders"]
        + count["cancelled_orders"]
        + count["reviews"]
    )
    return count


def rows_per_file(directory: Path) -> dict[str, int]:
    return {p.name: len(read(p)[1]) for p in sorted(directory.glob("*.csv"))}
