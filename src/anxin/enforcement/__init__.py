"""Enforcement (issue 13): violations counted from what anxin ingested, penalty ladders per
counting period, measures with their lift conditions, rectification plans and appeals.

Pure: ``config`` (the pack section), ``facts`` (per merchant-day counters), ``violations`` (the
rules), ``ladder`` (counting), ``measures`` (a rung made concrete), ``notices`` (zh/en words),
``rectification`` (plan progress). Edges: ``project`` (reads the store), ``run`` (the daily
run), ``appeals``, ``cli``, ``presale`` (the presale gate at ingest). Exports ``SCHEMAS`` for
the composition root.
"""

from anxin.enforcement.config import SCHEMAS

__all__ = ["SCHEMAS"]
