"""The evaluator's arithmetic on hand-made requests: what it counts as refunded instantly, the
abusive share of that money (gross and after the charge-backs the stream shows), and the AUC.
Truth here is written by hand, never derived from a decision."""

from __future__ import annotations

import pytest

from anxin.refunds.dataset import Row
from anxin.refunds.decide import Verdict
from anxin.refunds.evaluate import auc, figures
from anxin.refunds.features import Request
from anxin.refunds.history import Case, OrderFacts


def row(aid: str, kind: str, amount: int, **case: object) -> Row:
    request = Request(aftersale_id=aid, order_id="O", kind=kind, reason="r", amount=amount,
                      requested_us=0)  # fmt: skip
    facts = Case(aftersale_id=aid, order_id="O", kind=kind, reason="r", amount=amount,
                 requested_us=0, **case)  # type: ignore[arg-type]  # fmt: skip
    return Row(facts, OrderFacts(order_id="O"), request, [], None, 0)


def verdict(outcome: str, refund_at: str = "") -> Verdict:
    return Verdict(outcome=outcome, refund_at=refund_at, score=None, rules_hit=[],  # type: ignore[arg-type]
                   top_features=[], model_version="")  # fmt: skip


def test_coverage_and_losses() -> None:
    rows = [
        row("honest-now", "refund_only", 1_000),
        row("abuse-now", "refund_only", 300),  # refund-only: nothing comes back to recover
        row("abuse-scan-empty", "return_refund", 500, return_shipped_us=1,
            return_received_us=2, return_condition="empty"),  # recovered by the charge-back
        row("abuse-scan-worn", "return_refund", 200, return_shipped_us=1,
            return_received_us=2, return_condition="damaged"),  # reported damaged: stays lost
        row("scan-never-shipped", "return_refund", 9_999),  # first scan never came: not refunded
        row("standard", "refund_only", 7_000),
        row("exchange", "exchange", 5_000),  # asks for goods, not money: not counted
    ]  # fmt: skip
    verdicts = [
        verdict("approve_now", "request"),
        verdict("approve_now", "request"),
        verdict("approve_now", "first_scan"),
        verdict("approve_now", "first_scan"),
        verdict("approve_now", "first_scan"),
        verdict("standard_flow"),
        verdict("approve_now", "request"),
    ]
    abusive = {"abuse-now", "abuse-scan-empty", "abuse-scan-worn", "standard"}
    f = figures(rows, verdicts, abusive)
    assert (f.requests, f.instant) == (6, 4)
    assert f.coverage == pytest.approx(4 / 6)
    assert (f.refunded, f.abusive_refunded, f.abusive_recovered) == (2_000, 1_000, 500)
    assert f.loss_rate == pytest.approx(1_000 / 2_000)
    assert f.loss_rate_after_recovery == pytest.approx(500 / 2_000)


@pytest.mark.parametrize(
    ("scores", "truth", "expected"),
    [
        ([0.1, 0.2, 0.8, 0.9], [False, False, True, True], 1.0),
        ([0.9, 0.8, 0.2, 0.1], [False, False, True, True], 0.0),
        ([0.5, 0.5, 0.5, 0.5], [False, True, False, True], 0.5),  # ties count half
        ([0.1, 0.6, 0.4, 0.9], [False, False, True, True], 0.75),
    ],
)
def test_auc(scores: list[float], truth: list[bool], expected: float) -> None:
    assert auc(scores, truth) == pytest.approx(expected)
