from __future__ import annotations

import datetime as dt

import pytest

from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.domain.kpis import KpiConfig, platform_kpis
from anxin.domain.order import OrderState, apply

T0 = dt.datetime(2026, 10, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DOUYIN: KpiConfig = load_policy("douyin").in_force(T0).rule("platform_kpis")


def order(oid: str, ship_after_h: float | None, stars: int | None = None) -> OrderState:
    s = OrderState(oid)
    money = ev.Money(1000, "CNY")
    item = ev.Item(sku="s", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id=oid, merchant_id="M", consumer_id="C", items=[item], amount=money
    )
    apply(s, ev.OrderPlaced(id=f"{oid}p", occurred_at=T0, source="t", payload=placed))
    paid = ev.OrderPaidPayload(order_id=oid, amount_paid=money)
    apply(s, ev.OrderPaid(id=f"{oid}$", occurred_at=T0, source="t", payload=paid))
    if ship_after_h is not None:
        shipment = ev.ShipmentCreatedPayload(
            order_id=oid, shipment_id="S", carrier="SF", tracking_number=f"SF{oid}"
        )
        at = T0 + dt.timedelta(hours=ship_after_h)
        apply(s, ev.ShipmentCreated(id=f"{oid}s", occurred_at=at, source="t", payload=shipment))
    if stars is not None:
        review = ev.ReviewPayload(review_id=oid, order_id=oid, merchant_id="M", stars=stars)
        at = T0 + dt.timedelta(days=3)
        apply(s, ev.ReviewPosted(id=f"{oid}r", occurred_at=at, source="t", payload=review))
    return s


def test_48h_boundary_and_review_shares() -> None:
    kpis = platform_kpis(
        [order("a", 48, 5), order("b", 48 + 1 / 3600, 2), order("c", 10, 1), order("d", None)],
        DOUYIN,
    ).summary()
    assert kpis["orders"] == 4
    assert kpis["paid_orders"] == 4
    # exactly 48 h is within; one second more is not
    assert kpis["ship_within_hours"] == 48
    assert kpis["shipped_within_hours_share"] == round(2 / 3, 4)
    assert kpis["avg_review_stars"] == round(8 / 3, 3)
    assert kpis["low_star_share"] == round(2 / 3, 4)
    assert kpis["merchants"] == 1


def test_empty_population_has_no_division_by_zero() -> None:
    assert platform_kpis([], DOUYIN).summary()["shipped_within_hours_share"] == 0.0


@pytest.mark.parametrize(
    ("config", "within", "low"),
    [
        pytest.param(KpiConfig(ship_within_hours=48, low_star_max=2), 2 / 3, 2 / 3, id="48h-1-2"),
        pytest.param(KpiConfig(ship_within_hours=24, low_star_max=2), 1 / 3, 2 / 3, id="24h"),
        pytest.param(KpiConfig(ship_within_hours=49, low_star_max=1), 1.0, 1 / 3, id="49h-1"),
    ],
)
def test_thresholds_come_from_the_pack_section(
    config: KpiConfig, within: float, low: float
) -> None:
    states = [order("a", 48, 5), order("b", 48 + 1 / 3600, 2), order("c", 10, 1)]
    kpis = platform_kpis(states, config).summary()
    assert kpis["ship_within_hours"] == config.ship_within_hours
    assert kpis["shipped_within_hours_share"] == round(within, 4)
    assert kpis["low_star_share"] == round(low, 4)


@pytest.mark.parametrize("pack", ["douyin", "tmall", "amazon"])
def test_every_builtin_pack_states_its_kpi_thresholds(pack: str) -> None:
    for version in load_policy(pack).versions:
        assert isinstance(version.rule("platform_kpis"), KpiConfig), version.file
