"""Features as of the request, labels from the stream, the pack's rules at their boundaries."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from anxin.application import load_policy
from anxin.clock import to_us
from anxin.refunds.config import InstantRefundConfig
from anxin.refunds.decide import decide
from anxin.refunds.features import NAMES, Request, features
from anxin.refunds.history import Case, ConsumerFacts, OrderFacts
from anxin.refunds.labels import label

T = to_us(dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC))
S = 1_000_000  # one second in microseconds
IX = {n: i for i, n in enumerate(NAMES)}


def _order(**kw: object) -> OrderFacts:
    base: dict[str, object] = {"order_id": "O1", "merchant_id": "M1", "consumer_id": "C1",
                               "amount": 10_000, "currency": "CNY", "category": "女装",
                               "placed_us": T - 86_400 * S}  # fmt: skip
    return OrderFacts(**{**base, **kw})  # type: ignore[arg-type]


def _req(kind: str = "refund_only", reason: str = "changed_mind", amount: int = 10_000) -> Request:
    return Request(aftersale_id="A1", order_id="O1", kind=kind, reason=reason, amount=amount,
                   requested_us=T)  # fmt: skip


@pytest.mark.parametrize(("offset", "counted"), [(-S, 1), (0, 0), (S, 0)])
def test_a_fact_at_or_after_the_request_is_not_seen(offset: int, counted: int) -> None:
    c = ConsumerFacts(
        findings=[(T + offset, "return_empty")],
        complaints=[T + offset],
        requests=[(T + offset, 500, "no_reason")],
        orders=[(T + offset, 500)],
    )
    x = features(_req(), _order(), c, None, None, None)
    assert x[IX["findings_all"]] == counted
    assert x[IX["complaints_90d"]] == counted
    assert x[IX["requests_all"]] == counted
    assert x[IX["orders_all"]] == counted


def test_parcel_state_and_not_received_after_delivery_as_of() -> None:
    o = _order(shipped_us=T - 50 * S, first_scan_us=T - 40 * S, delivered_us=T + S)
    x = features(_req(reason="not_received"), o, None, None, None, None)
    assert x[IX["parcel_state"]] == 2.0  # in transit: the delivered scan is one second later
    assert x[IX["not_received_after_delivery"]] == 0.0
    o = _order(shipped_us=T - 50 * S, first_scan_us=T - 40 * S, delivered_us=T - S)
    x = features(_req(reason="not_received"), o, None, None, None, None)
    assert x[IX["parcel_state"]] == 3.0
    assert x[IX["not_received_after_delivery"]] == 1.0


def _case(**kw: object) -> Case:
    base: dict[str, object] = {"aftersale_id": "A1", "order_id": "O1", "kind": "return_refund",
                               "reason": "no_reason", "amount": 100, "requested_us": T,
                               "resolved_us": T + 100 * S, "outcome": "refunded"}  # fmt: skip
    return Case(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({}, 0),
        ({"return_condition": "empty", "return_received_us": T + 50 * S, "outcome": "refused"}, 1),
        ({"return_condition": "wrong_item", "return_received_us": T + 50 * S}, 1),
        ({"return_condition": "damaged", "return_received_us": T + 50 * S}, 0),
        ({"escalated_us": T + 10 * S, "outcome": "refused", "decided_by": "platform"}, 1),
        ({"outcome": "refused", "decided_by": "merchant"}, 0),
        ({"response": "agree_return", "outcome": "closed"}, 1),  # the return never came
        ({"resolved_us": None, "outcome": None}, None),  # still open: unlabelled
        ({"resolved_us": T + 10**12}, None),  # resolved after the horizon
    ],
)
def test_labels_from_outcomes(case: dict[str, object], expected: int | None) -> None:
    assert label(_case(**case), _order(), T + 10**9) == expected


def test_not_received_on_a_signed_parcel_is_abuse_only_when_upheld() -> None:
    o = _order(shipped_us=T - 9 * S, delivered_us=T - S)
    upheld = _case(kind="refund_only", reason="not_received", outcome="refused")
    believed = _case(kind="refund_only", reason="not_received", outcome="refunded")
    assert label(upheld, o, T + 10**9) == 1
    assert label(believed, o, T + 10**9) == 0


def _cfg(version: str) -> InstantRefundConfig:
    cfg = load_policy("douyin").version(version).rule("instant_refund")
    assert isinstance(cfg, InstantRefundConfig)
    return cfg


@pytest.mark.parametrize(
    ("version", "category", "amount", "outcome", "rule"),
    [
        ("2025-09-29", "女装", 800_000, "approve_now", "before_shipment.eligible"),
        ("2025-09-29", "女装", 800_001, "standard_flow", "before_shipment.over_limit"),
        ("2026-08-10", "女装", 800_000, "approve_now", "before_shipment.eligible"),
        ("2026-08-10", "耳机", 300_000, "approve_now", "before_shipment.eligible"),
        ("2026-08-10", "耳机", 300_001, "standard_flow", "before_shipment.over_limit"),
        ("2026-08-10", "盲盒", 100, "standard_flow", "before_shipment.excluded_category"),
    ],
)
def test_before_shipment_limits(
    version: str, category: str, amount: int, outcome: str, rule: str
) -> None:
    x = features(_req(amount=amount), _order(category=category), None, None, None, None)
    v = decide(_req(amount=amount), category, "CNY", x, _cfg(version), None)
    assert (v.outcome, v.rules_hit[-1]) == (outcome, rule)


@pytest.mark.parametrize(
    ("tracking", "first_rule"),
    [(False, "before_shipment.eligible"), (True, "after_shipment.shipped_no_scan")],
)
def test_a_real_tracking_number_ends_the_before_shipment_path(
    tracking: bool, first_rule: str
) -> None:
    o = _order(shipped_us=T - S if tracking else None)
    x = features(_req(), o, None, None, None, None)
    v = decide(_req(), "女装", "CNY", x, _cfg("2026-08-10"), None)
    assert v.rules_hit[0] == first_rule
    if tracking:  # no model: the score cannot approve after shipment
        assert v.outcome == "standard_flow"


def test_consumer_with_an_abuse_finding_is_excluded() -> None:
    c = ConsumerFacts(findings=[(T - S, "return_empty")])
    x = features(_req(), _order(), c, None, None, None)
    v = decide(_req(), "女装", "CNY", x, _cfg("2026-08-10"), None)
    assert v.outcome == "standard_flow"
    assert "consumer.abuse_findings" in v.rules_hit


@pytest.mark.parametrize(("days", "refused"), [(90, False), (89, True), (180, True)])
def test_a_pack_cannot_name_another_history_window(days: int, refused: bool) -> None:
    """The exclusions read 90-day history features: another window would be ignored silently."""
    cfg = msgspec.structs.replace(
        _cfg("2026-08-10"),
        consumer_exclusions=msgspec.structs.replace(
            _cfg("2026-08-10").consumer_exclusions, window_days=days
        ),
    )
    if refused:
        with pytest.raises(ValueError, match="window_days"):
            cfg.check("CNY")
    else:
        cfg.check("CNY")


@pytest.mark.parametrize(
    ("withdrawn", "outcome"),
    [((), "approve_now"), (("suspension",), "standard_flow"),
     (("presale_off", "sales_restricted"), "standard_flow")],
)  # fmt: skip
def test_a_withdrawing_measure_sends_the_request_to_the_standard_flow(
    withdrawn: tuple[str, ...], outcome: str
) -> None:
    x = features(_req(), _order(), None, None, None, None)
    v = decide(_req(), "女装", "CNY", x, _cfg("2026-08-10"), None, withdrawn)
    assert v.outcome == outcome
    assert [r for r in v.rules_hit if r.startswith("merchant.")] == [
        f"merchant.measure:{k}" for k in withdrawn
    ]
