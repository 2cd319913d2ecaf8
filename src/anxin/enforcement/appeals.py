"""Appeals: filed within the pack's natural days of the notice, decided within its working days
on the business calendar (§5.1: 7 and 5); the measures stay in force meanwhile.

An upheld appeal reverts everything the violation reached: the violation no longer counts, its
lasting measures end at once (``reverted``), a deduction is paid back and a freeze released in
the ledger, and anxin's privileges (which read measures in force) come back on their next
evaluation. Each step is a row or a ledger transaction with its own key: the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.domain.calendar import BusinessCalendar
from anxin.domain.effects import OutboxMessage
from anxin.domain.money import Money
from anxin.enforcement.config import AppealRules
from anxin.enforcement.run import config_of, lift_measure, release
from anxin.policy.pack import PolicyBook
from anxin.store import schema as t
from anxin.store.sql import SqlStore


class AppealRefused(ValueError):
    """Why an appeal cannot be filed or decided. ``code``: ``not_found``, ``reverted`` (the
    violation no longer stands), ``late`` (the filing window closed), ``already_appealed``,
    ``already_decided``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def decide_by(filed_at: dt.datetime, rules: AppealRules, calendar: BusinessCalendar) -> dt.datetime:
    """The end of the last working day the platform has to answer (the filing instant's time
    of day ``decide_within_working_days`` working days later, then to that day's end)."""
    due = calendar.add_working_days(filed_at, rules.decide_within_working_days)
    return calendar.end_of_day(due)


def may_file(noticed_at: dt.datetime, appeal_by: dt.datetime, at: dt.datetime) -> bool:
    """From the notice to ``appeal_by`` inclusive."""
    return noticed_at <= at <= appeal_by


@dataclass(frozen=True)
class Filed:
    appeal_id: str
    violation_id: str
    decide_by: dt.datetime


def file_appeal(
    sql: sa.Engine, book: PolicyBook, violation_id: str, merchant_id: str, reason: str,
    at: dt.datetime,
) -> Filed:  # fmt: skip
    """File the merchant's appeal against its violation (one per violation)."""
    v = t.violations.c
    with SqlStore(sql).transaction() as tx:
        row = tx.conn.execute(
            sa.select(v.merchant_id, v.noticed_at_us, v.appeal_by_us, v.status, v.pack)
            .where(v.violation_id == violation_id)
        ).first()  # fmt: skip
        if row is None or row.merchant_id != merchant_id:
            raise AppealRefused(
                f"no violation {violation_id!r} of merchant {merchant_id!r}", "not_found"
            )
        if row.status != "active":
            raise AppealRefused(f"violation {violation_id} is {row.status}", "reverted")
        noticed, by = from_us(row.noticed_at_us), from_us(row.appeal_by_us)
        if not may_file(noticed, by, at):
            raise AppealRefused(
                f"appeals against {violation_id} were open from {noticed.isoformat()} "
                f"to {by.isoformat()}; it is {at.isoformat()}",
                "late",
            )
        a = t.appeals.c
        existing = tx.conn.execute(
            sa.select(a.appeal_id).where(a.violation_id == violation_id)
        ).first()
        if existing is not None:
            raise AppealRefused(
                f"violation {violation_id} already has appeal {existing[0]}", "already_appealed"
            )
        pack = book.in_force(at)
        due = decide_by(at, config_of(pack).appeals, pack.calendar)
        appeal_id = f"{violation_id}:appeal"
        tx.add_ignoring_repeats(
            t.appeals,
            [{"appeal_id": appeal_id, "violation_id": violation_id, "merchant_id": merchant_id,
              "filed_at_us": to_us(at), "decide_by_us": to_us(due), "status": "filed",
              "reason": reason, "decided_at_us": None, "decided_by": None, "decision": None}],
        )  # fmt: skip
    return Filed(appeal_id, violation_id, due)


def decide_appeal(
    sql: sa.Engine, appeal_id: str, *, upheld: bool, decided_by: str, decision: str,
    at: dt.datetime,
) -> list[str]:  # fmt: skip
    """Decide a filed appeal; upheld, revert the violation. Returns the measures reverted."""
    a = t.appeals.c
    c = t.measures.c
    reverted: list[str] = []
    with SqlStore(sql).transaction() as tx:
        row = tx.conn.execute(sa.select(t.appeals).where(a.appeal_id == appeal_id)).first()
        if row is None:
            raise AppealRefused(f"no appeal {appeal_id!r}", "not_found")
        if row.status != "filed":
            raise AppealRefused(
                f"appeal {appeal_id} was already decided ({row.status})", "already_decided"
            )
        tx.conn.execute(
            sa.update(t.appeals).where(a.appeal_id == appeal_id).values(
                status="upheld" if upheld else "rejected", decided_at_us=to_us(at),
                decided_by=decided_by, decision=decision)
        )  # fmt: skip
        if upheld:
            tx.conn.execute(
                sa.update(t.violations)
                .where(t.violations.c.violation_id == row.violation_id)
                .values(status="reverted")
            )
            for m in tx.conn.execute(
                sa.select(c.measure_id, c.violation_id, c.merchant_id, c.kind, c.amount,
                          c.currency, c.status, c.explanation)
                .where(c.violation_id == row.violation_id)
            ).all():  # fmt: skip
                reverted.append(m.measure_id)
                if m.status == "active":
                    lift_measure(tx, m, at, "appeal_upheld")
                    continue
                # Lifted or one-off: a deduction still comes back (a lifted freeze was already
                # released), and its row is marked.
                amount = Money(int(m.amount), m.currency) if m.currency and m.amount else None
                if m.kind == "deposit_deduction":
                    tx.post_ledger(release(m.measure_id, m.merchant_id, m.kind, amount, at,
                                           "appeal_upheld"))  # fmt: skip
                tx.conn.execute(
                    sa.update(t.measures).where(c.measure_id == m.measure_id)
                    .values(status="reverted")
                )  # fmt: skip
        tx.add_outbox(
            [OutboxMessage(
                f"{appeal_id}:decided", "enforcement.appeal_decided",
                f"merchant:{row.merchant_id}", at,
                {"appeal_id": appeal_id, "violation_id": row.violation_id,
                 "merchant_id": row.merchant_id, "upheld": upheld, "decided_at": at.isoformat(),
                 "decision": decision, "reverted": reverted},
            )]
        )  # fmt: skip
    return reverted
