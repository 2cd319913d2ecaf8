"""Effects gathered during one batch (ingest or tick), deduplicated by their deterministic ids,
then written to the store in one go."""

from __future__ import annotations

from collections.abc import Iterable

from anxin.domain.effects import (
    CancelDeadline,
    CapClaim,
    Decision,
    Effect,
    OutboxMessage,
    ScheduleDeadline,
)
from anxin.domain.ledger import LedgerTransaction
from anxin.domain.order import OrderState
from anxin.engine.ports import StoreTx
from anxin.engine.shared_caps import apply_caps


class BatchEffects:
    """Effects gathered during one batch, deduplicated by their deterministic ids."""

    def __init__(self) -> None:
        self.decisions: dict[str, Decision] = {}
        self.ledger: dict[str, LedgerTransaction] = {}
        self.outbox: dict[str, OutboxMessage] = {}
        # Each deadline's latest schedule in this batch, and those whose last word was a cancel.
        # A schedule cancelled later in the same batch is still written, then cancelled, so the
        # rows do not depend on where batch boundaries fall.
        self.deadlines: dict[str, ScheduleDeadline] = {}
        self.cancelled: set[str] = set()
        self.claims: dict[tuple[str, str], CapClaim] = {}

    def add(self, effects: Iterable[Effect]) -> None:
        for e in effects:
            if isinstance(e, Decision):
                self.decisions.setdefault(e.decision_id, e)
            elif isinstance(e, LedgerTransaction):
                self.ledger.setdefault(e.key, e)
            elif isinstance(e, OutboxMessage):
                self.outbox.setdefault(e.message_id, e)
            elif isinstance(e, ScheduleDeadline):
                if e.replace or e.deadline_id not in self.deadlines:
                    self.deadlines[e.deadline_id] = e
                if e.replace:
                    self.cancelled.discard(e.deadline_id)
            elif isinstance(e, CancelDeadline):
                self.cancelled.add(e.deadline_id)
            elif isinstance(e, CapClaim):
                self.claims.setdefault((e.txn_key, e.cap_key), e)

    def apply_caps(self, tx: StoreTx, orders: dict[str, OrderState]) -> None:
        """Cut payouts to the room left under caps shared by several orders."""
        if self.claims:
            claims = list(self.claims.values())
            apply_caps(tx, claims, self.decisions, self.ledger, self.outbox, orders)

    def write(self, tx: StoreTx) -> int:
        tx.add_decisions(list(self.decisions.values()))
        conflicts = tx.post_ledger(list(self.ledger.values()))
        tx.add_outbox(list(self.outbox.values()))
        once = [d for d in self.deadlines.values() if not d.replace]
        watches = [d for d in self.deadlines.values() if d.replace]
        if once:
            tx.schedule(once, self.cancelled)
        if watches:
            tx.reschedule(watches, self.cancelled)
        if later := self.cancelled.difference(self.deadlines):  # those above went in cancelled
            tx.cancel(sorted(later))
        return conflicts
