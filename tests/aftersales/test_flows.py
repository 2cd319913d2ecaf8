"""Every transition of the after-sales machine, and the facts it refuses (with the reason)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from anxin.aftersales.config import AftersalesConfig
from anxin.aftersales.facts import (
    Escalated,
    Fact,
    Resolved,
    Responded,
    ReturnReceived,
    ReturnShipped,
    TimerFired,
)
from anxin.aftersales.flows import Cancel, Closed, Policy, Schedule, apply

from .helpers import PAID, grants, policy, rejections, request, walk

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def at(hours: float) -> dt.datetime:
    return T0 + hours * H


RETURN: list[Fact] = [request(T0, "return_refund"), Responded(at(1), "merchant", "agree")]
RECEIVED: list[Fact] = [*RETURN, ReturnShipped(at(2)), ReturnReceived(at(3), "ok")]
EXCHANGE_RECEIVED: list[Fact] = [
    request(T0, "exchange"),
    Responded(at(1), "merchant", "agree"),
    ReturnShipped(at(2)),
    ReturnReceived(at(3), "ok"),
]
REFUSED: list[Fact] = [request(T0), Responded(at(1), "merchant", "refuse")]
ARBITRATION: list[Fact] = [*REFUSED, Escalated(at(2), "consumer")]

# (id, facts, final state, flow, amount granted, payer)
TRANSITIONS: list[tuple[str, list[Fact], str, str, int, str | None]] = [
    ("before-shipment-agree", [request(T0, shipped=False), Responded(at(1), "merchant", "agree")],
     "refunded", "refund_before_shipment", PAID, "merchant"),
    ("after-shipment-agree", [request(T0), Responded(at(1), "system", "agree")],
     "refunded", "refund_after_shipment", PAID, "merchant"),
    ("partial-refund", [request(T0), Resolved(at(1), "refunded", "merchant", 4_000)],
     "refunded", "refund_after_shipment", 4_000, "merchant"),
    ("after-shipment-to-return", [request(T0), Responded(at(1), "merchant", "agree_return")],
     "awaiting_return", "return_refund", 0, None),
    ("return-agreed", RETURN, "awaiting_return", "return_refund", 0, None),
    ("return-shipped", [*RETURN, ReturnShipped(at(2))], "return_shipped", "return_refund", 0, None),
    ("return-received", RECEIVED, "return_received", "return_refund", 0, None),
    ("received-without-shipping-scan", [*RETURN, ReturnReceived(at(3), "ok")],
     "return_received", "return_refund", 0, None),
    ("return-confirmed", [*RECEIVED, Responded(at(4), "merchant", "agree")],
     "refunded", "return_refund", PAID, "merchant"),
    ("return-refunded-by-resolution", [*RECEIVED, Resolved(at(4), "refunded", "merchant")],
     "refunded", "return_refund", PAID, "merchant"),
    ("return-refused-on-condition", [*RECEIVED[:-1], ReturnReceived(at(3), "damaged"),
     Responded(at(4), "merchant", "refuse")], "refused", "return_refund", 0, None),
    ("exchange-done", [*EXCHANGE_RECEIVED, Responded(at(4), "merchant", "agree")],
     "exchanged", "exchange", 0, None),
    ("exchange-by-resolution", [*EXCHANGE_RECEIVED, Resolved(at(4), "exchanged", "merchant")],
     "exchanged", "exchange", 0, None),
    ("refused", REFUSED, "refused", "refund_after_shipment", 0, None),
    ("refused-by-resolution", [request(T0), Resolved(at(1), "refused", "merchant")],
     "refused", "refund_after_shipment", 0, None),
    ("escalated", ARBITRATION, "arbitration", "refund_after_shipment", 0, None),
    ("merchant-escalates", [request(T0), Escalated(at(1), "merchant")],
     "arbitration", "refund_after_shipment", 0, None),
    ("platform-merchant-pays",
     [*ARBITRATION, Resolved(at(3), "refunded", "platform", payer="merchant")],
     "refunded", "refund_after_shipment", PAID, "merchant"),
    ("platform-carrier-pays",
     [*ARBITRATION, Resolved(at(3), "refunded", "platform", 6_000, "carrier")],
     "refunded", "refund_after_shipment", 6_000, "carrier"),
    ("platform-pays", [*ARBITRATION, Resolved(at(3), "refunded", "platform", payer="platform")],
     "refunded", "refund_after_shipment", PAID, "platform"),
    ("platform-refuses", [*ARBITRATION, Resolved(at(3), "refused", "platform")],
     "closed", "refund_after_shipment", 0, None),
    ("merchant-concedes-in-arbitration", [*ARBITRATION, Resolved(at(3), "refunded", "merchant")],
     "refunded", "refund_after_shipment", PAID, "merchant"),
    ("withdrawn", [*RETURN, Resolved(at(2), "withdrawn", "consumer")],
     "closed", "return_refund", 0, None),
    ("system-closes", [request(T0), Resolved(at(2), "closed", "system")],
     "closed", "refund_after_shipment", 0, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "state", "flow", "granted", "payer"),
    [t[1:] for t in TRANSITIONS],
    ids=[t[0] for t in TRANSITIONS],
)
def test_transition(
    facts: list[Fact], state: str, flow: str, granted: int, payer: str | None
) -> None:
    case, effects = walk(policy("douyin"), facts)
    assert not rejections(effects)
    assert case is not None
    assert (case.state, case.flow, case.granted, case.payer) == (state, flow, granted, payer)
    assert sum(g.amount for g in grants(effects)) == granted
    if state in ("refunded", "exchanged", "closed"):
        assert case.deadline is None
        assert isinstance(effects[-1], Closed)


def test_each_step_schedules_the_next_clock_and_cancels_the_last() -> None:
    p = policy("douyin")
    case, effects = apply(None, request(T0, "return_refund"), p)
    assert effects == [Schedule("merchant_response", at(48))]
    case, effects = apply(case, Responded(at(1), "merchant", "agree"), p)
    assert effects == [Cancel("merchant_response"), Schedule("consumer_ships_return", at(169))]
    case, effects = apply(case, ReturnShipped(at(2)), p)
    assert effects == [Cancel("consumer_ships_return")]
    case, effects = apply(case, ReturnReceived(at(3), "ok"), p)
    assert effects == [Schedule("return_confirmation", at(243))]


def _pack_without(*flows: str, **clocks: dict[str, object]) -> Policy:
    base = policy("douyin")
    raw = msgspec.to_builtins(base.config)
    raw["flows"] = [f for f in raw["flows"] if f not in flows]
    raw.update(clocks)
    config = msgspec.convert(raw, AftersalesConfig)
    config.check("CNY")
    return Policy(config, base.calendar)


def test_a_refusal_without_arbitration_is_final() -> None:
    case, _effects = walk(_pack_without("arbitration"), REFUSED)
    assert case is not None
    assert (case.state, case.outcome) == ("closed", "refused")


def test_a_merchant_clock_may_escalate_when_the_pack_says_so() -> None:
    p = _pack_without(merchant_response={"hours": 48, "on_timeout": "escalate"})
    case, effects = walk(p, [request(T0), TimerFired(at(48), "merchant_response")])
    assert case is not None
    assert case.state == "arbitration"
    assert not grants(effects)


# (id, facts before, the illegal fact, words of the reason)
ILLEGAL: list[tuple[str, list[Fact], Fact, str]] = [
    ("response-without-request", [], Responded(T0, "merchant", "agree"), "never requested"),
    ("duplicate-request", [request(T0)], request(T0), "already open"),
    ("return-before-shipment", [], request(T0, "return_refund", shipped=False),
     "needs goods shipped"),
    ("asks-more-than-paid", [], request(T0, amount=PAID + 1), "only 10000 CNY is refundable"),
    ("asks-nothing", [], request(T0, amount=0), "positive amount"),
    ("fact-before-request", [request(T0)], Responded(T0 - H, "merchant", "agree"), "precedes"),
    ("agree-return-before-shipment", [request(T0, shipped=False)],
     Responded(at(1), "merchant", "agree_return"), "does not apply to refund_before_shipment"),
    ("propose", [request(T0)], Responded(at(1), "merchant", "propose"), "not modelled"),
    ("answer-twice", RETURN, Responded(at(2), "merchant", "agree"),
     "while case is awaiting_return"),
    ("ship-before-agreement", [request(T0, "return_refund")], ReturnShipped(at(1)),
     "return shipped while case is requested"),
    ("receive-before-agreement", [request(T0, "return_refund")], ReturnReceived(at(1), "ok"),
     "return received while case is requested"),
    ("escalate-twice", ARBITRATION, Escalated(at(3), "merchant"), "already in arbitration"),
    ("merchant-escalates-own-refusal", REFUSED, Escalated(at(2), "merchant"), "only the consumer"),
    ("platform-outside-arbitration", [request(T0)], Resolved(at(1), "refunded", "platform"),
     "only in arbitration"),
    ("merchant-withdraws", [request(T0)], Resolved(at(1), "withdrawn", "merchant"),
     "only the consumer withdraws"),
    ("consumer-refunds", [request(T0)], Resolved(at(1), "refunded", "consumer"), "cannot resolve"),
    ("merchant-closes", [request(T0)], Resolved(at(1), "closed", "merchant"), "may refuse it"),
    ("refund-before-return", RETURN, Resolved(at(2), "refunded", "merchant"), "cannot refund"),
    ("exchange-a-refund", [request(T0)], Resolved(at(1), "exchanged", "merchant"),
     "cannot exchange"),
    ("grant-above-paid", ARBITRATION, Resolved(at(3), "refunded", "platform", PAID + 1, "merchant"),
     "exceeds the 10000 CNY paid"),
    ("grant-zero", [request(T0)], Resolved(at(1), "refunded", "merchant", 0), "grants nothing"),
    ("grant-twice", [request(T0), Responded(at(1), "merchant", "agree")],
     Resolved(at(2), "refunded", "merchant"), "already refunded"),
    ("after-withdrawal", [request(T0), Resolved(at(1), "withdrawn", "consumer")],
     Responded(at(2), "merchant", "agree"), "already closed (withdrawn)"),
    ("late-answer", [request(T0)],
     Responded(at(48) + dt.timedelta(seconds=1), "merchant", "refuse"),
     "a clock ran out first"),
    ("wrong-timer", [request(T0)], TimerFired(at(200), "return_confirmation"), "not running"),
    ("early-timer", [request(T0)], TimerFired(at(47), "merchant_response"), "before"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "fact", "why"), [t[1:] for t in ILLEGAL], ids=[t[0] for t in ILLEGAL]
)
def test_illegal_facts_are_refused_with_a_reason(before: list[Fact], fact: Fact, why: str) -> None:
    p = policy("douyin")
    case, _ = walk(p, before)
    after, effects = apply(case, fact, p)
    reasons = rejections(effects)
    assert len(reasons) == 1
    assert why in reasons[0]
    if why != "a clock ran out first":
        assert after == case  # nothing changed
    assert not grants(effects) or why == "a clock ran out first"


def test_a_flow_the_pack_does_not_offer_is_refused() -> None:
    p = policy("amazon")
    case, effects = apply(None, request(T0, "exchange"), p)
    assert case is None
    assert rejections(effects) == ["flow exchange is not offered by this pack"]
