"""Instant refund as an explained risk decision (issue 12, part B).

``config`` owns the pack section ``rules.instant_refund``; ``history`` folds the event stream
into each consumer's dated facts; ``features`` reads them as of a request instant; ``labels``
derives outcomes from the stream; ``model`` trains and loads the LightGBM artefact; ``decide``
is the pure decision (pack rules + model score); ``store``/``service`` are the edges;
``evaluate`` is the only module that reads the simulator's ground truth.
"""

from __future__ import annotations

import msgspec

from anxin.refunds import config

SCHEMAS: dict[str, type[msgspec.Struct]] = {**config.SCHEMAS}

__all__ = ["SCHEMAS"]
