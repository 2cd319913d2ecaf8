"""How often anxin's event status agrees with karrio's on karrio's own test fixtures.

The fixtures (raw carrier payloads plus karrio's parsed expectations) are read from a directory
the caller passes (``../shared/data/carrier_tracking_fixtures``); nothing of karrio ships here.
An event counts when karrio gave it a status *and* a code: karrio's Australia Post events have no
code, and their status is the article's status copied onto every event, not an event mapping.
Every event counted is one karrio maps: its status is an explicit entry of the connector's
``TrackingStatus`` table, looked up by the code karrio reports or, for a few connectors, by
another field of the same event (DHL Paket's ICE, UPS's activity type, DHL Unified's event
status, USPS's event text). An unlisted key leaves karrio's event status empty, so no counted
status is a fallback (``tests/tracking/test_fixtures.py`` checks this against karrio's tables).

karrio's statuses are compared through ``KARRIO_EQUIVALENT``, one set of anxin statuses per
karrio status (karrio's ``in_transit`` covers acceptance scans for connectors that have no
``picked_up``, as AfterShip's InTransit does; its ``delivery_delayed`` includes attempts that
will be retried; ``on_hold`` is any incident).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from anxin.tracking.model import TrackingEvent
from anxin.tracking.normalize import normalize
from anxin.tracking.parsers import parse_file
from anxin.tracking.vocabulary import Status as S

KARRIO_EQUIVALENT: Mapping[str, frozenset[S]] = MappingProxyType(
    {
        "pending": frozenset({S.pending, S.info_received}),
        "picked_up": frozenset({S.picked_up}),
        "in_transit": frozenset({S.picked_up, S.in_transit, S.at_hub}),
        "on_hold": frozenset({S.exception}),
        "delivery_delayed": frozenset({S.exception, S.in_transit, S.delivery_failed}),
        "delivery_failed": frozenset({S.delivery_failed}),
        "out_for_delivery": frozenset({S.out_for_delivery}),
        "ready_for_pickup": frozenset({S.ready_for_pickup}),
        "delivered": frozenset({S.delivered}),
        "return_to_sender": frozenset({S.returning, S.returned}),
        "cancelled": frozenset({S.exception}),
        "unknown": frozenset({S.unknown}),
    }
)


@dataclass(frozen=True, slots=True)
class Comparison:
    carrier: str
    payload: str  # raw payload file name
    code: str
    text: str
    karrio: str
    anxin: S | None  # None: no anxin event matched karrio's

    @property
    def agreed(self) -> bool:
        return self.anxin is not None and self.anxin in KARRIO_EQUIVALENT.get(self.karrio, ())


@dataclass(frozen=True, slots=True)
class AgreementReport:
    compared: tuple[Comparison, ...]  # karrio events with a status and a code
    codeless: tuple[Comparison, ...]  # with a status but no code (matched on text; not counted)

    @property
    def agreement(self) -> float:
        return _share(self.compared)

    @property
    def agreement_with_codeless(self) -> float:
        """The same share counting karrio's code-less (copied) statuses too."""
        return _share(self.compared + self.codeless)

    @property
    def disagreements(self) -> tuple[Comparison, ...]:
        return tuple(c for c in self.compared if not c.agreed)


def _share(comparisons: tuple[Comparison, ...]) -> float:
    return sum(c.agreed for c in comparisons) / len(comparisons) if comparisons else 0.0


def fixture_agreement(root: Path) -> float:
    """Share of karrio-mapped fixture events whose anxin status is equivalent to karrio's."""
    return fixture_report(root).agreement


def fixture_report(root: Path) -> AgreementReport:
    """Compare every (raw payload, karrio expectation) pair listed in ``root/INDEX.csv``."""
    compared: list[Comparison] = []
    codeless: list[Comparison] = []
    with (root / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["karrio_parsed_file"]]
    for row in rows:
        folder = root / row["carrier"]
        raw = folder / row["raw_payload_file"]
        expected = json.loads((folder / row["karrio_parsed_file"]).read_text(encoding="utf-8"))
        result = parse_file(raw, row["carrier"])
        events = [(s.tracking_number, normalize(s)) for s in result.scans]
        for details in details_of(expected):
            number = str(details.get("tracking_number") or "")
            pool = [e for n, e in events if n == number] or [e for _, e in events]
            for kevent in details.get("events") or []:
                if kevent.get("status") is None:
                    continue
                match = _take(pool, kevent)
                into = codeless if kevent.get("code") is None else compared
                into.append(
                    Comparison(
                        carrier=row["carrier"],
                        payload=row["raw_payload_file"],
                        code=str(kevent.get("code") or ""),
                        text=clean(kevent.get("description")),
                        karrio=str(kevent["status"]),
                        anxin=match.status if match is not None else None,
                    )
                )
    return AgreementReport(tuple(compared), tuple(codeless))


def details_of(expected: Any) -> list[dict[str, Any]]:
    """karrio's parsed output is ``[details, messages]``; details is one object or a list."""
    first = expected[0] if isinstance(expected, list) and expected else expected
    found = first if isinstance(first, list) else [first]
    return [d for d in found if isinstance(d, dict)]


def clean(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _take(pool: list[TrackingEvent], kevent: dict[str, Any]) -> TrackingEvent | None:
    """Remove and return the anxin event that is karrio's event: same code (or a part of a
    composite code; same text when karrio has no code), preferring the same text, then the same
    local date."""
    code, text = str(kevent.get("code") or ""), clean(kevent.get("description"))
    if code:
        same = [e for e in pool if e.code == code or code in e.code.split("/")]
    else:
        same = [e for e in pool if clean(e.text) == text]
    if not same:
        return None
    day = str(kevent.get("date") or "")
    ranked = sorted(
        same,
        key=lambda e: (
            not (text and (text in clean(e.text) or clean(e.text) in text)),
            e.at.date().isoformat() != day,
        ),
    )
    pool.remove(ranked[0])
    return ranked[0]
