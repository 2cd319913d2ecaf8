"""A listing as screening reads it, from the API, a JSON file or a CSV (edge-free: parsing
only). A price is minor units with a currency, or a plain number in the pack's currency."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import msgspec


class Listing(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    listing_id: str
    title: str
    category: str = ""  # a path ("Clothing >> Women's Clothing >> …") or one name
    description: str = ""
    price: int | None = None  # minor units
    currency: str | None = None
    attributes: dict[str, str] = {}
    brand_authorizations: list[str] = []  # brands the merchant may sell
    merchant_id: str | None = None

    @property
    def top_category(self) -> str:
        path = self.category.strip().strip('[]"')
        return path.split(">>")[0].strip()


class ListingError(ValueError):
    """A listing that cannot be read: what, where, why."""


def parse_json(text: str) -> list[Listing]:
    """A JSON array of listings, or JSON Lines of them."""
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as e:
            raise ListingError(f"line {e.lineno}, column {e.colno}: {e.msg}") from None
    else:  # JSON Lines: the line number is the file's
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ListingError(f"line {n}, column {e.colno}: {e.msg}") from None
    return [_one(row, f"item {i}") for i, row in enumerate(rows, start=1)]


def _one(row: Any, where: str) -> Listing:
    try:
        return msgspec.convert(row, Listing)
    except msgspec.ValidationError as e:
        raise ListingError(f"{where}: {e}") from None


def parse_csv(text: str) -> Iterator[Listing]:
    """CSV with a header (``listing_id``/``id``, ``title``, ``category``, ``description``,
    ``price`` in minor units, ``attributes`` as JSON); or the Flipkart sample's three unnamed
    columns (id, title, category path)."""
    reader = csv.reader(io.StringIO(text))
    first = next(reader, None)
    if first is None:
        return
    header = [h.strip().lower() for h in first]
    if "title" not in header:  # no header: id, title, category
        if len(first) >= 2:
            reader = csv.reader(io.StringIO(text))
            for n, row in enumerate(reader, start=1):
                if len(row) < 2:
                    raise ListingError(f"row {n}: expected id, title[, category]")
                yield Listing(
                    listing_id=row[0], title=row[1], category=row[2] if len(row) > 2 else ""
                )
            return
        raise ListingError(f"header {first!r}: no 'title' column")
    col = {h: i for i, h in enumerate(header)}
    key = "listing_id" if "listing_id" in col else "id"
    for n, row in enumerate(reader, start=2):

        def get(name: str, row: list[str] = row) -> str:
            i = col.get(name)
            return row[i] if i is not None and i < len(row) else ""

        price = get("price").strip()
        attrs = get("attributes").strip()
        try:
            yield Listing(listing_id=get(key) or f"row-{n}", title=get("title"),
                          category=get("category"), description=get("description"),
                          price=int(price) if price else None,
                          attributes=json.loads(attrs) if attrs else {})  # fmt: skip
        except (ValueError, TypeError) as e:
            raise ListingError(f"row {n}: {e}") from None
