from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anxin.domain.ledger import (
    DuplicateKeyConflict,
    Ledger,
    LedgerTransaction,
    Posting,
    UnbalancedTransaction,
    carrier,
    consumer,
    external,
    merchant_deposit,
    platform_fund,
    transfer,
)
from anxin.domain.money import Money, MoneyError

T0 = datetime(2025, 1, 6, 10, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))


def cny(fen: int) -> Money:
    return Money(fen, "CNY")


def usd(cents: int) -> Money:
    return Money(cents, "USD")


# -- account names ------------------------------------------------------------------


def test_account_names() -> None:
    assert merchant_deposit("m1") == "merchant:m1:deposit"
    assert consumer("c9") == "consumer:c9"
    assert carrier("SF") == "carrier:SF"
    assert platform_fund() == "platform:fund"
    assert external() == "external:world"


@pytest.mark.parametrize("bad", ["", "a:b"])
def test_account_ids_must_be_unambiguous(bad: str) -> None:
    with pytest.raises(ValueError, match="without ':'"):
        merchant_deposit(bad)
    with pytest.raises(ValueError, match="without ':'"):
        consumer(bad)


# -- balance validation -------------------------------------------------------------


@pytest.mark.parametrize(
    "postings",
    [
        (Posting("a", cny(-100)), Posting("b", cny(100))),
        (Posting("a", cny(-100)), Posting("b", cny(60)), Posting("c", cny(40))),
        (
            Posting("a", cny(-100)),
            Posting("b", cny(100)),
            Posting("a", usd(-7)),
            Posting("c", usd(7)),
        ),
        (Posting("a", cny(5)), Posting("a", cny(-5))),  # same account twice is legal
    ],
)
def test_balanced_transactions(postings: tuple[Posting, ...]) -> None:
    txn = LedgerTransaction("k", T0, "test", postings)
    assert txn.postings == postings


