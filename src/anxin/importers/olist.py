"""Import the Olist export (Brazilian e-commerce, Kaggle ``olistbr/brazilian-ecommerce``).

One anxin order per Olist order: ``OrderPlaced`` (items, amount, ship-by and deliver-by
promises, destination), ``OrderPaid``, a parcel (``ShipmentCreated``) with ``picked_up`` and
``delivered`` scans, ``OrderCancelled`` for ``canceled`` orders and one ``ReviewPosted`` per
review; sellers named by an imported item become ``MerchantRegistered``. Event ids derive from
Olist ids, so importing the same export twice only adds duplicates, which the engine absorbs.

- :mod:`~anxin.importers.olist_reader`: the CSV files → events, with every row accounted;
- :mod:`~anxin.importers.olist_events`: the event builders;
- :mod:`~anxin.importers.olist_store`: ingest, and the counts read back from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from anxin.application import build_engine, load_policy
from anxin.clock import Clock, SystemClock
from anxin.engine.processor import IngestReport
from anxin.importers import DEFAULT_BATCH
from anxin.importers.csvread import ExportError
from anxin.importers.olist_reader import DEFAULT_TZ, SELLERS, Export, read_export
from anxin.importers.olist_store import (
    Progress,
    StoreCounts,
    dead_letter_rows,
    ingest_events,
    store_counts,
)
from anxin.policy.pack import PolicyBook
from anxin.store.sql import SqlStore

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_TZ",
    "SELLERS",
    "Export",
    "ExportError",
    "ImportResult",
    "import_olist",
    "ingest_export",
    "read_export",
]


@dataclass
class ImportResult:
    export: Export
    report: IngestReport
    counts: StoreCounts
    dead_lettered_rows: int = 0  # unusable CSV rows now in the dead-letter store

    def summary(self) -> dict[str, Any]:
        """The machine-readable summary (the CLI prints it as its last stdout line)."""
        c, r, x = self.counts, self.report, self.export
        return {
            "orders": c.orders,
            "sellers": c.sellers,
            "events": c.events,
            "skipped_rows": x.accounts.skipped_by_reason(),
            "late_shipped_orders": c.late_shipped_orders,
            "late_delivered_orders": c.late_delivered_orders,
            "multi_seller_orders": x.multi_seller_orders,
            "dead_letters": r.rejected,
            "dead_lettered_rows": self.dead_lettered_rows,
            "events_sent": len(x.events),
            "accepted": r.accepted,
            "duplicates": r.duplicates,
            "decisions": r.decisions,
            "paid_orders": c.paid_orders,
            "shipped_orders": c.shipped_orders,
            "delivered_orders": c.delivered_orders,
            "cancelled_orders": c.cancelled_orders,
            "reviewed_orders": c.reviewed_orders,
            "orders_with_skipped_items": x.orders_with_skipped_items,
            "sellers_missing_from_file": x.sellers_missing_from_file,
            "cell_problems": x.accounts.notes_by_reason(),
            "rows": {name: f.to_dict() for name, f in x.accounts.files.items()},
            "absent_files": x.absent_files,
            "latin1_lines": x.latin1_lines,
            "tz": x.tz,
        }


def ingest_export(
    sql: sa.Engine,
    export: Export,
    *,
    source: str = "olist",
    book: PolicyBook | None = None,
    clock: Clock | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ImportResult:
    """Ingest an export's events, dead-letter its unusable rows and count what the store now
    holds.

    The clock defaults to the system clock: Olist facts are historic, so the engine's
    future-date check (at most one day after the clock) never refuses a real row, yet it still
    dead-letters a typo dated years ahead, which a clock pinned to the export's latest event
    would let through (the typo itself would set the bound). The book defaults to the douyin
    pack; Olist dates predate every version of it, so no rule fires (``--pack amazon`` judges
    them). Deadlines are fired as of the export's last fact.
    """
    engine = build_engine(SqlStore(sql), book or load_policy("douyin"), clock or SystemClock())
    report = ingest_events(
        engine, export.events, source=source[:128], batch_size=batch_size, progress=progress
    )
    lettered = dead_letter_rows(engine, export.accounts.unusable(), source[:128])
    if export.events:
        # Rules judge when their clocks fire: judge every promise that fell due by the moment
        # the export was taken (its last fact), not by today.
        engine.tick(max(e.occurred_at for e in export.events))
    counts = store_counts(sql, [e.id for e in export.events], export.order_ids, export.seller_ids)
    return ImportResult(export, report, counts, lettered)


def import_olist(
    sql: sa.Engine,
    directory: Path,
    *,
    sellers: Path | None = None,
    tz: str = DEFAULT_TZ,
    book: PolicyBook | None = None,
    clock: Clock | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> ImportResult:
    """Read the export in ``directory`` and ingest it (see :func:`ingest_export`)."""
    export = read_export(directory, sellers, tz)
    return ingest_export(
        sql,
        export,
        source=f"olist:{directory.name}",
        book=book,
        clock=clock,
        batch_size=batch_size,
    )
