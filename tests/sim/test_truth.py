"""Ground truth agrees with the events: what it names exists, and what it claims shows."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.contract.decode import decode_event
from anxin.domain.promises import binding_ship_promise

from .conftest import SIGNED_CODES, Streams, when


def binding_dues(s: Streams) -> dict[str, dt.datetime]:
    """Each paid order's binding ship-by, computed by anxin's own domain code from the events."""
    pack = load_policy("douyin").latest
    config = pack.rule("late_shipment")
    assert config is not None
    default = ev.Promise(kind="ship", source="platform", named=config.default_promise)
    placed: dict[str, ev.OrderPlaced] = {}
    dues: dict[str, dt.datetime] = {}
    for raw in s.events_raw.splitlines():
        if b'"order.placed"' not in raw and b'"order.paid"' not in raw:
            continue
        e = decode_event(raw)
        if isinstance(e, ev.OrderPlaced):
            placed[e.payload.order_id] = e
        elif isinstance(e, ev.OrderPaid):
            p = placed[e.payload.order_id].payload
            dues[p.order_id] = binding_ship_promise(
                p.promises + e.payload.promises,
                e.occurred_at,
                pack.calendar,
                presale_ship_by=p.presale_ship_by,
                default=default,
                same_day_cutoff=config.cutoff,
            ).due_at
    return dues


def first_scans(s: Streams) -> dict[str, dt.datetime]:
    """Order id → its parcel's first carrier scan (the platform's "shipped" instant)."""
    parcel_order: dict[tuple[str, str], str] = {}
    for e in s.of_type("shipment.created"):  # a reused number stays with its first order
        p = e["payload"]
        parcel_order.setdefault((p["carrier"], p["tracking_number"]), p["order_id"])
    out: dict[str, dt.datetime] = {}
    for key, scans in s.scans().items():
        if key in parcel_order:
            out.setdefault(parcel_order[key], when(scans[0]["occurred_at"]))
    return out


def test_truth_ids_exist_in_events(tiny: Streams) -> None:
    orders = {e["payload"]["order_id"] for e in tiny.of_type("order.placed")}
    parcels = set(tiny.scans())
    aftersales = {e["payload"]["aftersale_id"] for e in tiny.of_type("aftersale.requested")}
    listings = {e["payload"]["listing_id"] for e in tiny.of_type("listing.submitted")}
    merchants = {e["payload"]["merchant_id"] for e in tiny.of_type("merchant.registered")}
    kinds = {t["kind"] for t in tiny.truth}
    assert kinds >= {"merchant", "listing", "order", "parcel", "shipment", "aftersale", "consumer"}
    for t in tiny.truth:
        if "order_id" in t:
            assert t["order_id"] in orders, t
        if t["kind"] == "parcel":
            assert (t["carrier"], t["tracking_number"]) in parcels, t
        elif t["kind"] == "aftersale":
            assert t["aftersale_id"] in aftersales, t
        elif t["kind"] == "listing":
            assert t["listing_id"] in listings, t
        elif t["kind"] == "merchant":
            assert t["merchant_id"] in merchants, t
    assert len(tiny.truth_of("order")) == len(tiny.of_type("order.paid"))


def test_truth_never_mixed_into_events(tiny: Streams) -> None:
    assert all("kind" not in e for e in tiny.events)
    assert all("type" not in t for t in tiny.truth)


def test_parcel_fates_show_in_scans(tiny: Streams) -> None:
    scans = tiny.scans()
    signed_codes = SIGNED_CODES
    lost = [t for t in tiny.truth_of("parcel") if t.get("lost")]
    delivered = [t for t in tiny.truth_of("parcel") if t.get("transit_hours") is not None]
    assert delivered
    for t in lost:
        codes = [e["payload"]["code"] for e in scans[t["carrier"], t["tracking_number"]]]
        assert not signed_codes & set(codes), t
    for t in delivered:
        trace = scans[t["carrier"], t["tracking_number"]]
        assert trace[-1]["payload"]["code"] in signed_codes
        hours = (when(trace[-1]["occurred_at"]) - when(trace[0]["occurred_at"])) / dt.timedelta(
            hours=1
        )
        # Truth rounds to 0.1 h: exactly 0.05 off (plus float error) is a half-up rounding.
        assert hours == pytest.approx(t["transit_hours"], abs=0.0501)
        if t.get("stalled_hours", 0) >= 24:
            gaps = [
                (when(b["occurred_at"]) - when(a["occurred_at"])) / dt.timedelta(hours=1)
                for a, b in itertools.pairwise(trace)
            ]
            assert max(gaps) >= t["stalled_hours"] * 0.9


def test_fake_shipments_look_fake(tiny: Streams) -> None:
    paid = {e["payload"]["order_id"]: when(e["occurred_at"]) for e in tiny.of_type("order.paid")}
    scans = tiny.scans()
    fakes = [t for t in tiny.truth_of("shipment") if t.get("fake")]
    assert {t["why"] for t in fakes} >= {"no_pickup", "late_pickup", "pre_payment_scan"}
    for t in fakes:
        trace = scans.get((t["carrier"], t["tracking_number"]), [])
        no_pickup = not trace
        before_payment = bool(trace) and when(trace[0]["occurred_at"]) < paid[t["order_id"]]
        created = next(
            e for e in tiny.of_type("shipment.created") if e["payload"]["order_id"] == t["order_id"]
        )
        late_pickup = bool(trace) and when(trace[0]["occurred_at"]) - when(
            created["occurred_at"]
        ) >= dt.timedelta(hours=24)
        assert no_pickup or before_payment or late_pickup, t
        assert (t["why"] == "late_pickup") == late_pickup or before_payment


def test_shipped_late_agrees_with_events(tiny: Streams) -> None:
    dues = binding_dues(tiny)
    shipped = first_scans(tiny)
    checked = late = 0
    for t in tiny.truth_of("order"):
        oid = t["order_id"]
        assert when(t["promised_due"]) == dues[oid], t
        if t.get("shipped_late") is None:
            continue
        assert when(t["shipped_at"]) == shipped[oid]
        assert t["shipped_late"] == (shipped[oid] > dues[oid])
        checked += 1
        late += t["shipped_late"]
    assert checked > 1000
    assert 0 < late < checked


def test_abusive_aftersales_come_from_abusers(tiny: Streams) -> None:
    abusers = {t["consumer_id"] for t in tiny.truth_of("consumer") if t.get("abuser")}
    consumer = {
        e["payload"]["order_id"]: e["payload"]["consumer_id"] for e in tiny.of_type("order.placed")
    }
    abusive = [t for t in tiny.truth_of("aftersale") if t.get("abusive")]
    assert all(consumer[t["order_id"]] in abusers for t in abusive)
    empty = {
        e["payload"]["aftersale_id"]
        for e in tiny.of_type("return.received")
        if e["payload"].get("condition") == "empty"
    }
    assert empty <= {t["aftersale_id"] for t in abusive}
