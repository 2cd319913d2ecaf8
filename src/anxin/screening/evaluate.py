"""How well screening finds what must be intercepted, without intercepting what must not: the
rules alone, the model alone and the two together (the stricter verdict), on the hand-labelled
rows held out from training, on the simulator's listings of an evaluation seed (its planted
truth, read here only), and on a sample of real titles (false interceptions only).

``figures`` is the arithmetic (pure); ``evaluate`` gathers the sets and verdicts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anxin.policy.pack import PolicyPack
from anxin.screening.labels import Labelled, hand_rows, sim_rows, split
from anxin.screening.screen import Verdict, screen_all, with_model

if TYPE_CHECKING:
    from anxin.screening.model import ScreenModel

SEED = 0  # the split's and the model's
TEST_SHARE = 0.4  # of the hand-labelled rows, held out
SIM_TRAIN_SEED = 101  # the demo world whose listings train
SIM_EVAL_SEED = 1  # the demo world whose listings evaluate
FLIPKART = "listing_titles_20k/flipkart_com-ecommerce_sample.csv"
FLIPKART_SAMPLE = 2000  # evaluated: the first of the seeded order
FLIPKART_TRAIN = 3000  # trained on: the next ones
TARGETS = {"recall": 0.95, "false_interception_rate": 0.02}


def _rate(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _core(pairs: Sequence[tuple[Labelled, Verdict]]) -> dict[str, Any]:
    must = [v for r, v in pairs if r.label == "intercept"]
    rest = [v for r, v in pairs if r.label != "intercept"]
    return {
        "n": len(pairs),
        "recall": _rate(sum(v == "intercept" for v in must), len(must)),
        "false_interception_rate": _rate(sum(v == "intercept" for v in rest), len(rest)),
        "accuracy": _rate(sum(r.label == v for r, v in pairs), len(pairs)),
    }


def figures(rows: Sequence[Labelled], verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """Intercept recall (share of intercept rows intercepted), false-interception rate (share
    of the other rows intercepted) and accuracy; per language; and per reason the rows' count,
    how many were intercepted, flagged (not passed) and given their own label."""
    pairs = list(zip(rows, verdicts, strict=True))
    by_lang: dict[str, list[tuple[Labelled, Verdict]]] = defaultdict(list)
    by_reason: dict[str, list[tuple[Labelled, Verdict]]] = defaultdict(list)
    for r, v in pairs:
        by_lang[r.lang].append((r, v))
        by_reason[r.reason].append((r, v))
    per_rule = {
        reason: {"label": group[0][0].label, "n": len(group),
                 "intercepted": sum(v == "intercept" for _, v in group),
                 "flagged": sum(v != "pass" for _, v in group),
                 "agree": sum(r.label == v for r, v in group)}
        for reason, group in sorted(by_reason.items())
    }  # fmt: skip
    return {**_core(pairs), "per_language": {k: _core(g) for k, g in sorted(by_lang.items())},
            "per_rule": per_rule}  # fmt: skip


Judge = Callable[[Sequence[Labelled]], list[Verdict]]


def judges(pack: PolicyPack, model: ScreenModel | None) -> dict[str, Judge]:
    """The rules, the model and the two together, each a function of labelled rows."""

    def rules(rows: Sequence[Labelled]) -> list[Verdict]:
        return [s.verdict for s in screen_all([r.listing for r in rows], pack)]

    out: dict[str, Judge] = {"rules": rules}
    if model is None:
        return out

    def alone(rows: Sequence[Labelled]) -> list[Verdict]:
        return [o.verdict for o in model.opinions([r.listing for r in rows])]

    def both(rows: Sequence[Labelled]) -> list[Verdict]:
        listings = [r.listing for r in rows]
        return [with_model(s, o.verdict, o.probability).verdict for s, o in
                zip(screen_all(listings, pack), model.opinions(listings), strict=True)]  # fmt: skip

    out["model"] = alone
    out["rules+model"] = both
    return out


def training_rows(seed: int = SEED, flipkart: Path | None = None) -> list[Labelled]:
    """The built-in training set: the hand-labelled rows not held out, the simulator's
    listings of the training seed, and (when given) a Flipkart sample disjoint from the one
    evaluated."""
    rows = split(hand_rows(), seed, TEST_SHARE)[0] + sim_rows(SIM_TRAIN_SEED)
    if flipkart is not None:
        from anxin.screening.labels import flipkart_rows

        rows += flipkart_rows(flipkart, FLIPKART_TRAIN, seed, skip=FLIPKART_SAMPLE)[0]
    return rows


def evaluate(pack: PolicyPack, model: ScreenModel | None, flipkart: Path | None,
             seed: int = SEED) -> dict[str, Any]:  # fmt: skip
    """One report: the headline (rules+model on the held-out rows) and every set's figures."""
    held_out = split(hand_rows(), seed, TEST_SHARE)[1]
    sets: dict[str, Sequence[Labelled]] = {"held_out": held_out, "sim": sim_rows(SIM_EVAL_SEED)}
    skipped: dict[str, str] = {}
    if flipkart is not None and flipkart.is_file():
        from anxin.screening.labels import flipkart_rows

        sets["flipkart"], excluded = flipkart_rows(flipkart, FLIPKART_SAMPLE, seed)
    else:
        excluded = 0
        skipped["flipkart"] = f"{FLIPKART} not found under the shared data (ANXIN_DATA)"
    js = judges(pack, model)
    report: dict[str, Any] = {}
    for name, rows in sets.items():
        report[name] = {who: figures(rows, judge(rows)) for who, judge in js.items()}
    if "flipkart" in sets:  # labelled "not intercept" only: recall and agreement mean nothing
        report["flipkart"] = {
            who: {"n": f["n"], "false_interception_rate": f["false_interception_rate"]}
            for who, f in report["flipkart"].items()
        } | {"excluded_for_review": excluded}
    best = "rules+model" if model is not None else "rules"
    head = report["held_out"][best]
    recall, fir = head["recall"], head["false_interception_rate"] or 0.0
    met = (
        recall is not None
        and recall >= TARGETS["recall"]
        and fir <= TARGETS["false_interception_rate"]
    )
    return {
        "recall": head["recall"],
        "false_interception_rate": head["false_interception_rate"],
        "headline": f"held_out, {best}",
        "targets": TARGETS,
        "met": met,
        "sets": {
            "held_out": f"hand-labelled, {TEST_SHARE:.0%} held out (seed {seed})",
            "sim": f"demo preset seed {SIM_EVAL_SEED} (model trained on seed {SIM_TRAIN_SEED})",
            "flipkart": f"{FLIPKART_SAMPLE} sampled real titles, not-intercept only",
        },
        **report,
        "skipped": skipped,
        "pack": f"{pack.name} {pack.version}",
    }
