"""``anxin refunds evaluate``: the decisions on held-out days, scored against ground truth.

The ONLY module of ``anxin.refunds`` that reads the simulator's truth file, and only to score:
which requests were really abusive. Decisions come from the decision code on stream features;
truth never feeds them, and nothing here derives truth from a decision.

- ``coverage``: share of the held-out money requests (refund only, return and refund) refunded
  instantly: approved now on the request, or at the return's first scan when the return was
  indeed shipped;
- ``loss_rate``: the abusive amount among those instant refunds ÷ the amount they refunded (an
  empty box refunded at first scan counts as lost even though recovery charges it back);
- ``loss_rate_after_recovery``: the same, less what the pack's recovery (``refunds.rule``)
  charges back as the stream shows it: a return that arrived empty, with the wrong item or
  missing parts, or never arrived. Worn goods reported "damaged" and abuse nobody reported stay
  lost. A charge-back can fail to collect in reality: the gross figure is the one to hold;
- ``auc``: the model's ranking of abusive requests (truth) among the held-out ones;
- ``sweep``: coverage and loss for a range of ``approve`` thresholds (``on_request`` scaled with
  it), the curve of ``docs/img/refund-curve.png``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from anxin.clock import from_us
from anxin.policy.pack import PolicyBook
from anxin.refunds.config import RULE_ID, InstantRefundConfig, Thresholds
from anxin.refunds.dataset import Row
from anxin.refunds.decide import Scorer, Verdict, decide
from anxin.refunds.recovery import UNEARNED

MONEY_KINDS = ("refund_only", "return_refund")
SWEEP = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


class _AfterSaleTruth(msgspec.Struct, tag_field="kind", tag="aftersale"):
    aftersale_id: str
    abusive: bool = False


def abusive_requests(truth_path: str | Path) -> set[str]:
    """Ids of the after-sales requests the truth file calls abusive."""
    decoder = msgspec.json.Decoder(_AfterSaleTruth)
    found: set[str] = set()
    with open(truth_path, "rb") as f:
        for line in f:
            if b'"kind":"aftersale"' in line and b'"abusive":true' in line:
                found.add(decoder.decode(line).aftersale_id)
    return found


@dataclass(frozen=True)
class Figures:
    coverage: float
    loss_rate: float
    requests: int
    instant: int
    refunded: int
    abusive_refunded: int
    abusive_recovered: int = 0

    @property
    def loss_rate_after_recovery(self) -> float:
        lost = self.abusive_refunded - self.abusive_recovered
        return lost / self.refunded if self.refunded else 0.0


def recovered(row: Row) -> bool:
    """Whether the pack's recovery would charge this advance back, on stream facts alone."""
    case = row.case
    return case.return_received_us is None or (case.return_condition or "ok") in UNEARNED


def instantly_refunded(row: Row, v: Verdict) -> bool:
    if v.outcome != "approve_now":
        return False
    return v.refund_at == "request" or row.case.return_shipped_us is not None


def figures(rows: Sequence[Row], verdicts: Sequence[Verdict], abusive: set[str]) -> Figures:
    n = instant = refunded = lost = back = 0
    for row, v in zip(rows, verdicts, strict=True):
        if row.request.kind not in MONEY_KINDS:
            continue
        n += 1
        if instantly_refunded(row, v):
            instant += 1
            refunded += row.request.amount
            if row.case.aftersale_id in abusive:
                lost += row.request.amount
                if row.request.kind == "return_refund" and recovered(row):
                    back += row.request.amount
    return Figures(
        coverage=instant / n if n else 0.0,
        loss_rate=lost / refunded if refunded else 0.0,
        requests=n,
        instant=instant,
        refunded=refunded,
        abusive_refunded=lost,
        abusive_recovered=back,
    )


def config_for(book: PolicyBook, row: Row) -> tuple[str, str, InstantRefundConfig]:
    pack = book.in_force(from_us(row.request.requested_us))
    cfg = pack.rule(RULE_ID)
    if not isinstance(cfg, InstantRefundConfig):
        raise LookupError(f"pack {pack.name} {pack.version} has no rules.{RULE_ID}")
    return pack.currency, pack.version, cfg


def verdicts(
    rows: Sequence[Row],
    book: PolicyBook,
    model: Scorer | None,
    thresholds: Thresholds | None = None,
) -> list[Verdict]:
    out: list[Verdict] = []
    for row in rows:
        currency, _, cfg = config_for(book, row)
        if thresholds is not None:
            cfg = replace_thresholds(cfg, thresholds)
        out.append(decide(row.request, row.order.category, currency, row.x, cfg, model))
    return out


def replace_thresholds(cfg: InstantRefundConfig, th: Thresholds) -> InstantRefundConfig:
    return msgspec.structs.replace(cfg, thresholds=th)


def auc(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """Probability that an abusive request scores above an honest one (ties count half)."""
    ranked = sorted(zip(scores, truth, strict=True), key=lambda st: st[0])
    pos = sum(truth)
    neg = len(truth) - pos
    if not pos or not neg:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # 1-based average rank of the tie group
        rank_sum += mid * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def sweep(
    rows: Sequence[Row], book: PolicyBook, model: Scorer, abusive: set[str]
) -> list[dict[str, Any]]:
    """Coverage and loss for each ``approve`` threshold of ``SWEEP`` (the rest of the pack as
    it is; ``on_request`` = approve ÷ 10)."""
    out: list[dict[str, Any]] = []
    base = config_for(book, rows[0])[2].thresholds if rows else None
    for approve in SWEEP:
        if base is None:
            break
        review = max(base.review, approve)
        th = Thresholds(
            on_request=approve / 10,
            approve=approve,
            review=review,
            decline=max(base.decline, review),
        )
        f = figures(rows, verdicts(rows, book, model, th), abusive)
        out.append(
            {
                "approve": approve,
                "coverage": round(f.coverage, 4),
                "loss_rate": round(f.loss_rate, 5),
                "loss_rate_after_recovery": round(f.loss_rate_after_recovery, 5),
            }
        )
    return out


def best_at(points: Sequence[Mapping[str, Any]], max_loss: float) -> Mapping[str, Any] | None:
    """The sweep point with the most coverage at or under ``max_loss``."""
    ok = [p for p in points if p["loss_rate"] <= max_loss]
    return max(ok, key=lambda p: p["coverage"]) if ok else None


def plot(points: Sequence[Mapping[str, Any]], live: Figures, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ax.plot(
        [p["loss_rate"] * 100 for p in points],
        [p["coverage"] * 100 for p in points],
        marker="o",
        label="approve threshold sweep (gross loss)",
    )
    ax.plot(
        [p["loss_rate_after_recovery"] * 100 for p in points],
        [p["coverage"] * 100 for p in points],
        marker=".",
        linestyle=":",
        label="after charge-backs the stream shows",
    )
    ax.scatter([live.loss_rate * 100], [live.coverage * 100], color="red", zorder=3,
               label="pack thresholds")  # fmt: skip
    ax.axhline(85, color="grey", linestyle="--", linewidth=0.8)
    ax.axvline(0.2, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("loss rate: abusive amount ÷ amount refunded instantly (%)")
    ax.set_ylabel("coverage: requests refunded instantly (%)")
    ax.set_title("Instant refund: coverage versus loss (held-out days)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
