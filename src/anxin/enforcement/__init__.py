"""Enforcement (issue 13): violations, ladders, measures, rectification, appeals, and the
presale gate at ingest (``presale``)."""
