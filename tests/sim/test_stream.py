"""The event stream honours the contract: every line decodes, ids are unique, each order's and
each parcel's events are in time order, merchants register before they sell, and carriers
speak their own language."""

from __future__ import annotations

import re

from anxin.contract.decode import Rejected, decode_event
from anxin.contract.events import TrackingScanned
from anxin.sim import SimParams, preset
from anxin.sim.carriers import CARRIERS
from anxin.sim.dist import Beta
from anxin.sim.mix import MerchantMix, Mix

from .conftest import Streams, run_sim, when


def test_every_line_decodes(tiny: Streams) -> None:
    kinds: set[str] = set()
    for number, raw in enumerate(tiny.events_raw.splitlines(), 1):
        event = decode_event(raw, number)
        assert not isinstance(event, Rejected), event.error
        assert event.occurred_at.utcoffset() is not None
        kinds.add(event.type)
    assert kinds >= {
        "merchant.registered",
        "listing.submitted",
        "content.published",
        "order.placed",
        "order.paid",
        "order.cancelled",
        "shipment.created",
        "tracking.scanned",
        "aftersale.requested",
        "aftersale.responded",
        "aftersale.resolved",
        "return.shipped",
        "return.received",
        "chat.message",
        "chat.rated",
        "review.posted",
    }


def test_ids_are_unique(tiny: Streams) -> None:
    ids = [e["id"] for e in tiny.events]
    assert len(ids) == len(set(ids))


def test_each_order_and_parcel_in_time_order(tiny: Streams) -> None:
    for oid, events in tiny.by_order().items():
        times = [when(e["occurred_at"]) for e in events]
        assert times == sorted(times), oid
    for key, scans in tiny.scans().items():
        times = [when(e["occurred_at"]) for e in scans]
        assert times == sorted(times), key


def test_merchants_register_before_selling(tiny: Streams) -> None:
    registered: set[str] = set()
    for e in tiny.events:
        p = e["payload"]
        if e["type"] == "merchant.registered":
            registered.add(p["merchant_id"])
        elif "merchant_id" in p:
            assert p["merchant_id"] in registered, e["id"]


def test_offsets_are_china_time(tiny: Streams) -> None:
    assert all(e["occurred_at"].endswith("+08:00") for e in tiny.events)


def test_chinese_carriers_scan_in_chinese_and_international_in_english() -> None:
    # Enough merchants that some sell cross-border (4 % of them) with DHL or FedEx.
    s = run_sim(preset("tiny", seed=11, merchants=200, days=1))
    texts: dict[str, list[str]] = {}
    codes: dict[str, set[str]] = {}
    for e in s.of_type("tracking.scanned"):
        p = e["payload"]
        texts.setdefault(p["carrier"], []).append(p["text"])
        codes.setdefault(p["carrier"], set()).add(p["code"])
    chinese = [t for name, ts in texts.items() if not CARRIERS[name].international for t in ts]
    for word in ("已揽收", "转运中心", "派送", "签收", "离开【"):
        assert any(word in t for t in chinese), word
    english = [t for name, ts in texts.items() if CARRIERS[name].international for t in ts]
    assert english, "cross-border merchants ship with DHL or FedEx"
    assert all(re.fullmatch(r"[ -~]+", t) for t in english)  # plain ASCII English
    assert any(t.startswith(("Delivered", "Shipment picked up", "Picked up")) for t in english)
    # Each carrier keeps its own raw code scheme: numeric for SF, letters for YTO and DHL.
    assert all(c.isdigit() for c in codes.get("SF", {"50"}))
    assert all(re.fullmatch("[A-Z_]+", c) for c in codes["YTO"] | codes["DHL"] | codes["FEDEX"])


def test_scans_are_parcel_keyed(tiny: Streams) -> None:
    raw = next(x for x in tiny.events_raw.splitlines() if b'"tracking.scanned"' in x)
    scan = decode_event(raw)
    assert isinstance(scan, TrackingScanned)
    assert scan.key() == f"parcel:{scan.payload.carrier}:{scan.payload.tracking_number}"


def test_cross_border_traces_stay_english_even_when_faked() -> None:
    mix = Mix(
        merchants=MerchantMix(
            cross_border_share=1.0, bad_actor_share=1.0, fake_tracking_rate=Beta(0.3, 10)
        )
    )
    s = run_sim(SimParams(seed=12, merchants=10, consumers=2_000, days=3, mix=mix))
    scans = s.of_type("tracking.scanned")
    assert scans
    assert {e["payload"]["carrier"] for e in scans} <= {"DHL", "FEDEX"}
    for e in scans:
        p = e["payload"]
        assert re.fullmatch(r"[ -~]+", p["text"] + p["location"]), p
    assert any(t.get("why") == "pre_payment_scan" for t in s.truth_of("shipment"))
