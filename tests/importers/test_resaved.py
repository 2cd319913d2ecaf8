"""The real Olist sample re-saved by spreadsheets and BI tools imports with the original's counts.

Every variation is written at test time from the shared sample (never copied into the
repository); the counts it must give are computed from the original files with the csv module
(:func:`tests.importers.resaved.truth`), not with the importer.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.contract import events as ev
from anxin.importers.generic_files import read_files
from anxin.importers.mapping import load_mapping
from anxin.importers.olist import Export, read_export
from anxin.store.database import make_engine
from tests.importers.resaved import VARIATIONS, Resave, rows_per_file, truth

ITEMS = "olist_order_items_dataset.csv"
ORDERS = "olist_orders_dataset.csv"
# Variations that drop the seconds of every time: a shipment and its limit in the same minute
# may compare differently, so lateness is not asserted for them (every count is).
LOSSY = {"m-d-yyyy-h-mm-no-seconds", "excel-eu-everything", "pt-br-excel"}


def event_counts(export: Export) -> Counter[str]:
    kinds = Counter(e.type for e in export.events)
    scans = Counter(e.payload.code for e in export.events if isinstance(e, ev.TrackingScanned))
    return Counter(
        sellers=kinds["merchant.registered"],
        orders=kinds["order.placed"],
        paid_orders=kinds["order.paid"],
        shipped_orders=kinds["shipment.created"],
        picked_up_scans=scans["picked_up"],
        delivered_orders=scans["delivered"],
        cancelled_orders=kinds["order.cancelled"],
        reviews=kinds["review.posted"],
        reviewed_orders=len(
            {e.payload.order_id for e in export.events if isinstance(e, ev.ReviewPosted)}
        ),
        items=sum(i.quantity for e in export.events if isinstance(e, ev.OrderPlaced)
                  for i in e.payload.items),
        events=len(export.events),
    )  # fmt: skip


@pytest.fixture(scope="module")
def original(olist_4k: tuple[Path, Path]) -> tuple[Path, Counter[str], Export]:
    directory, _ = olist_4k
    return directory, truth(directory), read_export(directory)


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_a_resaved_export_imports_with_the_original_counts(
    tmp_path: Path, original: tuple[Path, Counter[str], Export], name: str
) -> None:
    directory, expected, base = original
    resaved = VARIATIONS[name].write(directory, tmp_path / name)
    export = read_export(resaved)

    assert event_counts(export) == expected
    assert expected["orders"] == 3977  # the sample's SOURCE.md
    files = export.accounts.files
    assert {n: f.read for n, f in files.items()} == rows_per_file(directory)
    assert export.accounts.skipped_by_reason() == base.accounts.skipped_by_reason()
    assert export.accounts.notes_by_reason() == base.accounts.notes_by_reason()
    assert sum(p.amount for e in export.events if isinstance(e, ev.OrderPlaced)
               for p in [e.payload.amount]) == sum(
        e.payload.amount.amount for e in base.events if isinstance(e, ev.OrderPlaced))  # fmt: skip
    if name not in LOSSY:
        # Lossless: the very same instants, so the very same events (reviews aside when the
        # file lost its ids, which are then derived).
        def placed(x: Export) -> list[tuple[str, object]]:
            return [(e.id, e.occurred_at) for e in x.events if not isinstance(e, ev.ReviewPosted)]

        assert placed(export) == placed(base)


def _cli_import(db: str, directory: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--db", db, "import", "olist", str(directory)])
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def test_the_worst_resave_through_the_store_with_its_bad_rows_dead_lettered(
    db_url: str, tmp_path: Path, original: tuple[Path, Counter[str], Export]
) -> None:
    """Every spreadsheet habit at once, plus rows no tool could save: the valid rows all
    arrive, each bad one is reported (file, line, why) and kept in the dead-letter store."""
    directory, expected, _ = original
    resaved = VARIATIONS["excel-eu-everything"].write(directory, tmp_path / "eu")
    items = (resaved / ITEMS).read_bytes()
    bad_item = "999;ghost;1;p;s;7/1/2018 10:00;abc;1,00;\r\n"  # price "abc", unknown order
    bad_order = ";o-bad;c;delivered;not a date;;;;;\r\n"  # the purchase date is unusable
    (resaved / ITEMS).write_bytes(items + bad_item.encode())
    (resaved / ORDERS).write_bytes((resaved / ORDERS).read_bytes() + bad_order.encode())
    item_line = items.count(b"\n") + 1  # physical line of the appended record

    summary = _cli_import(db_url, resaved)
    for key in ("orders", "sellers", "events", "paid_orders", "shipped_orders",
                "delivered_orders", "cancelled_orders", "reviewed_orders"):  # fmt: skip
        assert summary[key] == expected[key], key
    assert summary["skipped_rows"]["item_for_unknown_order"] == 1
    assert summary["skipped_rows"]["unparseable_date"] == 1
    # 23 orders without items (SOURCE.md) and the reviews of unknown orders are unusable too.
    unusable = summary["skipped_rows"]
    assert summary["dead_lettered_rows"] == sum(
        n
        for reason, n in unusable.items()
        if not reason.endswith("without_imported_items") and reason != "customer_without_order"
    )

    engine = make_engine(db_url)
    with engine.connect() as conn:
        letters = {
            r.path: r
            for r in conn.execute(
                sa.text("select code, path, message, raw, position from dead_letters")
            )
        }
    engine.dispose()
    assert len(letters) == summary["dead_lettered_rows"]
    ghost = letters[f"{ITEMS}:{item_line}"]
    assert ghost.code == "item_for_unknown_order"
    assert ghost.position == item_line
    assert f"{ITEMS}:{item_line}: ghost" == ghost.message
    assert b"abc" in bytes(ghost.raw)
    bad = next(r for r in letters.values() if r.code == "unparseable_date")
    assert bad.path.startswith(f"{ORDERS}:")
    assert "`order_purchase_timestamp` 'not a date'" in bad.message

    again = _cli_import(db_url, resaved)  # re-importing adds no dead letter twice
    assert again["duplicates"] == summary["events_sent"]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        total = conn.execute(sa.text("select count(*) from dead_letters")).scalar_one()
    engine.dispose()
    assert total == len(letters)


def test_resave_keeps_the_late_counts(
    tmp_path: Path, original: tuple[Path, Counter[str], Export]
) -> None:
    """Lateness read back from the store is the original's for a lossless re-save."""
    directory, _, _ = original
    base = _cli_import(str(tmp_path / "base.db"), directory)
    resave = Resave(cells=VARIATIONS["excel-serial-dates"].cells, delimiter=";", bom=True)
    other = _cli_import(str(tmp_path / "serial.db"), resave.write(directory, tmp_path / "x"))
    for key in ("late_shipped_orders", "late_delivered_orders", "orders", "events"):
        assert other[key] == base[key], key
    assert (base["late_shipped_orders"], base["late_delivered_orders"]) == (344, 279)


@pytest.mark.parametrize("name", sorted(VARIATIONS))
def test_the_olist_mapping_reads_every_resave_too(
    tmp_path: Path, original: tuple[Path, Counter[str], Export], name: str
) -> None:
    """``import csv --mapping olist`` meets the same re-saves: the same counts from the
    original CSV (the reviews file without its ids included: they are derived)."""
    directory, expected, _ = original
    resaved = VARIATIONS[name].write(directory, tmp_path / name)
    export = read_files(load_mapping("olist"), [resaved])
    assert event_counts(export) == expected
    assert export.accounts.skipped_by_reason() == {
        "order_without_items": 23,
        "review_of_order_without_items": 23,
    }
