"""The instant-refund decision: the pack's rules, then the model's score. Pure.

Outcomes, in rising priority (as Marble's): ``approve_now`` (the refund leaves now, or at the
return parcel's first carrier scan: ``refund_at``), ``standard_flow`` (the merchant answers, the
after-sales clocks run), ``manual_review`` (a person looks first), ``decline`` (no instant path;
the request still follows the merchant's flow, the consumer keeps every right).

Every verdict names the rules it hit, the top features behind the score, and the versions of
the pack and the model, so it explains itself and can be replayed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal, Protocol

import msgspec

from anxin.refunds.config import InstantRefundConfig
from anxin.refunds.features import NAMES, PARCEL_STATES, Request

Outcome = Literal["approve_now", "standard_flow", "manual_review", "decline"]
RefundAt = Literal["request", "first_scan", ""]
_IX = {n: i for i, n in enumerate(NAMES)}


class Scorer(Protocol):
    @property
    def version(self) -> str: ...

    def explain(
        self, x: Sequence[float], top: int = 5
    ) -> tuple[float, list[tuple[str, float]]]: ...


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    refund_at: RefundAt
    score: float | None
    rules_hit: list[str]
    top_features: list[tuple[str, float]]
    model_version: str


def decision_id(aftersale_id: str, pack: str, pack_version: str, model: str, shadow: bool) -> str:
    """Derived from the facts it decides on: the same request under the same versions is the
    same decision (a repeat is absorbed), a candidate's is another."""
    key = f"{aftersale_id}|{pack}|{pack_version}|{model}|{'shadow' if shadow else 'live'}"
    return "rd-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def excluded(cfg: InstantRefundConfig, x: Sequence[float]) -> list[str]:
    """The consumer exclusions (Taobao §4.5) the features show, as rule ids."""
    ex = cfg.consumer_exclusions
    hit: list[str] = []
    orders = x[_IX["orders_90d"]]
    if orders >= ex.min_orders and x[_IX["request_rate_90d"]] > ex.max_refund_rate:
        hit.append("consumer.refund_rate_90d")
    if ex.max_complaints is not None and x[_IX["complaints_90d"]] > ex.max_complaints:
        hit.append("consumer.complaints_90d")
    if ex.max_abuse_findings is not None and x[_IX["findings_all"]] > ex.max_abuse_findings:
        hit.append("consumer.abuse_findings")
    return hit


def decide(
    req: Request,
    category: str,
    currency: str,
    x: Sequence[float],
    cfg: InstantRefundConfig,
    model: Scorer | None,
    withdrawn: Sequence[str] = (),
) -> Verdict:
    """Rules first (eligibility, the merchant's standing, limits, exclusions), then the score's
    thresholds. ``withdrawn``: the kinds of the merchant's measures in force at the request
    that withdraw the instant-refund privilege (the pack's ``privileges.withdrawn_by``)."""
    rules: list[str] = []
    score: float | None = None
    top: list[tuple[str, float]] = []
    if model is not None:
        score, top = model.explain(x)
    version = model.version if model is not None else ""

    def verdict(outcome: Outcome, refund_at: RefundAt = "") -> Verdict:
        return Verdict(
            outcome=outcome,
            refund_at=refund_at,
            score=None if score is None else round(score, 6),
            rules_hit=rules,
            top_features=top,
            model_version=version,
        )

    if req.kind not in ("refund_only", "return_refund"):
        rules.append("kind.not_a_refund")
        return verdict("standard_flow")
    if withdrawn:  # a suspended or restricted merchant's requests take the standard flow
        rules.extend(f"merchant.measure:{kind}" for kind in withdrawn)
        return verdict("standard_flow")
    state = PARCEL_STATES[int(x[_IX["parcel_state"]])]
    exclusions = excluded(cfg, x)
    th = cfg.thresholds
    if req.kind == "refund_only" and state == "not_shipped":
        bs = cfg.before_shipment
        if not bs.enabled:
            rules.append("before_shipment.disabled")
            return verdict("standard_flow")
        if category in bs.excluded_categories:
            rules.append("before_shipment.excluded_category")
            return verdict("standard_flow")
        limit = bs.limit(category, currency)
        if limit is not None and req.amount > limit.amount:
            rules.append("before_shipment.over_limit")
            return verdict("standard_flow")
        if exclusions:
            rules.extend(exclusions)
            return verdict("standard_flow")
        rules.append("before_shipment.eligible")
        if score is not None and score >= th.review:
            rules.append("score.review")
            return verdict("manual_review")
        return verdict("approve_now", "request")
    rules.append(f"after_shipment.{state}")
    limit = cfg.after_shipment_limit(currency)
    if limit is not None and req.amount > limit.amount:
        rules.append("after_shipment.over_limit")
        return verdict("standard_flow")
    if exclusions:
        rules.extend(exclusions)
        return verdict("standard_flow")
    if cfg.review_not_received_after_delivery and x[_IX["not_received_after_delivery"]] > 0:
        rules.append("not_received_after_delivery")
        return verdict("manual_review")
    if score is None:
        rules.append("score.missing")
        return verdict("standard_flow")
    if score >= th.decline:
        rules.append("score.decline")
        return verdict("decline")
    if score >= th.review:
        rules.append("score.review")
        return verdict("manual_review")
    if score >= th.approve:
        rules.append("score.standard")
        return verdict("standard_flow")
    if req.kind == "refund_only":
        rules.append("score.approve")
        return verdict("approve_now", "request")
    if cfg.returns_on_request and score < th.on_request:
        rules.append("return.trusted_on_request")
        return verdict("approve_now", "request")
    if cfg.returns_at_first_scan:
        rules.append("return.trusted_at_first_scan")
        return verdict("approve_now", "first_scan")
    rules.append("return.no_instant_path")
    return verdict("standard_flow")
