"""A post-sale feedback action recorded the way enforcement records a violation (edge), so the
merchant reads it, and appeals it, through enforcement's one flow: ``anxin appeals file`` /
``POST /v1/violations/{id}/appeal``, decided by an operator; an upheld appeal reverts the
violation and lifts its measure (``enforcement.measure_lifted``: the marketplace re-lists or
restores the ranking).

One violation per (listing, action), type ``listing_feedback``, tier the action; its measure:
``warning`` (one-off), ``listing_derank`` (until the feedback window has passed again) or
``product_delisting`` (until an appeal or an operator lifts it). Ids are stable, so a later run
that judges the same never records it twice, and an upheld appeal is not undone by the next run.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from anxin.clock import to_us
from anxin.enforcement.config import LISTING_TYPES, SECTION, EnforcementConfig
from anxin.policy.pack import PolicyPack
from anxin.screening.feedback import RULE_ID, FeedbackConfig, Judged
from anxin.store import schema as t
from anxin.store.sql import SqlTx

(TYPE,) = LISTING_TYPES
# Each action's measure and how it lifts: a warning acts once; a de-ranking lasts the feedback
# window; a delisting lasts until an upheld appeal or an operator lifts it.
MEASURE = {"warning": ("warning", "once"), "derank": ("listing_derank", "expiry"),
           "delist": ("product_delisting", "never")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Recorded:
    violation_id: str
    measure_id: str
    measure: str
    appeal_by: dt.datetime


def violation_id(j: Judged) -> str:
    return f"feedback:{j.listing_id}:{j.action}"


def record(
    tx: SqlTx, found: list[Judged], pack: PolicyPack, c: FeedbackConfig, now: dt.datetime
) -> dict[str, Recorded]:
    """Each action's violation and measure rows (ignored when already there), by listing id.
    Nothing is recorded when the pack has no enforcement (then there is no appeal either)."""
    config = pack.rule(SECTION)
    if not isinstance(config, EnforcementConfig) or not found:
        return {}
    zone = pack.calendar.zone
    appeal_by = now + dt.timedelta(days=config.appeals.file_within_days)
    violations, measures, out = [], [], {}
    for j in found:
        vid = violation_id(j)
        kind, lift = MEASURE[j.action]
        mid = f"{vid}:{kind}"
        facts = {"listing_id": j.listing_id, "category": j.category, "measure": j.measure,
                 "rate": round(j.rate, 4), "smoothed": round(j.smoothed, 4),
                 "category_mean": round(j.category_mean, 4), "orders": j.orders}  # fmt: skip
        notice = {"zh": f"商品 {j.listing_id}：{j.explanation.zh}",
                  "en": f"Listing {j.listing_id}: {j.explanation.en}"}  # fmt: skip
        rule_id = f"{RULE_ID}.{j.action}"
        violations.append(
            {"violation_id": vid, "merchant_id": j.merchant_id, "type": TYPE, "tier": j.action,
             "day": now.astimezone(zone).date().isoformat(), "nth": 1, "period": "",
             "status": "active", "noticed_at_us": to_us(now), "appeal_by_us": to_us(appeal_by),
             "pack": pack.name, "pack_version": pack.version,
             "explanation": _json({"rule_id": rule_id, "tier": j.action, "facts": facts,
                                   "notice": notice})}
        )  # fmt: skip
        ends = now + dt.timedelta(days=c.window_days) if j.action == "derank" else None
        measures.append(
            {"measure_id": mid, "violation_id": vid, "merchant_id": j.merchant_id, "kind": kind,
             "starts_at_us": to_us(now), "ends_at_us": to_us(ends) if ends else None,
             "lift": lift,
             "amount": None, "currency": None,
             "status": "done" if lift == "once" else "active", "lifted_at_us": None,
             "explanation": _json({"basis": facts, "deduction": None, "notice": notice,
                                   "rule_id": rule_id, "pack": pack.name,
                                   "version": pack.version, "listing_id": j.listing_id})}
        )  # fmt: skip
        out[j.listing_id] = Recorded(vid, mid, kind, appeal_by)
    tx.add_ignoring_repeats(t.violations, violations)
    tx.add_ignoring_repeats(t.measures, measures)
    return out


def _json(x: object) -> str:
    return json.dumps(x, ensure_ascii=False, sort_keys=True)
