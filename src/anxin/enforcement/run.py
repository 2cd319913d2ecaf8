"""The enforcement run: judge every settled day, record new violations with their measures,
lift what expired or was cured, and tell the merchant through the outbox.

Run it daily (``anxin violations run``); it is idempotent. Violation ids derive from (merchant,
type, tier, day), measure ids from the violation and the rung's position, ledger keys and
message ids from those: a second run, or a crashed one run again, records and moves nothing
twice. A violation an upheld appeal reverted keeps its row (``reverted``) so it is never
recorded again, and no longer counts toward later rungs.

Money: a deposit deduction moves the merchant's deposit to ``platform:penalties``; a settlement
freeze moves the amount from ``merchant:<id>:settlement`` to ``merchant:<id>:frozen`` and back
when it lifts. A measure the marketplace must execute (caps, listing bans, suspension …) leaves
as an ``enforcement.measure`` message; anxin's own privileges read the ``measures`` table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from anxin.clock import from_us, to_us
from anxin.domain import ledger
from anxin.domain.effects import OutboxMessage
from anxin.domain.money import Money
from anxin.domain.wording import Text
from anxin.enforcement.config import SECTION, EnforcementConfig
from anxin.enforcement.facts import MerchantDays, industry_days
from anxin.enforcement.ladder import counted, period_of
from anxin.enforcement.measures import Imposed, impose, next_midnight
from anxin.enforcement.notices import measure_notice, violation_notice
from anxin.enforcement.project import merchant_days
from anxin.enforcement.rectification import open_plans, open_score_plans, track_plans
from anxin.enforcement.violations import Found, judge_day
from anxin.policy.pack import PolicyBook, PolicyPack
from anxin.store import schema as t
from anxin.store.sql import SqlStore, SqlTx

PENALTIES = "platform:penalties"


def settlement(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:settlement"


def frozen(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:frozen"


@dataclass
class RunReport:
    through: dt.date | None = None
    violations: int = 0
    measures: int = 0
    lifted: int = 0
    plans_opened: int = 0
    plans_closed: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def config_of(pack: PolicyPack) -> EnforcementConfig:
    config: EnforcementConfig | None = pack.rule(SECTION)
    if config is None:
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{SECTION}")
    return config


def run(
    sql: sa.Engine, book: PolicyBook, now: dt.datetime, *, facts: MerchantDays | None = None
) -> RunReport:
    """``facts``: the counters to judge (default: read from the store as of ``now``)."""
    pack = book.in_force(now)
    config = config_of(pack)
    zone = pack.calendar.zone
    through = now.astimezone(zone).date() - dt.timedelta(days=config.settle_days + 1)
    if facts is None:
        facts = merchant_days(sql, book, config, now)
    report = RunReport(through=through)
    known, earlier = _recorded(sql)
    found = judge(facts, config, through)
    store = SqlStore(sql)
    with store.transaction() as tx:
        for f in found:
            if f.violation_id in known:
                continue
            nth = counted(f.day, earlier[(f.merchant_id, f.type)], config.counting)
            earlier[(f.merchant_id, f.type)].append(f.day)
            imposed = impose(f, nth, config.ladder(f.ladder, nth), facts[f.merchant_id], now,
                             pack.currency)  # fmt: skip
            _record(tx, f, nth, imposed, pack, config, now)
            report.violations += 1
            report.measures += len(imposed)
            report.by_type[f.type] = report.by_type.get(f.type, 0) + 1
        report.plans_opened = open_plans(tx, found, known, config, now, pack)
        report.plans_opened += open_score_plans(tx, config, through, now, pack)
        report.plans_closed = track_plans(tx, facts, config, through, now, pack)
        report.lifted = _lift(tx, facts, now, pack)
    return report


def judge(facts: MerchantDays, config: EnforcementConfig, through: dt.date) -> list[Found]:
    """Every violation on the days up to ``through``, merchant by merchant, day by day."""
    industries = industry_days(facts)
    out: list[Found] = []
    for merchant_id in sorted(facts):
        m = facts[merchant_id]
        fired: dict[str, dt.date] = {}
        days = sorted(d for d in m.days if d <= through)
        if not days:
            continue
        day = days[0]
        while day <= through:
            out += judge_day(merchant_id, m, day, config, industries.get(m.industry, {}), fired)
            day += dt.timedelta(days=1)
    return out


def _recorded(sql: sa.Engine) -> tuple[set[str], dict[tuple[str, str], list[dt.date]]]:
    """Ids of every recorded violation; the active ones' days per (merchant, type)."""
    known: set[str] = set()
    earlier: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    v = t.violations.c
    with sql.connect() as conn:
        for vid, merchant, type_, day, status in conn.execute(
            sa.select(v.violation_id, v.merchant_id, v.type, v.day, v.status)
        ):
            known.add(vid)
            if status == "active":
                earlier[(merchant, type_)].append(dt.date.fromisoformat(day))
    return known, earlier