@pytest.mark.parametrize(
    ("postings", "error", "message"),
    [
        ((Posting("a", cny(-100)), Posting("b", cny(99))), UnbalancedTransaction, "-0.01 CNY"),
        (
            (Posting("a", cny(-100)), Posting("b", usd(100))),
            UnbalancedTransaction,
            "-1.00 CNY, 1.00 USD",
        ),
        (
            (
                Posting("a", cny(-100)),
                Posting("b", cny(100)),
                Posting("a", usd(-7)),
                Posting("c", usd(8)),
            ),
            UnbalancedTransaction,
            r"0\.01 USD",
        ),
        ((Posting("a", cny(100)),), UnbalancedTransaction, "at least two"),
        ((), UnbalancedTransaction, "at least two"),
        ((Posting("a", cny(0)), Posting("b", cny(0))), ValueError, "zero-amount"),
        (
            (Posting("a", cny(-1)), Posting("b", cny(1)), Posting("c", cny(0))),
            ValueError,
            "zero-amount",
        ),
    ],
)
def test_invalid_transactions(
    postings: tuple[Posting, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        LedgerTransaction("k", T0, "test", postings)


def test_unbalanced_is_value_error() -> None:
    assert issubclass(UnbalancedTransaction, ValueError)
    assert issubclass(DuplicateKeyConflict, ValueError)


def test_transaction_field_validation() -> None:
    legs = (Posting("a", cny(-1)), Posting("b", cny(1)))
    with pytest.raises(ValueError, match="key"):
        LedgerTransaction("", T0, "test", legs)
    with pytest.raises(ValueError, match="timezone-aware"):
        LedgerTransaction("k", datetime(2025, 1, 6), "test", legs)  # noqa: DTZ001
    with pytest.raises(ValueError, match="account"):
        Posting("", cny(1))


# -- transfer -----------------------------------------------------------------------


def test_transfer_moves_money_from_debit_to_credit() -> None:
    txn = transfer(
        "late-ship:o1",
        debit=merchant_deposit("m1"),
        credit=consumer("c1"),
        amount=cny(300),
        occurred_at=T0,
        reason="late_shipment",
        explanation={"rule": "ship-by-48h", "percent": "30"},
    )
    assert txn.postings == (
        Posting("merchant:m1:deposit", cny(-300)),
        Posting("consumer:c1", cny(300)),
    )
    assert txn.explanation["rule"] == "ship-by-48h"
    with pytest.raises(TypeError):
        txn.explanation["rule"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("amount", [cny(0), cny(-1)])
def test_transfer_amount_must_be_positive(amount: Money) -> None:
    with pytest.raises(MoneyError, match="positive"):
        transfer("k", debit="a", credit="b", amount=amount, occurred_at=T0, reason="r")


def test_transfer_to_self_rejected() -> None:
    with pytest.raises(ValueError, match="itself"):
        transfer("k", debit="a", credit="a", amount=cny(1), occurred_at=T0, reason="r")


# -- fingerprint & idempotency ------------------------------------------------------


def _txn(**overrides: object) -> LedgerTransaction:
    args: dict[str, object] = {
        "key": "k1",
        "debit": "a",
        "credit": "b",
        "amount": cny(100),
        "occurred_at": T0,
        "reason": "r",
    }
    args.update(overrides)
    return transfer(**args)  # type: ignore[arg-type]


def test_fingerprint_is_stable_and_ignores_explanation_zone_and_order() -> None:
    base = _txn()
    assert base.fingerprint() == _txn().fingerprint()
    assert len(base.fingerprint()) == 64
    assert base.fingerprint() == _txn(explanation={"why": "retry"}).fingerprint()
    assert base.fingerprint() == _txn(occurred_at=T0.astimezone(SHANGHAI)).fingerprint()
    reordered = LedgerTransaction("k1", T0, "r", tuple(reversed(base.postings)))
    assert reordered.fingerprint() == base.fingerprint()


@pytest.mark.parametrize(
    "overrides",
    [
        {"key": "k2"},
        {"amount": cny(101)},
        {"amount": usd(100)},
        {"debit": "c"},
        {"credit": "c"},
        {"reason": "other"},
        {"occurred_at": T0 + timedelta(seconds=1)},
    ],
)
def test_fingerprint_changes_with_content(overrides: dict[str, object]) -> None:
    assert _txn(**overrides).fingerprint() != _txn().fingerprint()


def test_post_is_idempotent() -> None:
    ledger = Ledger()
    assert ledger.post(_txn()) is True
    assert ledger.post(_txn()) is False
    assert ledger.post(_txn(explanation={"note": "re-rendered"})) is False
    assert ledger.balance("a", "CNY") == cny(-100)
    assert ledger.balance("b", "CNY") == cny(100)
    assert len(ledger.transactions()) == 1


@pytest.mark.parametrize(
    "overrides",
    [{"amount": cny(101)}, {"credit": "c"}, {"reason": "x"}, {"occurred_at": T0 + timedelta(1)}],
)
def test_same_key_different_content_conflicts(overrides: dict[str, object]) -> None:
    ledger = Ledger()
    ledger.post(_txn())
    with pytest.raises(DuplicateKeyConflict, match="k1"):
        ledger.post(_txn(**overrides))
    assert ledger.balance("b", "CNY") == cny(100)  # the conflicting post changed nothing
    assert len(ledger.transactions()) == 1


def test_ledger_balances_and_totals() -> None:
    ledger = Ledger()
    deposit, buyer = merchant_deposit("m1"), consumer("c1")
    ledger.post(_txn(key="topup", debit=external(), credit=deposit, amount=cny(10_000)))
    ledger.post(_txn(key="comp", debit=deposit, credit=buyer, amount=cny(300)))
    ledger.post(_txn(key="usd", debit=external(), credit=platform_fund(), amount=usd(5)))
    assert ledger.balance(deposit, "CNY") == cny(9_700)
    assert ledger.balance(buyer, "CNY") == cny(300)
    assert ledger.balance(external(), "CNY") == cny(-10_000)
    assert ledger.balance(buyer, "USD") == usd(0)
    assert ledger.balance("never-seen", "JPY") == Money(0, "JPY")
    assert ledger.total("CNY") == cny(0)
    assert ledger.total("USD") == usd(0)
    assert ledger.balances() == {
        (external(), "CNY"): cny(-10_000),
        (deposit, "CNY"): cny(9_700),
        (buyer, "CNY"): cny(300),
        (external(), "USD"): usd(-5),
        (platform_fund(), "USD"): usd(5),
    }
    assert [t.key for t in ledger.transactions()] == ["topup", "comp", "usd"]


# -- properties ---------------------------------------------------------------------

ACCOUNTS = st.sampled_from(
    [
        merchant_deposit("m1"),
        merchant_deposit("m2"),
        consumer("c1"),
        carrier("SF"),
        platform_fund(),
        external(),
    ]
)
CURRENCIES = st.sampled_from(["CNY", "USD", "JPY"])


@st.composite
def transfers(draw: st.DrawFn) -> tuple[str, str, Money, str]:
    debit = draw(ACCOUNTS)
    credit = draw(ACCOUNTS.filter(lambda a: a != debit))
    amount = Money(draw(st.integers(1, 10**9)), draw(CURRENCIES))
    return debit, credit, amount, draw(st.sampled_from(["k0", "k1", "k2", "k3", "fresh"]))


@given(st.lists(transfers(), max_size=40))
def test_random_transfers_keep_books_balanced(moves: list[tuple[str, str, Money, str]]) -> None:
    ledger = Ledger()
    for i, (debit, credit, amount, key_hint) in enumerate(moves):
        # Reuse a few keys so idempotent replays and conflicts are exercised too.
        key = f"t{i}" if key_hint == "fresh" else key_hint
        txn = transfer(
            key, debit=debit, credit=credit, amount=amount, occurred_at=T0, reason="prop"
        )
        with contextlib.suppress(DuplicateKeyConflict):
            ledger.post(txn)
    expected: defaultdict[tuple[str, str], int] = defaultdict(int)
    for txn in ledger.transactions():
        for p in txn.postings:
            expected[p.account, p.amount.currency] += p.amount.amount
    for currency in ("CNY", "USD", "JPY"):
        assert ledger.total(currency) == Money(0, currency)
    assert {k: v.amount for k, v in ledger.balances().items()} == dict(expected)
    for (account, currency), fen in expected.items():
        assert ledger.balance(account, currency) == Money(fen, currency)
    keys = [t.key for t in ledger.transactions()]
    assert len(keys) == len(set(keys))
