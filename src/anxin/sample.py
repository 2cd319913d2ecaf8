"""A small, seeded example stream: merchants and orders with their whole life, as JSON Lines.

Used by ``anxin bench ingest``, the exactly-once tests and (until the simulator exists) the
demo. Every order is placed, paid, shipped (a share of them late), scanned by its carrier in
Chinese free text and often reviewed; a few are cancelled. Scans carry the parcel's partition
key, as a carrier feed would, so they may reach anxin before their shipment.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import msgspec

from anxin.contract import events as ev

CST = dt.timezone(dt.timedelta(hours=8))
DEFAULT_START = dt.datetime(2026, 10, 1, tzinfo=CST)
CARRIERS = ("SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS")
PROVINCES = ("浙江", "江苏", "上海", "广东", "北京", "四川", "新疆", "云南")
# Free-text scans without codes: each carrier's own code scheme differs (SF's 50 is a pickup).
SCANS = (
    "【{city}】已揽收",
    "快件已到达【{city}转运中心】",
    "快件离开【{city}转运中心】，发往下一站",
    "【{city}】派送中，快递员正在为您派件",
    "已签收，签收人：本人",
)

_encode = msgspec.json.Encoder().encode


def example_stream(
    orders: int = 1000,
    merchants: int = 20,
    *,
    seed: int = 7,
    start: dt.datetime = DEFAULT_START,
    late_share: float = 0.1,
) -> Iterator[ev.Event]:
    """Yield events in a plausible arrival order (each order's life in time order)."""
    rng = random.Random(seed)
    for m in range(merchants):
        yield ev.MerchantRegistered(
            id=f"m-{m}-reg",
            occurred_at=start - dt.timedelta(days=30),
            source="example",
            payload=ev.MerchantPayload(
                merchant_id=f"M{m:04d}",
                name=f"Shop {m}",
                industry=rng.choice(("3c_digital", "beauty", "apparel", "food", "pets")),
                shop_type=rng.choice(("flagship", "other")),
                deposit=ev.Money(2_000_000, "CNY"),
            ),
        )
    for n in range(orders):
        yield from _order(rng, n, merchants, start, late_share)


def _order(
    rng: random.Random, n: int, merchants: int, start: dt.datetime, late_share: float
) -> Iterator[ev.Event]:
    oid = f"O{n:08d}"
    placed = start + dt.timedelta(seconds=rng.randrange(0, 20 * 86400))
    paid = placed + dt.timedelta(seconds=rng.randrange(5, 600))
    price = rng.randrange(990, 99_900)
    qty = rng.randrange(1, 3)
    amount = ev.Money(price * qty, "CNY")
    mid = f"M{rng.randrange(merchants):04d}"
    yield ev.OrderPlaced(
        id=f"{oid}-placed",
        occurred_at=placed,
        source="example",
        payload=ev.OrderPlacedPayload(
            order_id=oid,
            merchant_id=mid,
            consumer_id=f"C{rng.randrange(_consumer_pool(n)):07d}",
            items=[ev.Item(sku=f"{mid}-SKU{rng.randrange(50)}", quantity=qty,
                           unit_price=ev.Money(price, "CNY"))],
            amount=amount,
            promises=[ev.Promise(kind="ship", source="listing", within_hours=48)]
            if rng.random() < 0.3
            else [],
            destination=ev.Region(country="CN", province=rng.choice(PROVINCES)),
        ),
    )  # fmt: skip
    yield ev.OrderPaid(
        id=f"{oid}-paid",
        occurred_at=paid,
        source="example",
        payload=ev.OrderPaidPayload(order_id=oid, amount_paid=amount),
    )
    if rng.random() < 0.03:
        yield ev.OrderCancelled(
            id=f"{oid}-cancelled",
            occurred_at=paid + dt.timedelta(hours=rng.randrange(1, 20)),
            source="example",
            payload=ev.OrderCancelledPayload(order_id=oid, by="consumer"),
        )
        return
    late = rng.random() < late_share
    hours = rng.uniform(40, 120) if late else rng.uniform(2, 30)
    shipped = paid + dt.timedelta(hours=hours)
    carrier = rng.choice(CARRIERS)
    tracking = f"{carrier}{n:010d}"
    yield ev.ShipmentCreated(
        id=f"{oid}-shipment",
        occurred_at=shipped,
        source="example",
        payload=ev.ShipmentCreatedPayload(
            order_id=oid, shipment_id=f"{oid}-S1", carrier=carrier, tracking_number=tracking
        ),
    )
    at = shipped
    city = rng.choice(("杭州", "广州", "成都", "北京"))
    for step, text in enumerate(SCANS[: rng.randrange(2, len(SCANS) + 1)]):
        at += dt.timedelta(hours=rng.uniform(0.5, 20))
        yield ev.TrackingScanned(
            id=f"{tracking}-{step}",
            occurred_at=at,
            source="carrier-feed",
            payload=ev.TrackingScanPayload(
                carrier=carrier, tracking_number=tracking, text=text.format(city=city)
            ),
        )
    if rng.random() < 0.4:
        yield ev.ReviewPosted(
            id=f"{oid}-review",
            occurred_at=at + dt.timedelta(hours=rng.uniform(1, 72)),
            source="example",
            payload=ev.ReviewPayload(
                review_id=f"R{n:08d}",
                order_id=oid,
                merchant_id=mid,
                stars=rng.choices((1, 2, 3, 4, 5), (4, 2, 5, 20, 69))[0],
            ),
        )


def _consumer_pool(n: int) -> int:
    """Consumers grow with orders so some buy repeatedly."""
    return max(100, n // 3 + 100)


def example_lines(orders: int = 1000, merchants: int = 20, *, seed: int = 7) -> list[bytes]:
    return [_encode(e) for e in example_stream(orders, merchants, seed=seed)]
