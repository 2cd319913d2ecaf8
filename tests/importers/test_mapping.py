"""Mapping files: the shipped ones load, and a bad one says which key, where and why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from anxin.importers.mapping import (
    FIELDS,
    MappingError,
    check_date_format,
    load_mapping,
    parse_mapping,
    shipped,
)

GOOD = """
name: shop
zone: Europe/Paris
currency: EUR
carrier: colissimo
orders:
  file: "orders*.csv"
  columns:
    order_id: Order
    placed_at: Date
    consumer_id: Email
    merchant_id: Shop
    status: State
    sku: SKU
    unit_price: Price
  values:
    status: {Open: placed, Done: delivered, Void: cancelled}
scans:
  columns: {tracking_number: Tracking, at: Scanned, text: Event}
aftersales:
  columns: {aftersale_id: Case, order_id: Order, at: When, event: Step}
  values:
    event: {opened: aftersale.requested, closed: aftersale.resolved}
"""


def _with(change: str) -> str:
    """GOOD with one key replaced: ``a.b.c: value`` (value as YAML; ~ deletes the key)."""
    path, _, value = change.partition(": ")
    data = yaml.safe_load(GOOD)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    loaded = yaml.safe_load(value)
    if loaded is None:
        del node[last]
    else:
        node[last] = loaded
    return yaml.safe_dump(data)


def test_the_base_mapping_is_valid() -> None:
    mapping = parse_mapping(GOOD, "shop.yaml")
    assert mapping.sections["orders"].values["status"]["void"] == "cancelled"
    assert mapping.sections["orders"].columns["sku"] == ("SKU",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            "aftersales.values.event.opened: aftersale.approved",
            "`aftersales.values.event.opened`: 'aftersale.approved' is not a known event for "
            "aftersales (known: aftersale.requested, aftersale.responded",
            id="unknown-event",
        ),
        pytest.param(
            "aftersales.defaults: {event: refund.granted}",
            "`aftersales.defaults.event`: 'refund.granted' is not a known event for aftersales",
            id="unknown-default-event",
        ),
        pytest.param(
            "orders.values.status.Done: finished",
            "`orders.values.status.Done`: 'finished' is not a known status for orders (known: "
            "placed, paid, processing, shipped, delivered, cancelled)",
            id="unknown-status-value",
        ),
        pytest.param(
            "orders.columns.placed_at: ~",
            "`orders.columns.placed_at`: required: map placed_at to a column of the orders file",
            id="missing-required-column",
        ),
        pytest.param(
            "orders.columns.placed: Date",
            "`orders.columns.placed`: unknown field for orders (known: order_id, placed_at,",
            id="unknown-field",
        ),
        pytest.param(
            "date_formats: ['%d/%m/%Y %H:%M:%Q']",
            "`date_formats[0]`: '%d/%m/%Y %H:%M:%Q': 'Q' is a bad directive in format",
            id="bad-date-format",
        ),
        pytest.param(
            "orders.date_formats: ['%H:%M']",
            "`orders.date_formats[0]`: '%H:%M': a date format needs a day (%d) and a year",
            id="date-format-without-a-date",
        ),
        pytest.param(
            "zone: Mars/Olympus",
            "`zone`: unknown time zone 'Mars/Olympus' (an IANA name",
            id="bad-zone",
        ),
        pytest.param("currency: RMB", "`currency`: 'RMB' is not an ISO 4217", id="bad-currency"),
        pytest.param(
            "reviews: {columns: {order_id: Order, stars: Stars}}",
            "`reviews.columns.posted_at`: required: map posted_at",
            id="section-missing-a-required-field",
        ),
        pytest.param(
            "orders.colums: {}",
            "`orders.colums`: unknown key (known: file, columns, values, defaults, date_formats)",
            id="misspelt-section-key",
        ),
        pytest.param(
            "refunds: {columns: {}}",
            "`refunds`: unknown key (known: name, zone, currency, carrier, country, decimal, "
            "date_formats, orders, items, shipments, scans, reviews, aftersales)",
            id="unknown-kind-of-file",
        ),
        pytest.param(
            "orders.values.consumer_id: {a: b}",
            "`orders.values.consumer_id`: not a field with a vocabulary (those of orders: status)",
            id="vocabulary-on-a-free-field",
        ),
        pytest.param(
            "carrier: ~",
            "`carrier`: required: shipments or scans without a carrier column",
            id="scans-need-a-carrier",
        ),
    ],
)
def test_a_bad_mapping_names_the_key_and_why(change: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(_with(change), "shop.yaml")
    assert re.match(r"^shop\.yaml(:\d+)?: `", str(caught.value))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "line", "key"),
    [
        ("Done: delivered", "Done: finished", "    status: {Open", "orders.values.status.Done"),
        ("    placed_at: Date\n", "", "  columns:", "orders.columns.placed_at"),
        ("Europe/Paris", "Paris", "zone:", "zone"),
    ],
)
def test_a_mapping_error_names_its_line(old: str, new: str, line: str, key: str) -> None:
    text = GOOD.replace(old, new, 1)
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "shop.yaml")
    number = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith(line))
    assert str(caught.value).startswith(f"shop.yaml:{number}: `{key}`: ")


def test_not_yaml_and_not_a_table_are_refused() -> None:
    with pytest.raises(MappingError, match=r"^m.yaml: not YAML"):
        parse_mapping("orders: [", "m.yaml")
    with pytest.raises(MappingError, match=r"must be a table of keys, not list"):
        parse_mapping("- a\n- b\n", "m.yaml")


@pytest.mark.parametrize("fmt", ["auto", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%y",
                                 "%Y-%m-%d %H:%M:%S %z", "%d %b %Y"])  # fmt: skip
def test_usable_date_formats(fmt: str) -> None:
    assert check_date_format(fmt) is None


def test_shipped_mappings_load(tmp_path: Path) -> None:
    assert shipped() == ["olist", "shopify"]
    for name in shipped():
        mapping = load_mapping(name)
        assert mapping.origin == f"{name}.yaml"
        assert set(mapping.sections) <= set(FIELDS)
    own = tmp_path / "mine.yaml"
    own.write_text(GOOD, "utf-8")
    assert load_mapping(str(own)).name == "shop"
    with pytest.raises(MappingError, match="no such mapping file, nor a shipped mapping"):
        load_mapping("woocommerce")
