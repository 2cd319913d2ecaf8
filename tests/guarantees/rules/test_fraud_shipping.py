"""Fraud shipping is found from upheld after-sales evidence, paid once, clamped to 10..500."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.contract import events as ev
from anxin.domain.effects import Decision, Effect
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState, apply
from anxin.engine.processor import remember
from anxin.guarantees.rules.fraud_shipping import FraudShipping
from anxin.policy.pack import PolicyBook

CST = dt.timezone(dt.timedelta(hours=8))
PAID = dt.datetime(2026, 10, 5, 10, 0, tzinfo=CST)
RULE = FraudShipping()


def run(book: PolicyBook, reason: str, outcome: str, amount: int, times: int = 1) -> list[Effect]:
    return fold(book, reason, outcome, amount, times)[1]


def fold(
    book: PolicyBook, reason: str, outcome: str, amount: int, times: int = 1
) -> tuple[OrderState, list[Effect]]:
    money = ev.Money(amount, "CNY")
    item = ev.Item(sku="s", quantity=1, unit_price=money)
    placed = ev.OrderPlacedPayload(
        order_id="O", merchant_id="M", consumer_id="C", items=[item], amount=money
    )
    evs: list[ev.Event] = [
        ev.OrderPlaced(id="p", occurred_at=PAID, source="t", payload=placed),
        ev.OrderPaid(
            id="$",
            occurred_at=PAID,
            source="t",
            payload=ev.OrderPaidPayload(order_id="O", amount_paid=money),
        ),
    ]
    for n in range(times):
        at = PAID + dt.timedelta(days=3 + n)
        evs.append(
            ev.AfterSaleRequested(
                id=f"r{n}",
                occurred_at=at,
                source="t",
                payload=ev.AfterSaleRequestedPayload(
                    aftersale_id=f"A{n}",
                    order_id="O",
                    kind="refund_only",
                    reason=reason,
                    amount=money,
                ),
            )
        )
        evs.append(
            ev.AfterSaleResolved(
                id=f"z{n}",
                occurred_at=at + dt.timedelta(hours=5),
                source="t",
                payload=ev.AfterSaleResolvedPayload(
                    aftersale_id=f"A{n}", order_id="O", outcome=outcome, decided_by="platform"
                ),
            )
        )  # type: ignore[arg-type]
    state, out = OrderState("O"), []
    for e in evs:
        apply(state, e)
        if isinstance(e, RULE.event_types):
            out += remember(state, RULE.on_event(state, e, book))
    return state, out


@pytest.mark.parametrize(
    ("reason", "outcome", "amount", "paid"),
    [
        pytest.param("empty_parcel", "refunded", 30000, 9000, id="30pct-of-300"),
        pytest.param("wrong_item", "refunded", 2000, 1000, id="30pct-of-20-is-6-min-10"),
        pytest.param("short_quantity", "refunded", 200000, 50000, id="30pct-of-2000-max-500"),
        pytest.param("empty_parcel", "refused", 30000, None, id="not-upheld"),
        pytest.param("no_reason", "refunded", 30000, None, id="not-fraud-evidence"),
    ],
)
def test_fraud_shipping(
    book: PolicyBook, reason: str, outcome: str, amount: int, paid: int | None
) -> None:
    effects = run(book, reason, outcome, amount)
    payouts = [e.postings[1].amount.amount for e in effects if isinstance(e, LedgerTransaction)]
    assert payouts == ([] if paid is None else [paid])
    decisions = [e for e in effects if isinstance(e, Decision)]
    assert len(decisions) == (0 if paid is None else 1)


def test_found_once_per_order(book: PolicyBook) -> None:
    effects = run(book, "empty_parcel", "refunded", 30000, times=2)
    assert len([e for e in effects if isinstance(e, Decision)]) == 1


@pytest.mark.parametrize(
    ("outcome", "status", "explanation"),
    [
        ("refunded", "breached",
         "After-sale A0 (an empty parcel) was upheld at 15:00:00 on 8 October."),
        ("refused", "in_force",
         "In force: if what arrives has one of these problems, ask for an after-sale."),
    ],
)  # fmt: skip
def test_the_hall_shows_the_right_to_genuine_goods(
    book: PolicyBook, outcome: str, status: str, explanation: str
) -> None:
    state, _ = fold(book, "empty_parcel", outcome, 30000)
    (right,) = RULE.rights(state, book, PAID + dt.timedelta(days=10))
    assert (right.right_id, right.status, right.explanation.en) == (
        "genuine_goods",
        status,
        explanation,
    )
    assert right.title.en == (
        "If an after-sale for an empty parcel, a wrong item or a short quantity is upheld,"
        " you receive ¥90.00."
    )
    assert right.title.zh == "因空包、错发商品或少件申请售后并成立的，赔付¥90.00。"
