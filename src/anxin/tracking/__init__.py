"""Parcel tracking: carrier payloads → raw scans → canonical events → a parcel summary.

- :mod:`~anxin.tracking.vocabulary`: ``Status``, ``Reason``, ``Fault`` and the default fault
  party of each reason;
- :mod:`~anxin.tracking.carriers`: every carrier's codes and text rules, as data (Chinese
  carriers and aggregators, 26 international carriers, the simulator's codes);
- :mod:`~anxin.tracking.parsers`: ``parse`` / ``parse_file`` → ``ParseResult`` of ``RawScan``s
  (each carrier's parser, then ``parsers.generic``: events and errors found by shape);
- :mod:`~anxin.tracking.textmodel`: the scan-text model behind the rules (``texttrain`` trains
  it); :mod:`~anxin.tracking.evaluate`: leave-one-carrier-out generality;
- :mod:`~anxin.tracking.normalize`: ``normalize(scan)`` and ``summarize(events)``;
- :mod:`~anxin.tracking.agreement`: ``fixture_agreement(dir)`` against karrio's fixtures;
- :mod:`~anxin.tracking.cli`: the ``anxin tracking`` command group (``tracking_group``).
"""

from __future__ import annotations

from anxin.tracking.agreement import fixture_agreement, fixture_report
from anxin.tracking.model import Kind, ParseResult, RawScan, TrackingEvent, TrackingSummary
from anxin.tracking.normalize import normalize, normalize_all, summarize
from anxin.tracking.parsers import parse, parse_file
from anxin.tracking.vocabulary import DEFAULT_FAULT, Fault, Reason, Status

__all__ = [
    "DEFAULT_FAULT",
    "Fault",
    "Kind",
    "ParseResult",
    "RawScan",
    "Reason",
    "Status",
    "TrackingEvent",
    "TrackingSummary",
    "fixture_agreement",
    "fixture_report",
    "normalize",
    "normalize_all",
    "parse",
    "parse_file",
    "summarize",
]
