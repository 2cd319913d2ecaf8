"""``anxin import olist``: the real 4k sample end to end, messy input, idempotency, lateness.

Store-backed tests take ``db_url`` and so run on SQLite and PostgreSQL. Late counts are checked
against a computation written here, straight from the CSV files, independent of the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.contract.decode import Rejected, decode_event, encode_event
from anxin.domain.order import OrderState, decode_state
from anxin.importers.cli import import_group
from anxin.importers.olist import import_olist, read_export
from anxin.importers.olist_reader import (
    CUSTOMERS,
    ITEMS,
    ORDERS,
    PAYMENTS,
    REVIEWS,
    SELLERS,
    Export,
)
from anxin.importers.olist_store import is_late_delivered, is_late_shipped
from anxin.store.database import make_engine
from tests.importers.mini import Export as Mini
from tests.importers.runner import run

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
# Re-importing changes only what this run did, never what the store holds.
PER_RUN = {"accepted", "duplicates"}


def _import(db: str, directory: Path, *args: object) -> dict[str, Any]:
    """Run the command: a human-readable block, then the JSON summary as the last line."""
    result = run("--db", db, "import", "olist", directory, *args)
    *human, last = result.stdout.strip().splitlines()
    assert "Olist import" in human[0]
    assert any("late shipped" in line for line in human)
    summary: dict[str, Any] = json.loads(last)
    return summary


def _states(db_url: str) -> dict[str, OrderState]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select order_id, state from order_state")).all()
            return {oid: decode_state(raw) for oid, raw in rows}
    finally:
        engine.dispose()


def _count_events(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("select count(*) from events")).scalar_one())
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the real sample


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        return list(csv.DictReader(handle))


def _csv_truth(directory: Path) -> dict[str, int]:
    """Late counts straight from the CSV files, the way an analyst would compute them."""

    def instant(value: str) -> dt.datetime:
        local = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SAO_PAULO)
        return local.astimezone(dt.UTC)  # compare instants, not wall times (DST)

    limits: dict[str, list[dt.datetime]] = defaultdict(list)
    sellers: dict[str, set[str]] = defaultdict(set)
    for item in _csv_rows(directory / ITEMS):
        limits[item["order_id"]].append(instant(item["shipping_limit_date"]))
        sellers[item["order_id"]].add(item["seller_id"])
    truth = Counter[str]()
    for order in _csv_rows(directory / ORDERS):
        oid = order["order_id"]
        if oid not in limits:
            continue  # no items: not an importable order
        truth["orders"] += 1
        truth["multi_seller_orders"] += len(sellers[oid]) > 1
        carrier = order["order_delivered_carrier_date"]
        if carrier and instant(carrier) > min(limits[oid]):
            truth["late_shipped_orders"] += 1
        delivered, estimated = (
            order["order_delivered_customer_date"],
            order["order_estimated_delivery_date"],
        )
        if delivered and estimated:
            day = dt.date.fromisoformat(estimated[:10])
            end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SAO_PAULO)
            truth["late_delivered_orders"] += instant(delivered) > end.astimezone(dt.UTC)
    return dict(truth)


def test_4k_sample_imports_and_reimports_idempotently(
    db_url: str, olist_4k: tuple[Path, Path]
) -> None:
    directory, sellers = olist_4k
    first = _import(db_url, directory, "--sellers", sellers)

    truth = _csv_truth(directory)
    assert truth["late_delivered_orders"] == 279  # the sample's SOURCE.md ground truth
    for key, value in truth.items():
        assert first[key] == value, key
    assert first["dead_letters"] == 0
    assert first["accepted"] == first["events"] == first["events_sent"] == _count_events(db_url)
    assert first["sellers"] == len(
        {r["seller_id"] for r in _csv_rows(directory / ITEMS)}
    )  # only sellers with imported items are registered
    assert first["decisions"] == 0  # the douyin pack postdates Olist: no rule applies

    # Every row is accounted for: what the file holds = used + skipped, per file.
    files = {p.name: p for p in [*directory.glob("*.csv"), sellers]}
    for name, count in first["rows"].items():
        assert count["read"] == len(_csv_rows(files[name])), name
        assert count["read"] == count["used"] + count["skipped"], name
        assert sum(count["skipped_by_reason"].values()) == count["skipped"], name
    totals = Counter[str]()
    for count in first["rows"].values():
        totals.update(count["skipped_by_reason"])
    assert dict(totals) == first["skipped_rows"]
    assert first["skipped_rows"]["order_without_items"] == 23  # SOURCE.md: 3,977 have items

    second = _import(db_url, directory, "--sellers", sellers)
    assert second["accepted"] == 0
    assert second["duplicates"] == first["events_sent"]
    assert {k: v for k, v in second.items() if k not in PER_RUN} == {
        k: v for k, v in first.items() if k not in PER_RUN
    }
    assert _count_events(db_url) == first["events"]


# ---------------------------------------------------------------- errors


def _missing_sellers_file(directory: Path) -> list[object]:
    Mini().write(directory)
    return [directory, "--sellers", directory / "nope.csv"]


def _missing_column(directory: Path) -> list[object]:
    mini = Mini()
    mini.headers[ORDERS].remove("order_purchase_timestamp")
    mini.write(directory)
    return [directory]


def _missing_orders(directory: Path) -> list[object]:
    mini = Mini()
    mini.dropped.add(ORDERS)
    mini.write(directory)
    return [directory]


def _bad_zone(directory: Path) -> list[object]:
    Mini().write(directory)
    return [directory, "--tz", "Mars/Olympus"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(
            _missing_sellers_file, "sellers file {d}/nope.csv does not exist", id="bad-sellers"
        ),
        pytest.param(
            _missing_column,
            "olist_orders_dataset.csv: missing column `order_purchase_timestamp`",
            id="missing-column",
        ),
        pytest.param(
            _missing_orders,
            "{d}/olist_orders_dataset.csv does not exist: an Olist export needs",
            id="missing-orders-file",
        ),
        pytest.param(_bad_zone, "unknown time zone 'Mars/Olympus'", id="unknown-zone"),
    ],
)
def test_unusable_export_is_refused_before_touching_the_store(
    tmp_path: Path, setup: Callable[[Path], list[object]], message: str
) -> None:
    directory = tmp_path / "export"
    args = setup(directory)
    db = tmp_path / "store.db"
    result = run("--db", db, "import", "olist", *args, code=1)
    assert f"Error: {message.format(d=directory)}" in result.output
    assert not db.exists()


def test_the_4k_sample_alone_registers_sellers_from_their_items(
    tmp_path: Path, olist_4k: tuple[Path, Path]
) -> None:
    """The issue's own command, without --sellers: sellers come from the item rows, with no
    location, and the late counts do not depend on it."""
    directory, _ = olist_4k
    result = run("--db", tmp_path / "s.db", "import", "olist", directory)
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["absent_files"] == ["olist_sellers_dataset.csv"]
    assert summary["sellers"] == summary["sellers_missing_from_file"] > 0
    assert summary["orders"] == 3977
    assert (summary["late_shipped_orders"], summary["late_delivered_orders"]) == (344, 279)


# ---------------------------------------------------------------- messy input

Skips = dict[str, dict[str, int]]
CASCADE_O1: Skips = {  # what o1's rows become when o1 itself cannot be imported
    ITEMS: {"item_of_skipped_order": 2},
    PAYMENTS: {"payment_of_skipped_order": 1},
    REVIEWS: {"review_of_skipped_order": 1},
    CUSTOMERS: {"customer_of_skipped_order": 1},
}


def _latin1_review(m: Mini) -> None:
    m.set(REVIEWS, 0, review_comment_message="Ótimo, não tive problemas")
    m.latin1.add((REVIEWS, 0))


def _order_without_items(m: Mini) -> None:
    m.copy(ORDERS, 1, order_id="o3", customer_id="c3")
    m.copy(CUSTOMERS, 1, customer_id="c3")


MESSY = [
    pytest.param(lambda m: None, {}, {}, True, id="clean"),
    pytest.param(Mini.map_dates, {}, {}, True, id="m-d-yyyy-h-mm-dates"),
    pytest.param(Mini.extra_columns, {}, {}, True, id="extra-columns"),
    pytest.param(_latin1_review, {}, {}, False, id="latin1-bytes-in-review"),
    pytest.param(
        lambda m: m.set(ORDERS, 0, order_purchase_timestamp=""),
        {ORDERS: {"missing_required_date": 1}, **CASCADE_O1},
        {},
        False,
        id="missing-purchase-date",
    ),
    pytest.param(
        lambda m: [
            m.set(ORDERS, 0, order_purchase_timestamp="31/12/2017 10:00"),
            m.set(ORDERS, 1, order_estimated_delivery_date="6/25/2018 0:00"),  # month first
        ],
        {ORDERS: {"unparseable_date": 1}, **CASCADE_O1},
        {},
        False,
        id="day-first-date-in-a-month-first-file",
    ),
    pytest.param(
        lambda m: m.set(
            ORDERS,
            0,
            order_purchase_timestamp="4/6/2018 10:15",
            order_estimated_delivery_date="20/6/2018 0:00",  # the file is day first
        ),
        {},
        {},
        True,
        id="day-first-file",
    ),
    pytest.param(
        lambda m: m.set(ORDERS, 0, order_purchase_timestamp="1970-01-01 00:00:00"),
        {ORDERS: {"absurd_date": 1}, **CASCADE_O1},
        {},
        False,
        id="epoch-date",
    ),
    pytest.param(
        lambda m: m.set(ORDERS, 0, order_delivered_customer_date=""),
        {},
        {},
        False,
        id="missing-delivery-date-imports-the-rest",
    ),
    pytest.param(
        lambda m: m.set(ORDERS, 0, order_approved_at="yesterday"),
        {PAYMENTS: {"payment_of_order_without_approval_date": 1}},
        {"unparseable_date:order_approved_at": 1},
        False,
        id="garbage-optional-date",
    ),
    pytest.param(
        _order_without_items,
        {ORDERS: {"order_without_items": 1}, CUSTOMERS: {"customer_of_skipped_order": 1}},
        {},
        False,
        id="order-without-items",
    ),
    pytest.param(
        lambda m: m.copy(ITEMS, 2, order_id="o404"),
        {ITEMS: {"item_for_unknown_order": 1}},
        {},
        False,
        id="items-for-missing-order",
    ),
    pytest.param(
        lambda m: m.copy(ITEMS, 2, order_item_id="2", price="12,50"),
        {ITEMS: {"price_not_a_number": 1}},
        {},
        False,
        id="garbage-price",
    ),
    pytest.param(
        lambda m: m.copy(ITEMS, 2, order_item_id="2", freight_value="-1.00"),
        {ITEMS: {"freight_not_a_number": 1}},
        {},
        False,
        id="negative-freight",
    ),
    pytest.param(
        lambda m: m.copy(ITEMS, 2, order_item_id="2", price="0.001"),
        {ITEMS: {"price_not_a_number": 1}},
        {},
        False,
        id="fraction-of-a-centavo",
    ),
    pytest.param(
        lambda m: [m.set(ITEMS, i, price="x") for i in (0, 1)],
        {
            ITEMS: {"price_not_a_number": 2},
            ORDERS: {"order_without_items": 1},
            PAYMENTS: {"payment_of_order_without_items": 1},
            REVIEWS: {"review_of_order_without_items": 1},
            CUSTOMERS: {"customer_of_skipped_order": 1},
        },
        {},
        False,
        id="no-usable-item-left",
    ),
    pytest.param(
        lambda m: m.copy(ITEMS, 0),
        {ITEMS: {"duplicate_item": 1}},
        {},
        False,
        id="duplicate-item-row",
    ),
    pytest.param(
        lambda m: m.copy(ORDERS, 1), {ORDERS: {"duplicate_order": 1}}, {}, False, id="dup-order"
    ),
    pytest.param(
        lambda m: m.copy(REVIEWS, 0),
        {REVIEWS: {"duplicate_review": 1}},
        {},
        False,
        id="duplicate-review-row",
    ),
    pytest.param(
        lambda m: m.copy(REVIEWS, 0, order_id="o2"),
        {},
        {},
        False,
        id="review-id-reused-by-another-order",
    ),
    pytest.param(
        lambda m: m.copy(REVIEWS, 0, order_id="o404"),
        {REVIEWS: {"review_for_unknown_order": 1}},
        {},
        False,
        id="review-for-unknown-order",
    ),
    pytest.param(
        lambda m: m.set(REVIEWS, 1, review_score="7"),
        {REVIEWS: {"invalid_review_score": 1}},
        {},
        False,
        id="review-score-out-of-range",
    ),
    pytest.param(
        lambda m: m.copy(PAYMENTS, 0, order_id="o404"),
        {PAYMENTS: {"payment_for_unknown_order": 1}},
        {},
        False,
        id="payment-for-unknown-order",
    ),
    pytest.param(
        lambda m: m.copy(PAYMENTS, 0, payment_sequential="2", payment_value="R$ 5"),
        {PAYMENTS: {"payment_value_not_a_number": 1}},
        {},
        False,
        id="garbage-payment",
    ),
    pytest.param(
        lambda m: m.raw.setdefault(ORDERS, []).append("o9,c9,delivered,2018-06-04 10:15:00,,,,,x"),
        {ORDERS: {"malformed_row": 1}},
        {},
        False,
        id="row-with-an-extra-cell",
    ),
    pytest.param(
        lambda m: m.set(ITEMS, 2, order_id=""),
        {
            ITEMS: {"missing_order_id": 1},
            **{
                ORDERS: {"order_without_items": 1},
                PAYMENTS: {"payment_of_order_without_items": 1},
                REVIEWS: {"review_of_order_without_items": 1},
                CUSTOMERS: {"customer_of_skipped_order": 1},
            },
        },
        {},
        False,
        id="item-without-order-id",
    ),
    pytest.param(
        lambda m: m.remove(CUSTOMERS, 0),
        {},
        {"customer_not_found": 1},
        False,
        id="customer-row-missing",
    ),
    pytest.param(
        lambda m: m.set(CUSTOMERS, 0, customer_unique_id="u" * 65),
        {},
        {"invalid_customer_unique_id": 1},
        False,
        id="customer-unique-id-too-long",
    ),
    pytest.param(
        lambda m: m.add(SELLERS, seller_id="s9", seller_state="MG"),
        {SELLERS: {"seller_without_imported_items": 1}},
        {},
        False,
        id="seller-without-orders",
    ),
]


def _read(tmp_path: Path, change: Callable[[Mini], object]) -> Export:
    mini = Mini()
    change(mini)
    return read_export(mini.write(tmp_path / "export"))


@pytest.mark.parametrize(("change", "skipped", "cell_problems", "same_events"), MESSY)
def test_messy_rows_are_skipped_with_their_reason(
    tmp_path: Path,
    change: Callable[[Mini], object],
    skipped: Skips,
    cell_problems: dict[str, int],
    same_events: bool,
) -> None:
    export = _read(tmp_path, change)
    files = export.accounts.files
    assert {name: dict(f.skipped) for name, f in files.items() if f.skipped} == skipped
    assert export.accounts.notes_by_reason() == cell_problems
    for name, count in files.items():
        assert count.read == count.used + sum(count.skipped.values()), name
    # Every skip is reported with its file and line, not only counted.
    assert len(export.accounts.skips) == sum(sum(s.values()) for s in skipped.values())
    assert all(p.line >= 2 and p.detail for p in export.accounts.skips)
    if same_events:
        base = _read(tmp_path / "base", lambda m: None)
        assert [encode_event(e) for e in export.events] == [encode_event(e) for e in base.events]


def test_long_ids_still_make_valid_events(tmp_path: Path) -> None:
    long_order, long_review = "o" * 64, "r" * 64

    def rename(m: Mini) -> None:
        for file in (ORDERS, ITEMS, PAYMENTS, REVIEWS):
            for row in m.rows[file]:
                if row["order_id"] == "o1":
                    row["order_id"] = long_order
        m.set(REVIEWS, 0, review_id=long_review)

    export = _read(tmp_path, rename)
    assert not export.accounts.skips
    for event in export.events:
        assert not isinstance(decode_event(encode_event(event)), Rejected), event.id
    review = next(e for e in export.events if isinstance(e, ev.ReviewPosted))
    assert review.payload.review_id == long_review
    assert review.id.startswith("olist-review-")
    assert len(review.id) <= 128


def test_latin1_review_text_is_decoded(tmp_path: Path) -> None:
    export = _read(tmp_path, _latin1_review)
    review = next(e for e in export.events if isinstance(e, ev.ReviewPosted))
    assert review.payload.text == "Ótimo\nÓtimo, não tive problemas"
    assert export.latin1_lines == {REVIEWS: 1}


def test_mapping_of_the_base_export(tmp_path: Path) -> None:
    export = _read(tmp_path, lambda m: None)
    by_id = {e.id: e for e in export.events}
    assert sorted(by_id) == sorted(
        ["olist-seller-s1"]
        + [f"olist-order-o1-{s}" for s in ("placed", "paid", "shipped", "picked-up", "delivered")]
        + [f"olist-order-o2-{s}" for s in ("placed", "paid", "cancelled")]
        + ["olist-review-r1-o1", "olist-review-r2-o2"]
    )
    placed = by_id["olist-order-o1-placed"]
    assert isinstance(placed, ev.OrderPlaced)
    p = placed.payload
    assert placed.occurred_at == dt.datetime(2018, 6, 4, 10, 15, tzinfo=SAO_PAULO)
    assert placed.occurred_at.utcoffset() == dt.timedelta(hours=-3)
    assert (p.merchant_id, p.consumer_id) == ("s1", "u1")
    assert [(i.sku, i.quantity, i.unit_price.amount) for i in p.items] == [("p1", 2, 4990)]
    assert p.amount == ev.Money(11610, "BRL")  # 2 x (49.90 + 8.15)
    assert p.destination == ev.Region(country="BR", province="RJ", city="rio de janeiro")
    assert [(x.kind, x.source, x.by) for x in p.promises] == [
        ("ship", "marketplace_export", dt.datetime(2018, 6, 7, 10, 30, tzinfo=SAO_PAULO)),
        ("deliver", "marketplace_export", dt.datetime(2018, 6, 20, 23, 59, 59, tzinfo=SAO_PAULO)),
    ]
    cancelled = by_id["olist-order-o2-cancelled"]
    assert isinstance(cancelled, ev.OrderCancelled)
    assert cancelled.payload.by == "platform"
    assert cancelled.occurred_at == dt.datetime(2018, 6, 5, 8, 5, tzinfo=SAO_PAULO)  # approval
    paid = by_id["olist-order-o2-paid"]
    assert isinstance(paid, ev.OrderPaid)
    assert paid.payload.amount_paid == ev.Money(13510, "BRL")


# ---------------------------------------------------------------- through the store


def _messy(m: Mini) -> None:
    m.map_dates()
    _latin1_review(m)
    m.set(ORDERS, 0, order_delivered_customer_date="")
    _order_without_items(m)
    m.copy(ITEMS, 2, order_id="o404")  # no such order
    m.copy(ITEMS, 2, order_item_id="2", price="abc")


def test_messy_export_through_the_store_and_again(db_url: str, tmp_path: Path) -> None:
    mini = Mini()
    _messy(mini)
    directory = mini.write(tmp_path / "export")
    first = _import(db_url, directory)
    assert first["skipped_rows"] == {
        "customer_of_skipped_order": 1,
        "item_for_unknown_order": 1,
        "order_without_items": 1,
        "price_not_a_number": 1,
    }
    assert (first["orders"], first["sellers"], first["dead_letters"]) == (2, 1, 0)
    assert first["orders_with_skipped_items"] == 1
    states = _states(db_url)
    assert sorted(states) == ["o1", "o2"]
    o1 = states["o1"]
    assert o1.placed_at == dt.datetime(2018, 6, 4, 13, 15, tzinfo=dt.UTC)  # 6/4/2018 10:15 BRT
    assert [s.code for p in o1.parcels for s in p.scans] == ["picked_up"]  # no delivery date
    assert o1.review_stars == 5
    engine = make_engine(db_url)
    with engine.connect() as conn:
        body = conn.execute(
            sa.text("select body from events where event_id = 'olist-review-r1-o1'")
        ).scalar_one()
    engine.dispose()
    assert "não tive problemas" in json.loads(body)["payload"]["text"]

    second = _import(db_url, directory)
    assert (second["accepted"], second["duplicates"]) == (0, first["events_sent"])
    assert {k: v for k, v in second.items() if k not in PER_RUN} == {
        k: v for k, v in first.items() if k not in PER_RUN
    }


def test_own_db_option_without_a_root_group(tmp_path: Path) -> None:
    directory = Mini().write(tmp_path / "export")
    db = tmp_path / "own.db"
    result = CliRunner().invoke(import_group, ["olist", str(directory), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["orders"] == 2
    assert _count_events(str(db)) == 11


# Ship-by 2018-06-07 10:30 and deliver-by 2018-06-20 (23:59:59) local, as in the base export.
LATENESS = [
    pytest.param("2018-06-07 10:30:00", "2018-06-20 23:59:59", False, False, id="on-the-dot"),
    pytest.param("2018-06-07 10:30:01", "2018-06-21 00:00:00", True, True, id="one-second-late"),
    pytest.param("6/7/2018 10:29", "6/20/2018 8:00", False, False, id="early-us-format"),
    pytest.param("2018-06-08", "2018-06-21", True, True, id="date-only-cells"),
]


@pytest.mark.parametrize(("carrier", "delivered", "late_ship", "late_delivery"), LATENESS)
def test_lateness_read_back_from_the_store(
    db_url: str,
    tmp_path: Path,
    clock: FixedClock,
    carrier: str,
    delivered: str,
    late_ship: bool,
    late_delivery: bool,
) -> None:
    mini = Mini()
    mini.set(ORDERS, 0, order_delivered_carrier_date=carrier)
    mini.set(ORDERS, 0, order_delivered_customer_date=delivered)
    engine = make_engine(db_url)
    try:
        result = import_olist(engine, mini.write(tmp_path / "export"), clock=clock)
    finally:
        engine.dispose()
    state = _states(db_url)["o1"]
    assert (is_late_shipped(state), is_late_delivered(state)) == (late_ship, late_delivery)
    summary = result.summary()
    assert (summary["late_shipped_orders"], summary["late_delivered_orders"]) == (
        late_ship,
        late_delivery,
    )


def test_amazon_pack_findings_equal_the_csv_counts(
    tmp_path: Path, olist_4k: tuple[Path, Path]
) -> None:
    """The guarantee rules themselves (not a report query) find the late orders: under the
    amazon pack, in force for Olist's dates, late shipment and late delivery findings match the
    counts an analyst computes from the CSV files."""
    directory, sellers = olist_4k
    db = str(tmp_path / "amazon.db")
    result = CliRunner().invoke(
        main,
        [
            "--db",
            db,
            "--pack",
            "amazon",
            "import",
            "olist",
            str(directory),
            "--sellers",
            str(sellers),
        ],
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(db)
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                sa.text(
                    "select decision_id like '%:late_shipment:0' as late_ship, count(*)"
                    " from decisions where kind = 'breach' and (decision_id like"
                    " '%:late_shipment:0' or decision_id like '%:delivery_promise:0')"
                    " group by 1"
                )
            ).all()
        )
        claims = conn.execute(
            sa.text("select count(*) from outbox where topic = 'a_to_z.claim_eligible'")
        ).scalar_one()
    engine.dispose()
    truth = _rule_truth(directory)
    assert found[1] == truth["late_shipped_orders"]
    assert found[0] == truth["late_delivered_orders"]
    # the issue-3 counts (shipped or delivered late, with a date) are the bulk of them
    assert found[1] >= _csv_truth(directory)["late_shipped_orders"] == 344
    assert found[0] >= _csv_truth(directory)["late_delivered_orders"] == 279
    assert 0 < claims < found[0]  # A-to-z opens only 3 days past the estimated delivery date


def _rule_truth(directory: Path) -> dict[str, int]:
    """The same findings computed from the CSV files with the rules' own definition: judged as
    of the export's last fact, a promise is broken when it was kept late or not kept by then;
    an order is judged only once paid, and a cancellation before the deadline voids it."""

    def instant(value: str) -> dt.datetime | None:
        if not value:
            return None
        local = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SAO_PAULO)
        return local.astimezone(dt.UTC)

    limits: dict[str, list[dt.datetime]] = defaultdict(list)
    for item in _csv_rows(directory / ITEMS):
        limit = instant(item["shipping_limit_date"])
        if limit is not None:
            limits[item["order_id"]].append(limit)
    orders = [o for o in _csv_rows(directory / ORDERS) if o["order_id"] in limits]
    facts = [
        t
        for o in orders
        for c in (
            "order_purchase_timestamp",
            "order_approved_at",
            "order_delivered_carrier_date",
            "order_delivered_customer_date",
        )
        if (t := instant(o[c]))
    ] + [t for r in _csv_rows(directory / REVIEWS) if (t := instant(r["review_creation_date"]))]
    end = max(facts)
    truth = Counter[str]()
    for o in orders:
        if instant(o["order_approved_at"]) is None:
            continue  # never paid: no promise is judged
        carrier = instant(o["order_delivered_carrier_date"])
        delivered = instant(o["order_delivered_customer_date"])
        known = [
            t
            for c in (
                "order_purchase_timestamp",
                "order_approved_at",
                "order_delivered_carrier_date",
                "order_delivered_customer_date",
            )
            if (t := instant(o[c]))
        ]
        cancelled = max(known) if o["order_status"] == "canceled" else None

        shipped = carrier or delivered  # a delivery scan shows the carrier had it
        truth["late_shipped_orders"] += _broken(min(limits[o["order_id"]]), shipped, cancelled, end)
        if o["order_estimated_delivery_date"]:
            day = dt.date.fromisoformat(o["order_estimated_delivery_date"][:10])
            by = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SAO_PAULO)
            truth["late_delivered_orders"] += _broken(
                by.astimezone(dt.UTC), delivered, cancelled, end
            )
    return dict(truth)


def _broken(
    due: dt.datetime, kept: dt.datetime | None, cancelled: dt.datetime | None, end: dt.datetime
) -> bool:
    if cancelled is not None and cancelled <= due:
        return False  # cancelled before the deadline: nothing to judge
    return kept > due if kept is not None else due <= end
