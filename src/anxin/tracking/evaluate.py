"""Generality, not memory: leave-one-carrier-out over karrio's fixtures.

Each carrier is read as if anxin had never met it: its payloads go through the generic
extractor only (no carrier parser, no hint, no code table), its events are classified by the
text rules and by a text model retrained *without* that carrier's family's descriptions (and
without seeds equal to any of them), then compared with karrio's expected status per event.

The truth is karrio's parsed file, and nothing else: karrio's event status, through
``KARRIO_EQUIVALENT``. As in ``agreement``, an event counts when karrio gave it a status and a
code; events karrio left without a status are skipped (and counted), and so are Australia
Post's code-less events, whose status is the article's copied onto each event. Karrio's code and
description are used only to pair its events with the ones extracted.

Detection: every payload karrio parsed is either tracking (karrio found events) or an
error / not-found / auth answer (no events, karrio reported messages). The generic path agrees
when it yields ``ok`` with events for the first and no ``ok`` for the second.
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anxin.tracking.agreement import KARRIO_EQUIVALENT, clean, details_of
from anxin.tracking.carriers import GENERIC_EN, GENERIC_ZH
from anxin.tracking.model import Kind, ParseResult, RawScan
from anxin.tracking.normalize import classify_with
from anxin.tracking.parsers import generic
from anxin.tracking.reading import Context, strip_namespaces
from anxin.tracking.textmodel import TextModel
from anxin.tracking.texttrain import family, fixture_carriers, train, training_pairs
from anxin.tracking.vocabulary import Status

TARGET = 0.90
_CJK = re.compile(r"[\u4e00-\u9fff]")


def generic_only(data: bytes) -> ParseResult:
    """The payload through the generic path alone: what an unknown carrier gets."""
    body = data.decode("utf-8-sig").strip()
    ctx = Context(None, None)
    if body.startswith("<"):
        root = strip_namespaces(ET.fromstring(body))
        found = generic.parse_xml(root, ctx)
        return found if found is not None else generic.failure_xml(root, ctx)
    return generic.parse_any(json.loads(body), ctx)


def status_of(scan: RawScan, model: TextModel | None) -> Status:
    """Text rules for the text's script, then the model: no carrier table."""
    vocab = GENERIC_ZH if _CJK.search(scan.text) else GENERIC_EN
    return classify_with(vocab, "", scan.text, model).status


@dataclass(slots=True)
class _Tally:
    agreed: int = 0
    compared: int = 0
    unmapped: int = 0
    copied: int = 0


def evaluate(root: Path, retrain: bool = True, model: TextModel | None = None) -> dict[str, Any]:
    """The leave-one-carrier-out figures as one JSON-able dict. ``retrain=False`` uses
    ``model`` as given (e.g. none: rules only) for every carrier."""
    with (root / "INDEX.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["karrio_parsed_file"]]
    families: dict[str, list[str]] = defaultdict(list)
    for carrier in fixture_carriers(root):
        families[family(carrier)].append(carrier)
    tallies: dict[str, _Tally] = {}
    detection = [0, 0]
    kinds: dict[str, int] = {}  # what the generic path called karrio's error answers
    for members in families.values():
        held = train(training_pairs(root, exclude=members)) if retrain else model
        for row in (r for r in rows if r["carrier"] in members):
            tally = tallies.setdefault(row["carrier"], _Tally())
            folder = root / row["carrier"]
            result = generic_only((folder / row["raw_payload_file"]).read_bytes())
            expected = json.loads((folder / row["karrio_parsed_file"]).read_text("utf-8"))
            karrio_events = [e for d in details_of(expected) for e in d.get("events") or []]
            detection[1] += 1
            tracking = bool(karrio_events)
            detection[0] += (result.kind is Kind.ok and bool(result.scans)) == tracking
            if not tracking:
                kinds[str(result.kind)] = kinds.get(str(result.kind), 0) + 1
            _compare(result, expected, held, tally)
    return _report(tallies, detection, kinds, retrain)


def _compare(result: ParseResult, expected: Any, model: TextModel | None, tally: _Tally) -> None:
    scans = list(result.scans)
    for details in details_of(expected):
        number = str(details.get("tracking_number") or "")
        pool = [s for s in scans if s.tracking_number == number] or scans
        for kevent in details.get("events") or []:
            if kevent.get("status") is None:
                tally.unmapped += 1
                continue
            if kevent.get("code") is None:
                tally.copied += 1
                continue
            match = _take(pool, kevent)
            tally.compared += 1
            if match is not None and status_of(match, model) in KARRIO_EQUIVALENT.get(
                str(kevent["status"]), ()
            ):
                tally.agreed += 1


def _take(pool: list[RawScan], kevent: dict[str, Any]) -> RawScan | None:
    """Remove and return the extracted scan that is karrio's event: the same description
    first, then the same code, then a description containing karrio's (or contained in it),
    preferring the same date. The generic path may read another field as the code."""
    code, text = str(kevent.get("code") or ""), clean(kevent.get("description"))
    day = str(kevent.get("date") or "")

    def rank(s: RawScan) -> tuple[bool, bool, bool, bool]:
        mine = clean(s.text)
        exact = bool(text) and mine == text
        same_code = bool(code) and (s.code == code or code in s.code.split("/"))
        near = bool(text and mine) and (text in mine or mine in text)
        return (not exact, not same_code, not near, s.at.date().isoformat() != day)

    candidates = [s for s in pool if not all(rank(s)[:3])]
    if not candidates:
        return None
    best = min(candidates, key=rank)
    pool.remove(best)
    return best


def _report(
    tallies: dict[str, _Tally], detection: list[int], kinds: dict[str, int], retrain: bool
) -> dict[str, Any]:
    agreed = sum(t.agreed for t in tallies.values())
    compared = sum(t.compared for t in tallies.values())
    return {
        "evaluation": "leave-one-carrier-out",
        "overall": round(agreed / compared, 4) if compared else 0.0,
        "target": TARGET,
        "events_compared": compared,
        "events_agreed": agreed,
        "events_skipped_unmapped": sum(t.unmapped for t in tallies.values()),
        "events_skipped_copied_status": sum(t.copied for t in tallies.values()),
        "carriers": {
            name: {
                "agreement": round(t.agreed / t.compared, 4) if t.compared else None,
                "events": t.compared,
            }
            for name, t in sorted(tallies.items())
        },
        "detection": {
            "agreement": round(detection[0] / detection[1], 4) if detection[1] else 0.0,
            "payloads": detection[1],
            "agreed": detection[0],
            "error_answers_read_as": dict(sorted(kinds.items())),
        },
        "text_model": "retrained without each left-out family" if retrain else "as given",
    }
