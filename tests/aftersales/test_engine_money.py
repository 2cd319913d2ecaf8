"""Money through the engine: arbitration with each payer, a granted refund is not a paid one,
a refund the marketplace reports without anxin's grant is granted then paid (once), an order's
refunds stay within what was paid, and an escalation by a merchant's silence reaches the
score's escalation indicator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import anxin.policy
from anxin.application import load_policy
from anxin.contract import events as ev
from anxin.engine.processor import Engine
from anxin.policy.pack import PolicyBook
from anxin.score.facts import FactsConfig, order_row

from .world import HOUR, PAID, Events, engine_on, ingest, outcome

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CN)
END = T0 + dt.timedelta(days=60)
EV = Events()


@pytest.fixture(scope="module")
def douyin() -> PolicyBook:
    return load_policy("douyin")


def run(book: PolicyBook, tmp: Path, store: str, *batches: list[ev.Event]) -> Engine:
    with engine_on(store, book, tmp) as engine:
        for batch in batches:
            ingest(engine, batch)
        engine.tick(END)
        return engine


def arbitration(payer: str | None, refund: int | None) -> list[ev.Event]:
    return [
        *EV.order(T0 - 10 * HOUR),
        EV.requested("A", T0),
        EV.responded("A", T0 + HOUR, "refuse"),
        EV.escalated("A", T0 + 2 * HOUR),
        EV.resolved("A", T0 + 3 * HOUR, "refunded", "platform", refund, payer),
    ]


@pytest.mark.parametrize("store", ["memory", "sqlite"])
@pytest.mark.parametrize(
    ("payer", "refund", "account", "amount"),
    [
        (None, None, "merchant:M1:deposit", PAID),  # no payer named: the merchant bears it
        ("merchant", 6_000, "merchant:M1:deposit", 6_000),
        ("carrier", 6_000, "carrier:SF", 6_000),
        ("platform", None, "platform:fund", PAID),
    ],
)
def test_arbitration_refund_is_borne_by_the_payer_the_platform_named(
    douyin: PolicyBook,
    tmp_path: Path,
    store: str,
    payer: str | None,
    refund: int | None,
    account: str,
    amount: int,
) -> None:
    got = outcome(run(douyin, tmp_path, store, arbitration(payer, refund)))
    assert got.kinds() == {"granted": "refund_granted", "paid": "refund_paid"}
    _, at, result = got.decisions["order:O1:aftersales:A:granted"]
    assert at == T0 + 3 * HOUR
    assert result["payer"] == (payer or "merchant")
    assert got.ledger == {
        "refund:A:granted": tuple(
            sorted([(account, "CNY", -amount), ("refunds_payable:C1", "CNY", amount)])
        ),
        # the platform's decision is also the marketplace's word that the refund went out
        "refund:A:paid": (("consumer:C1", "CNY", amount), ("refunds_payable:C1", "CNY", -amount)),
    }
    assert got.outbox == {}  # already refunded: nobody is asked to pay it again


@pytest.mark.parametrize("store", ["memory", "sqlite"])
@pytest.mark.parametrize(
    ("reported", "paid"),
    [(None, PAID), (PAID, PAID), (4_000, 4_000), (PAID + 5_000, PAID)],
    ids=["no-amount", "in-full", "partial", "more-than-granted"],
)
def test_a_granted_refund_is_paid_only_when_the_marketplace_reports_it(
    douyin: PolicyBook, tmp_path: Path, store: str, reported: int | None, paid: int
) -> None:
    due = T0 + 48 * HOUR  # the merchant stays silent: the pack approves at its deadline
    with engine_on(store, douyin, tmp_path) as engine:
        ingest(engine, [*EV.order(T0 - 10 * HOUR), EV.requested("A", T0)])
        engine.tick(due)
        granted = outcome(engine)
        ingest(engine, [EV.resolved("A", due + 2 * HOUR, "refunded", "system", reported)])
        engine.tick(END)
        done = outcome(engine)
    assert granted.kinds() == {"granted": "refund_granted"}
    _, at, _ = granted.decisions["order:O1:aftersales:A:granted"]
    assert at == due
    assert granted.refunded() == 0  # granted, not paid: the consumer has nothing yet
    assert granted.refunded("refunds_payable:C1") == PAID
    (message,) = granted.outbox.values()
    assert message[0] == "refund.granted"
    assert message[1]["amount"] == {"amount": PAID, "currency": "CNY"}
    assert message[1]["decided_by"] == "system"
    assert done.kinds() == {"granted": "refund_granted", "paid": "refund_paid"}
    _, paid_at, _ = done.decisions["order:O1:aftersales:A:paid"]
    assert paid_at == due + 2 * HOUR
    assert done.refunded() == paid
    payable = sum(
        a for _, rows in done.ledger.items() for acc, _, a in rows if acc.startswith("ref")
    )
    assert payable == PAID - paid  # what the marketplace did not report stays owed


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_refund_the_marketplace_reports_on_its_own_is_granted_then_paid_once(
    douyin: PolicyBook, tmp_path: Path, store: str
) -> None:
    events = [
        *EV.order(T0 - 10 * HOUR),
        EV.requested("A", T0, "return_refund"),
        EV.responded("A", T0 + HOUR, "agree"),
        # the merchant refunds before the goods come back: its own agreement
        EV.resolved("A", T0 + 2 * HOUR, "refunded", "merchant", 7_000),
        EV.resolved("A", T0 + 3 * HOUR, "refunded", "merchant", 7_000),  # reported twice
        EV.return_shipped("A", T0 + 4 * HOUR),
    ]
    got = outcome(run(douyin, tmp_path, store, events[:3], events[3:]))
    assert got.kinds() == {"granted": "refund_granted", "paid": "refund_paid"}
    for what in ("granted", "paid"):
        _, at, _ = got.decisions[f"order:O1:aftersales:A:{what}"]
        assert at == T0 + 2 * HOUR
    assert got.refunded() == 7_000
    assert got.outbox == {}


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_an_orders_refunds_never_exceed_what_was_paid(
    douyin: PolicyBook, tmp_path: Path, store: str
) -> None:
    events = [
        *EV.order(T0 - 10 * HOUR),
        EV.requested("A", T0, amount=6_000),
        EV.requested("B", T0 + HOUR, amount=5_000),  # more than the 4,000 A leaves: refused
        EV.requested("C", T0 + 2 * HOUR, amount=4_000),
    ]
    # B and C arrive before A: the order of the requests, not of their arrival, decides
    got = outcome(run(douyin, tmp_path, store, events[:2] + events[3:], events[2:3]))
    assert set(got.decisions) == {
        "order:O1:aftersales:A:granted",
        "order:O1:aftersales:C:granted",
    }
    assert got.refunded("refunds_payable:C1") == PAID


def escalating_book(tmp: Path) -> PolicyBook:
    """Douyin's current pack with a merchant's silence escalating instead of approving."""
    source = Path(anxin.policy.__file__).parent / "packs/douyin/2026-08-10.yaml"
    text = source.read_text(encoding="utf-8")
    head, rest = text.split("    merchant_response:\n", 1)
    rest = rest.replace("on_timeout: approve", "on_timeout: escalate", 1)
    (tmp / "escalating.yaml").write_text(head + "    merchant_response:\n" + rest, "utf-8")
    return load_policy(tmp / "escalating.yaml")


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_merchant_clock_running_out_into_arbitration_counts_as_escalated(
    tmp_path: Path, store: str
) -> None:
    book = escalating_book(tmp_path)
    due = T0 + 48 * HOUR
    with engine_on(store, book, tmp_path) as engine:
        ingest(engine, [*EV.order(T0 - 10 * HOUR), EV.requested("A", T0)])
        engine.tick(due)
        with engine.store.transaction() as tx:
            state = tx.load_orders({"O1"})["O1"]
        got = outcome(engine)
    assert got.kinds() == {"escalated": "escalated"}
    _, at, _ = got.decisions["order:O1:aftersales:A:escalated"]
    assert at == due
    pack = book.in_force(T0)
    facts = pack.rule("score_facts")
    assert isinstance(facts, FactsConfig)
    row = order_row(state, pack, facts)
    assert row is not None
    assert row["escalated"] == 1
    assert state.aftersales[0].escalated_at is None  # no escalation event: the clock did it