def _record(
    tx: SqlTx,
    f: Found,
    nth: int,
    imposed: list[Imposed],
    pack: PolicyPack,
    config: EnforcementConfig,
    now: dt.datetime,
) -> None:
    zone = pack.calendar.zone
    period = period_of(f.day, config.counting)
    appeal_by = now + dt.timedelta(days=config.appeals.file_within_days)
    notice = violation_notice(f, nth, period, appeal_by, zone)
    explanation = {
        "rule_id": f"{SECTION}.{f.type}", "tier": f.tier, "ladder": f.ladder, "rung": nth,
        "facts": f.facts, "notice": {"zh": notice.zh, "en": notice.en},
    }  # fmt: skip
    tx.add_ignoring_repeats(
        t.violations,
        [{"violation_id": f.violation_id, "merchant_id": f.merchant_id, "type": f.type,
          "tier": f.tier, "day": f.day.isoformat(), "nth": nth, "period": period,
          "status": "active", "noticed_at_us": to_us(now), "appeal_by_us": to_us(appeal_by),
          "pack": pack.name, "pack_version": pack.version,
          "explanation": json.dumps(explanation, ensure_ascii=False, sort_keys=True)}],
    )  # fmt: skip
    key = f"merchant:{f.merchant_id}"
    messages = [
        OutboxMessage(
            message_id=f"{f.violation_id}:notice",
            topic="enforcement.violation",
            aggregate_key=key,
            created_at=now,
            body={"violation_id": f.violation_id, "merchant_id": f.merchant_id, "type": f.type,
                  "tier": f.tier, "day": f.day.isoformat(), "nth": nth, "period": period,
                  "facts": f.facts, "measures": [m.measure_id for m in imposed],
                  "notice": {"zh": notice.zh, "en": notice.en},
                  "appeal_by": appeal_by.isoformat(), "pack": pack.name,
                  "version": pack.version},
        )
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    txns: list[ledger.LedgerTransaction] = []
    for m in imposed:
        words = measure_notice(m, zone)
        rows.append(
            {"measure_id": m.measure_id, "violation_id": m.violation_id,
             "merchant_id": m.merchant_id, "kind": m.kind, "starts_at_us": to_us(m.starts_at),
             "ends_at_us": to_us(m.ends_at) if m.ends_at else None, "lift": m.lift,
             "amount": _stored_amount(m),
             "currency": m.amount.currency if m.amount else None,
             "status": "active" if m.lasting else "done", "lifted_at_us": None,
             "explanation": _measure_explanation(m, words, f, pack)}
        )  # fmt: skip
        body: dict[str, Any] = {
            "measure_id": m.measure_id, "violation_id": m.violation_id,
            "merchant_id": m.merchant_id, "kind": m.kind, "starts_at": m.starts_at.isoformat(),
            "lift": m.lift, "notice": {"zh": words.zh, "en": words.en},
        }  # fmt: skip
        if m.ends_at is not None:
            body["ends_at"] = m.ends_at.isoformat()
        if m.amount is not None:
            body["amount"] = m.amount.to_dict()
        if m.orders_per_day is not None:
            body["orders_per_day"] = m.orders_per_day
        if m.deduction is not None:
            body["deduction"] = m.deduction
        messages.append(OutboxMessage(f"{m.measure_id}:imposed", "enforcement.measure", key, now,
                                      body))  # fmt: skip
        txns += _money(m, now)
    tx.add_ignoring_repeats(t.measures, rows)
    tx.post_ledger(txns)
    tx.add_outbox(messages)


def _measure_explanation(m: Imposed, words: Text, f: Found, pack: PolicyPack) -> str:
    return json.dumps(
        {"basis": m.basis, "deduction": m.deduction, "notice": {"zh": words.zh, "en": words.en},
         "rule_id": f"{SECTION}.{f.type}", "pack": pack.name, "version": pack.version},
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip


def _stored_amount(m: Imposed) -> int | None:
    """Minor units for money, orders per day for a cap (0 is a cap)."""
    if m.amount is not None:
        return m.amount.amount
    return m.orders_per_day


def _money(m: Imposed, now: dt.datetime) -> list[ledger.LedgerTransaction]:
    if m.amount is None:
        return []
    why = {"measure_id": m.measure_id, "violation_id": m.violation_id, **m.basis}
    if m.kind == "deposit_deduction":
        return [ledger.transfer(f"enforcement:{m.measure_id}", debit=ledger.merchant_deposit(
            m.merchant_id), credit=PENALTIES, amount=m.amount, occurred_at=now,
            reason="enforcement.deposit_deduction", explanation=why)]  # fmt: skip
    if m.kind == "settlement_freeze":
        return [
            ledger.transfer(
                f"enforcement:{m.measure_id}", debit=settlement(m.merchant_id),
                credit=frozen(m.merchant_id), amount=m.amount, occurred_at=now,
                reason="enforcement.settlement_freeze", explanation=why,
            )
        ]  # fmt: skip
    return []


def release(measure_id: str, merchant_id: str, kind: str, amount: Money | None,
            at: dt.datetime, why: str) -> list[ledger.LedgerTransaction]:  # fmt: skip
    """Undo a measure's money: a freeze is released; a deduction is returned only when an
    upheld appeal reverts it (``why`` = appeal_upheld)."""
    if amount is None or amount.amount <= 0:
        return []
    if kind == "settlement_freeze":
        return [ledger.transfer(f"enforcement:{measure_id}:release", debit=frozen(merchant_id),
                                credit=settlement(merchant_id), amount=amount, occurred_at=at,
                                reason=f"enforcement.release.{why}")]  # fmt: skip
    if kind == "deposit_deduction" and why == "appeal_upheld":
        return [
            ledger.transfer(
                f"enforcement:{measure_id}:refund", debit=PENALTIES,
                credit=ledger.merchant_deposit(merchant_id), amount=amount, occurred_at=at,
                reason="enforcement.refund.appeal_upheld",
            )
        ]  # fmt: skip
    return []


def lifted_message(row: Any, at: dt.datetime, why: str) -> OutboxMessage:
    body = {"measure_id": row.measure_id, "violation_id": row.violation_id,
            "merchant_id": row.merchant_id, "kind": row.kind, "lifted_at": at.isoformat(),
            "why": why}  # fmt: skip
    listing = _listing_of(getattr(row, "explanation", None))
    if listing is not None:
        body["listing_id"] = listing
    return OutboxMessage(f"{row.measure_id}:lifted", "enforcement.measure_lifted",
                         f"merchant:{row.merchant_id}", at, body)  # fmt: skip


def _listing_of(explanation: str | None) -> str | None:
    """The listing a measure acts on (post-sale feedback's), for the marketplace to restore."""
    if not explanation:
        return None
    listing = json.loads(explanation).get("listing_id")
    return str(listing) if listing is not None else None


def _lift(tx: SqlTx, facts: MerchantDays, now: dt.datetime, pack: PolicyPack) -> int:
    """Expired measures, and late-shipment measures cured (their overdue orders picked up)."""
    c = t.measures.c
    v = t.violations.c
    rows = tx.conn.execute(
        sa.select(c.measure_id, c.violation_id, c.merchant_id, c.kind, c.ends_at_us, c.lift,
                  c.amount, c.currency, c.explanation, v.type, v.day)
        .join(t.violations, v.violation_id == c.violation_id)
        .where(c.status == "active", c.lift.in_(["expiry", "cured"]))
    ).all()  # fmt: skip
    lifted = 0
    for r in rows:
        at: dt.datetime | None = None
        why = "expired"
        if r.ends_at_us is not None and r.ends_at_us <= to_us(now):
            at = from_us(r.ends_at_us)
        elif r.lift == "cured" and r.type == "late_shipment_shop":
            m = facts.get(r.merchant_id)
            cure = m.cured_at(dt.date.fromisoformat(r.day)) if m is not None else None
            if cure is not None:
                at, why = next_midnight(cure, pack.calendar.zone), "cured"
                if at > now or (r.ends_at_us is not None and to_us(at) >= r.ends_at_us):
                    at = None
        if at is None:
            continue
        lift_measure(tx, r, at, why)
        lifted += 1
    return lifted


def lift_measure(tx: SqlTx, r: Any, at: dt.datetime, why: str) -> None:
    c = t.measures.c
    status = "reverted" if why == "appeal_upheld" else "lifted"
    tx.conn.execute(
        sa.update(t.measures)
        .where(c.measure_id == r.measure_id)
        .values(status=status, lifted_at_us=to_us(at))
    )
    amount = Money(int(r.amount), r.currency) if r.currency and r.amount else None
    tx.post_ledger(release(r.measure_id, r.merchant_id, r.kind, amount, at, why))
    tx.add_outbox([lifted_message(r, at, why)])
