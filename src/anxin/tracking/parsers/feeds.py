"""Carrier-neutral feeds: anxin's own ``tracking.scanned`` events and the Chinese aggregators
(Kuaidi100, KDNiao), which relay any carrier's scans in one shape."""

from __future__ import annotations

from typing import Any

import msgspec

from anxin.contract.decode import Rejected, decode_event
from anxin.contract.events import TrackingScanned
from anxin.tracking.carriers import CHINA_ZONE, canonical
from anxin.tracking.model import ParseResult, RawScan
from anxin.tracking.reading import Context, dig, failure, items, message, success, text, when

_encode = msgspec.json.Encoder().encode


def parse_anxin(doc: Any, ctx: Context) -> ParseResult | None:
    """``tracking.scanned`` events: one object, a list, or JSON Lines (other event types are
    skipped, invalid tracking events reported)."""
    events = [e for e in items(doc) if isinstance(e, dict)]
    if not events or not any(e.get("type") == "tracking.scanned" for e in events):
        return None
    scans: list[RawScan] = []
    errors: list[str] = []
    for index, raw in enumerate(events):
        if raw.get("type") != "tracking.scanned":
            continue
        decoded = decode_event(_encode(raw), index)
        if isinstance(decoded, Rejected):
            e = decoded.error
            errors.append(f"event {index}: {e.code} at {e.path}: {e.message}")
            continue
        assert isinstance(decoded, TrackingScanned)
        p = decoded.payload
        scans.append(
            RawScan(
                carrier=canonical(p.carrier),
                tracking_number=p.tracking_number,
                at=decoded.occurred_at,
                code=p.code,
                text=p.text,
                location=p.location,
            )
        )
    carriers = {s.carrier for s in scans}
    name = carriers.pop() if len(carriers) == 1 else ctx.carrier
    return success(name or "anxin", scans, errors)


def parse_kuaidi100(doc: Any, ctx: Context) -> ParseResult | None:
    """Kuaidi100 query/push results (``com``, ``nu``, ``state``, ``data[]`` newest first).
    A subscription push wraps the same object in ``lastResult``."""
    if isinstance(doc, dict) and isinstance(doc.get("lastResult"), dict):
        doc = doc["lastResult"]
    if not isinstance(doc, dict):
        return None
    if "nu" not in doc and "com" not in doc:
        if doc.get("result") is False and "returnCode" in doc:
            return failure(ctx.carrier, [message(doc.get("returnCode"), doc.get("message"))])
        if not _kuaidi100_shape(doc):
            return None
    carrier = canonical(text(doc.get("com")) or ctx.carrier or "kuaidi100")
    number = text(doc.get("nu"))
    if text(doc.get("status")) not in ("", "200") or doc.get("result") is False:
        return failure(
            carrier, [message(doc.get("status") or doc.get("returnCode"), doc.get("message"))]
        )
    zone = ctx.zone(carrier, CHINA_ZONE)  # aggregators relay Chinese carriers
    scans = []
    for item in items(doc.get("data")):
        at = when(item.get("ftime") or item.get("time"), zone) if isinstance(item, dict) else None
        if at is None:
            continue
        scans.append(
            RawScan(
                carrier=carrier,
                tracking_number=number,
                at=at,
                code=text(item.get("statusCode")) or text(item.get("status")),
                text=text(item.get("context")),
                location=text(item.get("location")) or text(item.get("areaName")),
                scheme="kuaidi100",
            )
        )
    return success(carrier, scans)


def _kuaidi100_shape(doc: dict[str, Any]) -> bool:
    """A query answer trimmed of ``nu`` / ``com`` (some relays drop them): its ``state`` (the
    parcel's stage, "0".."14") beside ``status`` / ``message`` and a ``data`` list of
    ``context`` records. ``"message": "ok", "status": "200"`` is its success."""
    data = doc.get("data")
    return (
        "state" in doc
        and ("status" in doc or "message" in doc)
        and isinstance(data, list)
        and all(isinstance(d, dict) and "context" in d for d in data)
    )


def parse_kdniao(doc: Any, ctx: Context) -> ParseResult | None:
    """KDNiao (快递鸟) instant query / push: ``ShipperCode``, ``LogisticCode``, ``Traces[]``."""
    if not isinstance(doc, dict) or ("LogisticCode" not in doc and "Traces" not in doc):
        return None
    carrier = canonical(text(doc.get("ShipperCode")) or ctx.carrier or "kdniao")
    if doc.get("Success") is False:
        return failure(carrier, [text(doc.get("Reason")) or "KDNiao query failed"])
    zone = ctx.zone(carrier, CHINA_ZONE)  # aggregators relay Chinese carriers
    number = text(doc.get("LogisticCode"))
    scans = []
    for trace in items(doc.get("Traces")):
        at = when(dig(trace, "AcceptTime"), zone)
        if at is None:
            continue
        scans.append(
            RawScan(
                carrier=carrier,
                tracking_number=number,
                at=at,
                code=text(trace.get("Action")),
                text=text(trace.get("AcceptStation")),
                location=text(trace.get("Location")),
                scheme="kdniao",
            )
        )
    return success(carrier, scans)
