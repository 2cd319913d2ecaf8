"""Parameters: presets are tuned to their order targets; bad params are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.sim import SimParams, preset
from anxin.sim.merchants import make_merchants


@pytest.mark.parametrize(
    ("name", "merchants", "days", "orders"),
    [("tiny", 20, 7, 2_000), ("demo", 300, 30, 100_000), ("bench", 3_000, 30, 1_000_000)],
)
def test_presets_hit_their_targets(name: str, merchants: int, days: int, orders: int) -> None:
    p = preset(name, seed=3)
    assert (p.merchants, p.days, p.scale, p.seed) == (merchants, days, name, 3)
    assert p.expected_orders() == pytest.approx(orders)
    assert p.start == dt.datetime(2026, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert preset(name, target_orders=orders // 2).expected_orders() == pytest.approx(orders / 2)


def test_bad_params_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimParams(start=dt.datetime(2026, 10, 1))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="unknown carriers"):
        SimParams(carriers=("SF", "UPS"))
    with pytest.raises(ValueError, match="domestic"):
        SimParams(carriers=("DHL",))
    with pytest.raises(ValueError, match="unknown scale"):
        preset("huge")
    with pytest.raises(ValueError, match="unknown behaviour"):
        make_merchants(SimParams(overrides={"M00000": {"lateness": 1.0}}))
