"""Recovery of a refund paid before its return came back (issue 12): the return arrives empty,
with the wrong item or missing parts, or never arrives within the pack's window → the merchant
is made whole and the consumer charged back (every built-in pack), once per case, whatever the
arrival order."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from anxin.contract import events as ev
from anxin.domain import ledger
from anxin.domain.money import Money
from anxin.refunds.config import Recovery
from anxin.refunds.recovery import settle
from tests.aftersales.rights_world import CST, DAY, HOUR, SECOND, World

PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
REFUNDED = PAID + 3 * DAY  # the instant refund, reported before the goods came back
WINDOW = 30 * DAY  # every built-in pack's recovery.return_window_days


def moved(txn: ledger.LedgerTransaction, account: str) -> int:
    return sum(p.amount.amount for p in txn.postings if p.account == account)


def received(at: dt.datetime, condition: str, *, oid: str = "O1", aid: str = "A1") -> ev.Event:
    payload = ev.ReturnReceivedPayload(
        aftersale_id=aid,
        order_id=oid,
        condition=condition,  # type: ignore[arg-type]
    )
    return ev.ReturnReceived(id=f"{oid}-rr-{aid}", occurred_at=at, source="t", payload=payload)


def advanced_return(w: World) -> list[ev.Event]:
    """Paid, shipped, signed; a return asked for, refunded at its first scan."""
    return [
        *w.order(PAID),
        w.ship(PAID + HOUR),
        w.sign(PAID + DAY),
        w.request(PAID + 2 * DAY, "return_refund", "no_reason"),
        w.return_shipped(REFUNDED - HOUR),
        w.resolved(REFUNDED, decided_by="system", refund=10_000),
    ]


@pytest.mark.parametrize("pack", ["douyin", "tmall", "amazon"])
@pytest.mark.parametrize(
    ("condition", "recovered"),
    [("ok", False), ("damaged", False), ("empty", True), ("wrong_item", True),
     ("missing_parts", True)],
)  # fmt: skip
def test_an_unearned_advance_is_charged_back(pack: str, condition: str, recovered: bool) -> None:
    w = World(pack)
    w.feed(*advanced_return(w), received(REFUNDED + 2 * DAY, condition))
    decisions = w.decisions("refund_recovery")
    charged = w.outbox("refund.charged_back")
    assert len(decisions) == len(charged) == int(recovered)
    if not recovered:
        return
    (d,) = decisions
    assert (d.kind, d.outcome["fate"], d.explanation.pack) == ("refund_recovered", condition, pack)
    assert d.explanation.inputs["refunded"] == {"amount": 10_000, "currency": w.currency}
    assert charged[0].body["amount"] == {"amount": 10_000, "currency": w.currency}
    assert charged[0].body["reason"] == condition
    txns = {t.key: t for t in w.store.ledger_transactions()}
    whole = txns["refund-recovery:A1:merchant"]
    back = txns["refund-recovery:A1:charge-back"]
    # The platform makes the merchant whole and collects from the consumer: it ends even.
    assert moved(whole, ledger.merchant_deposit("M1")) == 10_000
    assert moved(whole, ledger.platform_fund()) == -10_000
    assert moved(back, ledger.consumer("C1")) == -10_000
    assert moved(back, ledger.platform_fund()) == 10_000


def test_a_refund_after_the_return_arrived_is_not_an_advance() -> None:
    w = World()
    events = advanced_return(w)[:-1]  # everything but the early refund
    w.feed(*events, received(REFUNDED, "empty"), w.resolved(REFUNDED + DAY, refund=10_000))
    assert w.decisions("refund_recovery") == []
    assert w.outbox("refund.charged_back") == []


@pytest.mark.parametrize(
    ("arrives", "recovered"),
    [
        pytest.param(WINDOW, False, id="return-exactly-at-the-window"),
        pytest.param(WINDOW + SECOND, True, id="one-second-after"),
        pytest.param(None, True, id="never"),
    ],
)
def test_a_return_that_never_comes_is_recovered_when_the_window_closes(
    arrives: dt.timedelta | None, recovered: bool
) -> None:
    w = World()
    w.feed(*advanced_return(w))
    if arrives is not None and arrives <= WINDOW:
        w.feed(received(REFUNDED + arrives, "ok"))
    w.engine.tick(REFUNDED + WINDOW - SECOND)
    assert w.decisions("refund_recovery") == []
    w.engine.tick(REFUNDED + WINDOW)
    decisions = w.decisions("refund_recovery")
    assert len(decisions) == int(recovered)
    if recovered:
        assert decisions[0].outcome["fate"] == "never_came"
        assert decisions[0].decided_at == REFUNDED + WINDOW
    if arrives is not None and arrives > WINDOW:  # too late: the charge-back stands, once
        w.feed(received(REFUNDED + arrives, "ok"))
        w.engine.tick(REFUNDED + 2 * WINDOW)
        assert len(w.decisions("refund_recovery")) == 1


@pytest.mark.parametrize("seed", range(8))
def test_duplicated_and_reordered_facts_recover_once(seed: int) -> None:
    w = World()
    events = [*advanced_return(w), received(REFUNDED + DAY, "empty")]
    shuffled = events[:2] + random.Random(seed).sample(events[2:], len(events) - 2)
    for event in shuffled:
        w.feed(event)
    w.feed(*events)  # everything again
    w.engine.tick(REFUNDED + 2 * WINDOW)
    assert len(w.decisions("refund_recovery")) == 1
    assert len(w.outbox("refund.charged_back")) == 1
    (back,) = [x for x in w.store.ledger_transactions() if x.key.endswith(":charge-back")]
    assert moved(back, ledger.consumer("C1")) == -10_000


@pytest.mark.parametrize(
    ("payer", "whole", "keys", "bearer"),
    [
        ("consumer", True, ["merchant", "charge-back"], ledger.platform_fund()),
        ("consumer", False, ["charge-back"], ledger.merchant_deposit("M1")),
        ("platform", True, ["merchant"], None),
        ("platform", False, [], None),
    ],
)
def test_the_pack_says_who_bears_it(
    payer: str, whole: bool, keys: list[str], bearer: str | None
) -> None:
    policy = Recovery(
        payer=payer,  # type: ignore[arg-type]
        merchant_made_whole=whole,
        return_window_days=30,
    )
    txns, messages = settle(
        aftersale_id="A1", order_id="O1", consumer_id="C1", merchant_id="M1",
        amount=Money(500, "CNY"), fate="empty", at=REFUNDED, decision_id="d", policy=policy,
    )  # fmt: skip
    assert [t.key.rsplit(":", 1)[1] for t in txns] == keys
    assert len(messages) == (payer == "consumer")
    if bearer is not None:
        assert moved(txns[-1], bearer) == 500


@pytest.mark.parametrize(
    ("decided_by", "shipped_first", "recovered"),
    [
        pytest.param("system", False, True, id="system-on-the-request"),
        pytest.param("merchant", True, True, id="at-the-first-scan"),
        pytest.param("platform", False, False, id="arbitration-without-the-goods"),
        pytest.param("merchant", False, False, id="merchant-without-the-goods"),
    ],
)
def test_only_a_refund_ahead_of_its_return_is_an_advance(
    decided_by: str, shipped_first: bool, recovered: bool
) -> None:
    w = World()
    events = [*w.order(PAID), w.ship(PAID + HOUR), w.sign(PAID + DAY),
              w.request(PAID + 2 * DAY, "return_refund", "no_reason")]  # fmt: skip
    if shipped_first:
        events.append(w.return_shipped(REFUNDED - HOUR))
    events.append(w.resolved(REFUNDED, decided_by=decided_by, refund=10_000))
    w.feed(*events)
    w.engine.tick(REFUNDED + 2 * WINDOW)  # the goods never came back
    assert len(w.decisions("refund_recovery")) == int(recovered)
