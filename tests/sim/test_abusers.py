"""After-sales abusers in the default world (`anxin simulate --scale demo`, seed 1): every kind
is in the truth file, and what each kind does shows in the event stream as behaviour (a
delivered scan before a "not received", an empty box reported at reception, one address shared
by new accounts) — never as a label. Honest look-alikes exist for every signal."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest

from anxin.contract import events as ev
from anxin.sim import preset
from anxin.sim.consumers import Consumers
from anxin.sim.shard import Shard
from anxin.sim.truth import AfterSaleTruth, ConsumerTruth, ViolatorTruth

from .conftest import SIGNED_CODES, run_sim, when

pytestmark = pytest.mark.slow
ABUSE_KINDS = {"wardrobing", "empty_box", "wrong_item", "not_received_signed"}
ABUSER_KINDS = {"serial_returner", "empty_box", "not_received", "ring"}


@dataclass
class World:
    """The facts these tests need, from both streams."""

    consumers: dict[str, dict[str, Any]] = field(default_factory=dict)  # truth
    aftersales: dict[str, dict[str, Any]] = field(default_factory=dict)  # truth
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # order.placed payloads
    placed: dict[str, dt.datetime] = field(default_factory=dict)
    parcel_order: dict[tuple[str, str], str] = field(default_factory=dict)
    signed: dict[str, dt.datetime] = field(default_factory=dict)  # order → signed-for scan
    requested: dict[str, tuple[dt.datetime, dict[str, Any]]] = field(default_factory=dict)
    received: dict[str, str] = field(default_factory=dict)  # aftersale → condition
    escalated: dict[str, str] = field(default_factory=dict)  # aftersale → by
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)
    planted: set[str] = field(default_factory=set)  # merchants planted to break a rule

    def consumer_kind(self, order_id: str) -> str:
        cid = self.orders[order_id]["consumer_id"]
        return str(self.consumers.get(cid, {}).get("abuser_kind", ""))


@pytest.fixture(scope="module")
def world() -> World:
    """The default world, read from the objects the writer would encode (decoding its ~330 MB
    of JSON would take longer than simulating it)."""
    params = preset("demo", seed=1)
    w = World()
    scans: dict[tuple[str, str], dt.datetime] = {}
    for index in range(params.shards):
        for events, truth, _ in Shard(params, index).chunks():
            for r in truth:
                if isinstance(r, ConsumerTruth):
                    w.consumers[r.consumer_id] = msgspec.to_builtins(r)
                elif isinstance(r, AfterSaleTruth):
                    w.aftersales[r.aftersale_id] = msgspec.to_builtins(r)
                elif isinstance(r, ViolatorTruth):
                    w.planted.add(r.merchant_id)
            for e in events:
                if isinstance(e, ev.TrackingScanned):
                    if e.payload.code in SIGNED_CODES:
                        scans.setdefault(
                            (e.payload.carrier, e.payload.tracking_number), e.occurred_at
                        )
                    continue
                kind = type(e)
                if kind not in _WANTED:
                    continue
                p: dict[str, Any] = msgspec.to_builtins(e.payload)
                if kind is ev.OrderPlaced:
                    w.orders[p["order_id"]] = p
                    w.placed[p["order_id"]] = e.occurred_at
                elif kind is ev.ShipmentCreated:
                    w.parcel_order.setdefault((p["carrier"], p["tracking_number"]), p["order_id"])
                elif kind is ev.AfterSaleRequested:
                    w.requested[p["aftersale_id"]] = (e.occurred_at, p)
                elif kind is ev.ReturnReceived:
                    w.received[p["aftersale_id"]] = p.get("condition", "ok")
                elif kind is ev.AfterSaleEscalated:
                    w.escalated[p["aftersale_id"]] = p["by"]
                elif kind is ev.AfterSaleResolved:
                    w.resolved[p["aftersale_id"]] = p
    for key, signed in scans.items():
        if key in w.parcel_order:
            w.signed.setdefault(w.parcel_order[key], signed)
    return w


_WANTED = {
    ev.OrderPlaced,
    ev.ShipmentCreated,
    ev.AfterSaleRequested,
    ev.ReturnReceived,
    ev.AfterSaleEscalated,
    ev.AfterSaleResolved,
}


def abusive(w: World, kind: str) -> list[dict[str, Any]]:
    return [t for t in w.aftersales.values() if t.get("abuse_kind") == kind]


def test_every_kind_is_in_the_truth(world: World) -> None:
    kinds = Counter(t["abuser_kind"] for t in world.consumers.values())
    assert set(kinds) == ABUSER_KINDS | {"heavy_returner"}
    for t in world.consumers.values():
        assert t.get("abuser", False) == (t["abuser_kind"] in ABUSER_KINDS), t
    by_abuse = Counter(t.get("abuse_kind", "") for t in world.aftersales.values())
    assert all(by_abuse[k] >= 10 for k in ABUSE_KINDS), by_abuse
    # Ring accounts abuse too, and late abusers exist.
    ring_abuse = [
        t
        for t in world.aftersales.values()
        if t.get("abusive") and world.consumer_kind(t["order_id"]) == "ring"
    ]
    assert len(ring_abuse) >= 30
    assert any(t.get("abusive_from") for t in world.consumers.values())


def test_share_of_abusive_requests(world: World) -> None:
    """About 4 % of after-sales requests are abusive (the figure is printed for the report)."""
    total = len(world.aftersales)
    bad = [t for t in world.aftersales.values() if t.get("abusive")]
    asked = sum(t["amount"] for t in world.aftersales.values())
    refunded = sum(t.get("refunded", 0) for t in world.aftersales.values())
    bad_refunded = sum(t.get("refunded", 0) for t in bad)
    print(
        f"\nrequests {total}, abusive {len(bad)} ({len(bad) / total:.4f}); "
        f"asked {asked}, refunded {refunded}, abusive refunded {bad_refunded}"
    )
    assert total == len(world.requested)
    assert 0.01 < len(bad) / total < 0.10
    assert 0 < bad_refunded < 0.05 * refunded


def test_truth_amounts_match_the_stream(world: World) -> None:
    for aid, t in world.aftersales.items():
        assert world.requested[aid][1]["amount"]["amount"] == t["amount"], t
        refund = world.resolved[aid].get("refund")
        assert (refund["amount"] if refund else 0) == t.get("refunded", 0), t


def test_not_received_on_signed_follows_a_signed_scan(world: World) -> None:
    cases = abusive(world, "not_received_signed")
    for t in cases:
        asked_at, p = world.requested[t["aftersale_id"]]
        assert p["kind"] == "refund_only"
        assert p["reason"] == "not_received"
        assert world.signed[t["order_id"]] < asked_at, t
    # Honest consumers also say "not received" on signed parcels (lockers, neighbours), so a
    # signature alone does not make a claim abusive.
    honest = [
        t
        for t in world.aftersales.values()
        if not t.get("abusive")
        and t["reason"] == "not_received"
        and t["order_id"] in world.signed
        and world.signed[t["order_id"]] < world.requested[t["aftersale_id"]][0]
    ]
    assert len(honest) >= 20


def test_swapped_returns_show_at_reception(world: World) -> None:
    """The merchant reports an empty box or a wrong item nearly always, and only then."""
    for condition, kind in (("empty", "empty_box"), ("wrong_item", "wrong_item")):
        reported = {a for a, c in world.received.items() if c == condition}
        truth = {t["aftersale_id"] for t in abusive(world, kind)}
        assert reported <= truth
        came_back = truth & world.received.keys()
        assert len(reported) >= 0.85 * len(came_back) > 0
        for aid in reported:  # the merchant takes it to the platform
            assert world.escalated.get(aid) == "merchant"


def test_wardrobing_comes_back_late_and_worn(world: World) -> None:
    cases = abusive(world, "wardrobing")
    late = [world.requested[t["aftersale_id"]][0] - world.signed[t["order_id"]] for t in cases]
    assert min(late) >= dt.timedelta(days=4)
    worn = [world.received[t["aftersale_id"]] for t in cases if t["aftersale_id"] in world.received]
    assert sum(c in ("damaged", "missing_parts") for c in worn) >= 0.5 * len(worn) > 0
    # Honest returns are asked late too, and some come back damaged: neither alone is abuse.
    honest = [t for t in world.aftersales.values() if not t.get("abusive")]
    assert any(
        t["order_id"] in world.signed
        and world.requested[t["aftersale_id"]][0] - world.signed[t["order_id"]]
        >= dt.timedelta(days=4)
        for t in honest
    )
    assert any(world.received.get(t["aftersale_id"]) == "damaged" for t in honest)


def test_rings_are_new_accounts_at_one_address(world: World) -> None:
    rings: dict[int, set[str]] = defaultdict(set)
    for t in world.consumers.values():
        if t["abuser_kind"] == "ring":
            rings[t["ring"]].add(t["consumer_id"])
    addresses: dict[int, set[str]] = defaultdict(set)
    ages: list[dt.timedelta] = []
    for oid, p in world.orders.items():
        since = when(p["consumer_since"])
        assert since < world.placed[oid]  # every order carries its account's age
        assert p["destination"]["address_id"]
        t = world.consumers.get(p["consumer_id"])
        if t is not None and t["abuser_kind"] == "ring":
            addresses[t["ring"]].add(p["destination"]["address_id"])
            ages.append(world.placed[oid] - since)
    assert len(rings) >= 20
    assert all(len(a) == 1 for a in addresses.values())  # one door per ring
    assert len({a for x in addresses.values() for a in x}) == len(addresses)
    assert max(ages) < dt.timedelta(days=60)
    # Households share doors too, and honest accounts are new too.
    honest_doors: dict[str, set[str]] = defaultdict(set)
    honest_new = 0
    for oid, p in world.orders.items():
        if p["consumer_id"] not in world.consumers:
            honest_doors[p["destination"]["address_id"]].add(p["consumer_id"])
            honest_new += world.placed[oid] - when(p["consumer_since"]) < dt.timedelta(days=30)
    assert sum(len(c) > 1 for c in honest_doors.values()) > 500
    assert honest_new > 1_000


def test_abusers_mostly_buy_normally(world: World) -> None:
    orders = Counter(world.consumer_kind(o) for o in world.orders)
    bad = Counter(world.consumer_kind(t["order_id"]) for t in abusive_all(world))
    for kind in ABUSER_KINDS:
        assert 0 < bad[kind] < 0.5 * orders[kind], (kind, bad[kind], orders[kind])
    for t in abusive_all(world):  # late abusers were clean before
        since = world.consumers[world.orders[t["order_id"]]["consumer_id"]].get("abusive_from")
        if since is not None:
            assert world.requested[t["aftersale_id"]][0] >= when(since)


def abusive_all(w: World) -> list[dict[str, Any]]:
    return [t for t in w.aftersales.values() if t.get("abusive")]


def test_heavy_returners_return_often_and_honestly(world: World) -> None:
    # At the ordinary shops: a planted violator (empty parcels, never shipping, poor goods)
    # makes every buyer ask for refunds.
    ordinary = {o for o, p in world.orders.items() if p["merchant_id"] not in world.planted}
    orders = Counter(world.consumer_kind(o) for o in ordinary)
    requests = Counter(
        world.consumer_kind(t["order_id"])
        for t in world.aftersales.values()
        if t["order_id"] in ordinary
    )
    assert requests["heavy_returner"] / orders["heavy_returner"] > 3 * (requests[""] / orders[""])
    for t in world.aftersales.values():
        if world.consumer_kind(t["order_id"]) == "heavy_returner":
            assert not t.get("abusive")
            assert world.received.get(t["aftersale_id"], "ok") in ("ok", "damaged")


def test_outcomes_show_as_in_reality(world: World) -> None:
    """Some abuse is refused by the platform after an escalation, some gets paid."""
    resolved = [world.resolved[t["aftersale_id"]] for t in abusive_all(world)]
    outcomes = Counter((r["outcome"], r["decided_by"]) for r in resolved)
    assert outcomes["refused", "platform"] > 50
    assert sum(n for (o, _), n in outcomes.items() if o == "refunded") > 50
    assert outcomes["refused", "merchant"] + outcomes["closed", "consumer"] > 0


def test_consumer_table_is_seeded() -> None:
    """Every shard builds the same consumer table from the seed; another seed, another one."""
    params = preset("tiny", seed=3)
    a, b, c = Consumers(params), Consumers(params), Consumers(params.with_(seed=4))
    for name in ("kind", "since", "until", "address", "abuse_rate", "abuse_from", "ring"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.kind != c.kind
    assert [a.address_id(i) for i in range(50)] == [b.address_id(i) for i in range(50)]
    assert [a.address_id(i) for i in range(50)] != [c.address_id(i) for i in range(50)]


def test_tiny_world_orders_carry_account_age_and_door() -> None:
    s = run_sim(preset("tiny", seed=8, days=3))
    for word in (b"abus", b"wardrob", b"heavy_returner", b"not_received_signed"):
        assert word not in s.events_raw, word  # the truth stays apart
    placed = s.of_type("order.placed")
    assert placed
    for e in placed:
        p = e["payload"]
        assert when(p["consumer_since"]) < when(e["occurred_at"])
        assert len(p["destination"]["address_id"]) == 16
