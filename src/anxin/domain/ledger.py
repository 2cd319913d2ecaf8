"""Pure double-entry ledger.

Every movement of money is a transaction whose postings sum to zero per currency,
so money is never created or destroyed inside the system; it only enters or leaves
through ``external:world``. Transactions carry an idempotency key so that replaying
the same event (retries, crash recovery) can never pay a consumer twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from anxin.domain.calendar import require_aware
from anxin.domain.money import Money, MoneyError

__all__ = [
    "DuplicateKeyConflict",
    "Ledger",
    "LedgerTransaction",
    "Posting",
    "UnbalancedTransaction",
    "carrier",
    "consumer",
    "external",
    "merchant_deposit",
    "platform_fund",
    "refunds_payable",
    "transfer",
]


class UnbalancedTransaction(ValueError):
    """Postings of a transaction do not sum to zero in some currency."""


class DuplicateKeyConflict(ValueError):
    """An idempotency key was reused for a transaction with different content."""


# -- account names ------------------------------------------------------------------


def _id(value: str, what: str) -> str:
    # Colons separate name segments; allowing them in ids would make names ambiguous.
    if not isinstance(value, str) or not value or ":" in value:
        raise ValueError(f"{what} must be a non-empty string without ':', got {value!r}")
    return value


def merchant_deposit(merchant_id: str) -> str:
    return f"merchant:{_id(merchant_id, 'merchant_id')}:deposit"


def consumer(consumer_id: str) -> str:
    return f"consumer:{_id(consumer_id, 'consumer_id')}"


def refunds_payable(consumer_id: str) -> str:
    """Refunds granted to a consumer and not yet reported paid by the marketplace (a granted
    refund is not a paid one); deliberately not under ``consumer:``, whose balance is paid."""
    return f"refunds_payable:{_id(consumer_id, 'consumer_id')}"


def carrier(code: str) -> str:
    return f"carrier:{_id(code, 'carrier code')}"


def platform_fund() -> str:
    return "platform:fund"


def external() -> str:
    """Money entering or leaving the system (deposit top-ups, payouts)."""
    return "external:world"


# -- transactions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posting:
    """Signed change to one account: positive increases its balance."""

    account: str
    amount: Money

    def __post_init__(self) -> None:
        if not isinstance(self.account, str) or not self.account:
            raise ValueError(f"account must be a non-empty string, got {self.account!r}")
        if not isinstance(self.amount, Money):
            raise TypeError(f"amount must be Money, got {type(self.amount).__name__}")


def _frozen_mapping(value: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class LedgerTransaction:
    """A balanced set of postings, identified by an idempotency key.

    ``explanation`` records why (rule, inputs, policy version) for humans and audits;
    it is excluded from the fingerprint and from hashing so that re-rendering an
    explanation never turns a retry into a conflict.
    """

    key: str
    occurred_at: datetime
    reason: str
    postings: tuple[Posting, ...]
    explanation: Mapping[str, object] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("transaction key must be a non-empty string")
        require_aware(self.occurred_at, "occurred_at")
        if not isinstance(self.reason, str):
            raise TypeError(f"reason must be a string, got {type(self.reason).__name__}")
        postings = tuple(self.postings)
        object.__setattr__(self, "postings", postings)
        object.__setattr__(self, "explanation", _frozen_mapping(self.explanation))
        if len(postings) < 2:
            raise UnbalancedTransaction(f"{self.key}: needs at least two postings")
        sums: dict[str, int] = {}
        for p in postings:
            if not isinstance(p, Posting):
                raise TypeError(f"{self.key}: postings must be Posting objects")
            if p.amount.amount == 0:
                raise ValueError(f"{self.key}: zero-amount posting to {p.account}")
            sums[p.amount.currency] = sums.get(p.amount.currency, 0) + p.amount.amount
        if off := {c: s for c, s in sums.items() if s}:
            detail = ", ".join(str(Money(s, c)) for c, s in sorted(off.items()))
            raise UnbalancedTransaction(f"{self.key}: postings do not balance: {detail}")

    def fingerprint(self) -> str:
        """Stable sha256 of key, UTC time, reason and postings (order-insensitive)."""
        canonical = {
            "key": self.key,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "reason": self.reason,
            "postings": sorted(
                [p.account, p.amount.currency, p.amount.amount] for p in self.postings
            ),
        }
        blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def transfer(
    key: str,
    *,
    debit: str,
    credit: str,
    amount: Money,
    occurred_at: datetime,
    reason: str,
    explanation: Mapping[str, object] | None = None,
) -> LedgerTransaction:
    """Move ``amount`` (> 0) out of account ``debit`` into account ``credit``."""
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise MoneyError(f"transfer amount must be positive Money, got {amount!r}")
    if debit == credit:
        raise ValueError(f"transfer from {debit!r} to itself")
    return LedgerTransaction(
        key=key,
        occurred_at=occurred_at,
        reason=reason,
        postings=(Posting(debit, -amount), Posting(credit, amount)),
        explanation=_frozen_mapping(explanation),
    )


class Ledger:
    """In-memory ledger; also the reference fake for the persistent store."""

    def __init__(self) -> None:
        self._transactions: list[LedgerTransaction] = []
        self._fingerprints: dict[str, str] = {}
        self._balances: dict[tuple[str, str], int] = {}

    def post(self, txn: LedgerTransaction) -> bool:
        """Apply ``txn``; False if this exact transaction was already posted.

        Raises DuplicateKeyConflict if the key was used for different content.
        """
        if not isinstance(txn, LedgerTransaction):
            raise TypeError(f"expected LedgerTransaction, got {type(txn).__name__}")
        fingerprint = txn.fingerprint()
        existing = self._fingerprints.get(txn.key)
        if existing is not None:
            if existing == fingerprint:
                return False
            raise DuplicateKeyConflict(f"key {txn.key!r} already posted with different content")
        self._fingerprints[txn.key] = fingerprint
        self._transactions.append(txn)
        for p in txn.postings:
            slot = (p.account, p.amount.currency)
            self._balances[slot] = self._balances.get(slot, 0) + p.amount.amount
        return True

    def balance(self, account: str, currency: str) -> Money:
        return Money(self._balances.get((account, currency), 0), currency)

    def balances(self) -> dict[tuple[str, str], Money]:
        """Every (account, currency) ever touched, including ones back at zero."""
        return {(a, c): Money(v, c) for (a, c), v in self._balances.items()}

    def transactions(self) -> tuple[LedgerTransaction, ...]:
        """Posted transactions in posting order."""
        return tuple(self._transactions)

    def total(self, currency: str) -> Money:
        """Sum of all balances in ``currency``; zero by construction (the invariant)."""
        return Money(sum(v for (_, c), v in self._balances.items() if c == currency), currency)
