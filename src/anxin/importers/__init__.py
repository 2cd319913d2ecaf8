"""Importers: turn marketplace exports into anxin events and ingest them through the engine.

- :mod:`anxin.importers.olist`: ``import_olist`` (the Olist export, end to end);
- :mod:`anxin.importers.olist_reader`, :mod:`~anxin.importers.olist_events`,
  :mod:`~anxin.importers.olist_store`: its reading, event building and store read-back;
- :mod:`anxin.importers.csvread`: robust CSV reading and the used/skipped row accounting;
- :mod:`anxin.importers.cli`: the ``anxin import`` command group (``import_group``).
"""

from __future__ import annotations

# Events per engine transaction: big enough to amortise a commit, small enough that a failed
# batch is cheap to redo (event ids make the redo idempotent).
DEFAULT_BATCH = 5_000
