"""The violation rules (pure): a merchant's counters for a day, against the pack's numbers.

Each rule returns the facts that made it (counts, rates, the thresholds it compared them with),
so a notice explains itself and an appeal can check it. A rule judges a day once that day's
facts have settled (``EnforcementConfig.settle_days``); the weekly ticket rule judges a week on
its Sunday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from anxin.enforcement.config import (
    CountRule,
    EnforcementConfig,
    LateShopRule,
    LateTier,
    NegativeServiceRule,
    RefusalRule,
    ShareRule,
    TicketsRule,
)
from anxin.enforcement.facts import Day, MerchantFacts, window


@dataclass(frozen=True, slots=True)
class Found:
    """One violation: a merchant broke ``type`` (its ``tier``) on ``day`` (a week: Monday)."""

    merchant_id: str
    type: str
    tier: str
    day: dt.date
    ladder: str
    facts: dict[str, Any]

    @property
    def violation_id(self) -> str:
        tier = f":{self.tier}" if self.tier else ""
        return f"{self.merchant_id}:{self.type}{tier}:{self.day.isoformat()}"


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _share(found: int, whole: int, rule: ShareRule, what: str) -> dict[str, Any] | None:
    """Share strictly above ``share_over`` with at least ``min_orders`` counted."""
    if whole == 0 or found < rule.min_orders:
        return None
    if Decimal(found) / Decimal(whole) <= Decimal(str(rule.share_over)):
        return None
    return {what: found, "orders": whole, "share": _rate(found, whole),
            "share_over": rule.share_over, "min_orders": rule.min_orders}  # fmt: skip


def _count(found: int, rule: CountRule, what: str) -> dict[str, Any] | None:
    if found < rule.min_orders:
        return None
    return {what: found, "min_orders": rule.min_orders}


def judge_day(
    merchant_id: str,
    m: MerchantFacts,
    day: dt.date,
    config: EnforcementConfig,
    industry: dict[dt.date, Day],
    fired: dict[str, dt.date],
) -> list[Found]:
    """Every violation ``day`` completes for one merchant. ``fired`` holds each late-shipment
    tier's last violation day (a pattern over several days is not counted twice) and is
    updated."""
    d = m.days.get(day, Day())
    rules = config.violations
    out: list[Found] = []

    def found(type_: str, ladder: str, facts: dict[str, Any] | None, tier: str = "") -> None:
        if facts is not None:
            out.append(Found(merchant_id, type_, tier, day, ladder, facts))

    if (r := rules.malicious_non_delivery) is not None:
        facts = _count(d.non_delivery, r, "unshipped_unadmitted")
        if facts is not None and d.non_delivery <= Decimal(str(r.share_over)) * d.due:
            facts = None
        if facts is not None:
            facts.update(
                after_due_hours=r.after_due_hours,
                orders=d.due,
                share=_rate(d.non_delivery, d.due),
                share_over=r.share_over,
            )
        found("malicious_non_delivery", r.ladder, facts)
    if (s := rules.false_inventory) is not None:
        found("false_inventory", s.ladder, _share(d.out_of_stock, d.paid, s, "out_of_stock"))
    if (p := rules.false_promise) is not None:
        found("false_promise", p.ladder, _share(d.promise_broken, d.promised, p, "broken"))
    if (s := rules.trajectory_anomaly) is not None:
        found("trajectory_anomaly", s.ladder, _share(d.anomaly, d.shipped, s, "anomalous"))
    if (c := rules.fraud_shipping) is not None:
        found("fraud_shipping", c.ladder, _count(d.fraud, c, "fraud_orders"))
    if (late := rules.late_shipment_shop) is not None:
        hit = _late(m, day, late, fired)
        if hit is not None:
            tier, facts = hit
            found("late_shipment_shop", tier.ladder, facts, tier.id)
    if (n := rules.negative_service) is not None:
        hit2 = _negative(d, n)
        if hit2 is not None:
            found("negative_service", n.ladder, hit2[1], hit2[0])
    if (r2 := rules.unjustified_refusal) is not None:
        found("unjustified_refusal", r2.ladder, _refusal(m, day, r2, industry))
    if (tk := rules.overdue_tickets) is not None and day.weekday() == 6:
        monday = day - dt.timedelta(days=6)
        week = window(m.days, day, 7)
        hit3 = _tickets(week, tk)
        if hit3 is not None:
            tier3, facts3 = hit3
            out.append(Found(merchant_id, "overdue_tickets", tier3, monday, facts3.pop("ladder"),
                             facts3))  # fmt: skip
    return out


def _meets(d: Day, tier: LateTier) -> bool:
    if d.due == 0 or d.late < tier.min_late:
        return False
    rate = Decimal(d.late) / Decimal(d.due)
    limit = Decimal(str(tier.rate))
    return rate > limit if tier.strict else rate >= limit


def _late(
    m: MerchantFacts, day: dt.date, rule: LateShopRule, fired: dict[str, dt.date]
) -> tuple[LateTier, dict[str, Any]] | None:
    for tier in rule.tiers:  # the most severe first
        today = m.days.get(day, Day())
        if not _meets(today, tier):
            continue
        since = fired.get(tier.id)
        span = [day - dt.timedelta(days=i) for i in range(tier.within_days)]
        span = [x for x in span if since is None or x > since]
        met = [x for x in span if _meets(m.days.get(x, Day()), tier)]
        if len(met) < tier.days:
            continue
        fired[tier.id] = day
        return tier, {
            "days": [x.isoformat() for x in sorted(met)],
            "late": [m.days[x].late for x in sorted(met)],
            "due": [m.days[x].due for x in sorted(met)],
            "rate": tier.rate, "strict": tier.strict, "min_late": tier.min_late,
            "days_needed": tier.days, "within_days": tier.within_days,
        }  # fmt: skip
    return None


def _negative(d: Day, rule: NegativeServiceRule) -> tuple[str, dict[str, Any]] | None:
    average = d.response_seconds / d.rounds if d.rounds else 0.0
    facts = {"rounds": d.rounds, "average_seconds": round(average, 1),
             "average_over_seconds": rule.average_over_seconds, "min_rounds": rule.min_rounds,
             "sessions": d.sessions, "unanswered_sessions": d.unanswered,
             "unanswered_limit": rule.unanswered_sessions}  # fmt: skip
    if d.rounds >= rule.min_rounds and average > rule.average_over_seconds:
        return "slow_average", facts
    if d.unanswered >= rule.unanswered_sessions:
        return "unanswered_sessions", facts
    return None


def _refusal(
    m: MerchantFacts, day: dt.date, rule: RefusalRule, industry: dict[dt.date, Day]
) -> dict[str, Any] | None:
    d = m.days.get(day, Day())
    if d.unjustified < rule.min_refusals or d.responses == 0:
        return None
    # The industry without the merchant itself: a very big refuser must not raise its own bar.
    peers = window(industry, day, rule.industry_days)
    own = window(m.days, day, rule.industry_days)
    refusals, responses = peers.refusals - own.refusals, peers.responses - own.responses
    if responses <= 0:
        return None  # no peers answered anything: nothing to compare with
    industry_rate = Decimal(refusals) / Decimal(responses)
    rate = Decimal(d.refusals) / Decimal(d.responses)
    if rate <= Decimal(str(rule.times_industry)) * industry_rate:
        return None
    return {"unjustified_refusals": d.unjustified, "refusals": d.refusals,
            "responses": d.responses, "refusal_rate": _rate(d.refusals, d.responses),
            "industry_rate": round(float(industry_rate), 6),
            "times_industry": rule.times_industry, "min_refusals": rule.min_refusals,
            "industry_days": rule.industry_days}  # fmt: skip


def _tickets(week: Day, rule: TicketsRule) -> tuple[str, dict[str, Any]] | None:
    n, overdue = week.tickets, week.tickets_overdue
    for tier in rule.tiers:  # the most severe first
        many = n >= tier.min_tickets and Decimal(overdue) >= Decimal(str(tier.overdue_share)) * n
        few = n < tier.min_tickets and overdue >= tier.overdue_count
        if overdue and (many or few):
            return tier.id, {"ladder": tier.ladder, "tickets": n, "overdue": overdue,
                             "overdue_share": _rate(overdue, n), "min_tickets": tier.min_tickets,
                             "share_needed": tier.overdue_share, "count_needed":
                             tier.overdue_count, "response_hours": rule.response_hours}  # fmt: skip
    return None
