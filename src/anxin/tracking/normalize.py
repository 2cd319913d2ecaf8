"""Raw scans → canonical events → a parcel summary. Pure functions: no I/O, no clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from anxin.tracking.carriers import DEFAULT, SCHEMES, Registry, vocabulary
from anxin.tracking.model import RawScan, TrackingEvent, TrackingSummary
from anxin.tracking.rules import CarrierVocabulary, Classified, classify
from anxin.tracking.textmodel import TextModel, shipped
from anxin.tracking.vocabulary import INCIDENTS, MOVED, PRE_TRANSIT, Reason, Status, fault_of

_GENERIC = frozenset({"generic", "generic_zh"})
_TERMINAL = frozenset({Status.delivered, Status.returned})
_BACKWARDS = frozenset({Status.returning, Status.returned})


def normalize(scan: RawScan, vocabularies: Registry = DEFAULT) -> TrackingEvent:
    """Classify one scan with its carrier's vocabulary, or with its aggregator's code scheme
    (and the carrier's text rules). An unreadable scan is ``Status.unknown``; its code and text
    are kept verbatim."""
    if vocabularies is DEFAULT:
        name, found = _classify_default(scan.carrier, scan.scheme, scan.code, scan.text)
    else:
        name, found = _classify(scan.carrier, scan.scheme, scan.code, scan.text, vocabularies)
    return TrackingEvent(
        at=scan.at,
        status=found.status,
        reason=found.reason,
        fault=fault_of(found.reason),
        location=scan.location,
        code=scan.code,
        text=scan.text,
        carrier=name,
    )


def _classify(
    carrier: str, scheme_name: str, code: str, text: str, vocabularies: Registry
) -> tuple[str, Classified]:
    vocab = vocabulary(carrier, text, vocabularies)
    scheme = SCHEMES.get(scheme_name) if scheme_name else None
    if scheme is not None:
        # Only the scheme's codes: a carrier's own numbers mean other things (STO 101 ≠ 101).
        vocab = CarrierVocabulary(vocab.name, scheme, vocab.rules, vocab.zone)
    found = classify_with(vocab, code, text, shipped())
    return (carrier if vocab.name in _GENERIC else vocab.name), found


def classify_with(
    vocab: CarrierVocabulary, code: str, text: str, model: TextModel | None
) -> Classified:
    """The carrier's code table, then the text rules, then (only when both are silent) the
    text model, if it is confident. ``by`` says which decided ("model" for the last)."""
    found = classify(vocab, code, text)
    if found.by != "none" or model is None or not text:
        return found
    guess = model.predict(text)
    if guess is None:
        return found
    status = guess[0]
    return Classified(status, Reason.unknown if status in INCIDENTS else None, "model")


@lru_cache(maxsize=1 << 16)
def _classify_default(carrier: str, scheme: str, code: str, text: str) -> tuple[str, Classified]:
    # Feeds repeat the same few texts per carrier: classify each (carrier, code, text) once.
    return _classify(carrier, scheme, code, text, DEFAULT)


def summarize(events: Iterable[TrackingEvent]) -> TrackingSummary:
    """One parcel's state from its events (any order; sorted by time, ties keep input order).

    The overall status is the latest meaningful event's, except that:

    - ``unknown`` events say nothing;
    - once the parcel has moved, late electronic notices (``info_received``) do not undo it;
    - ``delivered`` and ``returned`` stick: only a return (``returning``/``returned``) replaces
      them, so a stray transit scan after the signature does not reopen the parcel;
    - anything else (a hub scan after an exception, say) replaces what came before.

    With no events at all the status is ``pending``.
    """
    ordered = tuple(sorted(events, key=lambda e: e.at))
    moved = [e.at for e in ordered if e.status in MOVED]
    status, reason = Status.pending, None
    for e in ordered:
        if e.status is Status.unknown or (e.status in PRE_TRANSIT and moved):
            continue
        if status in _TERMINAL and e.status not in _BACKWARDS:
            continue
        status, reason = e.status, e.reason
    return TrackingSummary(
        status=status,
        reason=reason,
        has_left=bool(moved),
        has_arrived=any(e.status is Status.delivered for e in ordered),
        first_pickup_at=_first(moved),
        first_hub_at=_first(e.at for e in ordered if e.status is Status.at_hub),
        last_event_at=ordered[-1].at if ordered else None,
        events=ordered,
    )


def _first(times: Iterable[dt.datetime]) -> dt.datetime | None:
    return min(times, default=None)


def normalize_all(
    scans: Iterable[RawScan], vocabularies: Registry = DEFAULT
) -> list[TrackingEvent]:
    return [normalize(s, vocabularies) for s in scans]
