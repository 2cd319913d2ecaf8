"""The labelled set: the guide's mapping of the simulator's truth, the split, the readers, and
the evaluation's arithmetic on a tiny hand-made set with known figures."""

from __future__ import annotations

import pytest

from anxin.screening.evaluate import figures
from anxin.screening.labels import (
    Label,
    Labelled,
    hand_rows,
    lang_of,
    needs_review,
    read_labelled,
    sim_label,
    sim_rows,
    split,
)
from anxin.screening.listing import Listing
from anxin.screening.rules import Hit
from anxin.screening.screen import Screened, Verdict, with_model


@pytest.mark.parametrize(
    ("bad", "title", "label", "reason"),
    [
        ("", "纯棉T恤 女装", "pass", "clean"),
        ("misleading", "全网最低价 实木餐桌 家纺", "needs_changes", "misleading_claim"),
        ("inferior", "卫衣 童装 无品牌", "needs_changes", "inferior_goods"),
        ("inferior", "卫衣 童装 高仿", "intercept", "counterfeit"),
        ("prohibited", "电子烟 洗面奶 香水", "intercept", "prohibited_item"),
    ],
)
def test_the_simulators_truth_maps_by_the_guide(bad: str, title: str, label: str,
                                                reason: str) -> None:  # fmt: skip
    assert sim_label(bad, title) == (label, reason)


def test_sim_rows_carry_the_planted_truth() -> None:
    rows = sim_rows(1)
    assert {r.label for r in rows} == {"pass", "needs_changes", "intercept"}
    assert all(r.source == "sim:1" and r.lang == "zh" for r in rows)
    assert {r.listing.listing_id for r in rows}.isdisjoint(
        r.listing.listing_id for r in sim_rows(101)
    )


@pytest.mark.parametrize(
    ("text", "lang"), [("高仿 手表", "zh"), ("Replica watch", "en"), ("iPhone 手机壳", "zh")]
)
def test_language(text: str, lang: str) -> None:
    assert lang_of(text) == lang


@pytest.mark.parametrize(
    ("title", "review"),
    [("Replica Rolex", True), ("Gunmetal Grey Watch", False), ("Herbal Cure Oil", True),
     ("Chef Knife 8 Inch", True), ("Cotton Kurta", False)],
)  # fmt: skip
def test_the_review_lexicon_matches_whole_words(title: str, review: bool) -> None:
    assert needs_review(title) is review


def test_hand_rows_are_balanced_and_valid() -> None:
    rows = hand_rows()
    assert len({r.listing.listing_id for r in rows}) == len(rows) >= 250
    for lang in ("zh", "en"):
        labels = {r.label for r in rows if r.lang == lang}
        assert labels == {"pass", "needs_changes", "intercept"}
    assert all(r.reason for r in rows)


def test_split_is_stratified_seeded_and_disjoint() -> None:
    rows = hand_rows()
    train, test = split(rows, 0, 0.4)
    assert len(train) + len(test) == len(rows)
    assert {id(r) for r in train}.isdisjoint(id(r) for r in test)
    for label in ("pass", "needs_changes", "intercept"):
        n = sum(r.label == label for r in rows)
        assert sum(r.label == label for r in test) == round(n * 0.4)
    assert split(rows, 0, 0.4)[1] == test
    assert split(rows, 1, 0.4)[1] != test


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,label,reason,category,title\nx1,block,prohibited_item,户外,枪\n", "row 2: label"),
        ("id,label,reason,category,title\n,pass,clean,服饰,T恤\n", "row 2: id and title"),
    ],
)
def test_bad_labelled_files_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_labelled(text, "f.csv")


def _row(i: int, label: Label, title: str = "t", reason: str = "r") -> Labelled:
    return Labelled(Listing(listing_id=str(i), title=title), label, reason, "test")


def test_figures_on_a_set_with_known_answers() -> None:
    # 4 intercept rows, 3 caught (recall 0.75); 5 others, 1 intercepted (FIR 0.2).
    truth: list[Label] = ["intercept"] * 4 + ["needs_changes"] * 2 + ["pass"] * 3
    said: list[Verdict] = ["intercept", "intercept", "intercept", "pass", "intercept",
                           "needs_changes", "pass", "pass", "needs_changes"]  # fmt: skip
    titles = ["枪", "gun", "枪", "gun", "最好", "best", "T恤", "shirt", "裙"]
    reasons = ["prohibited_item"] * 4 + ["absolute_claim"] * 2 + ["clean"] * 3
    rows = [_row(i, *x) for i, x in enumerate(zip(truth, titles, reasons, strict=True))]
    f = figures(rows, said)
    assert (f["n"], f["recall"], f["false_interception_rate"]) == (9, 0.75, 0.2)
    assert f["accuracy"] == round(6 / 9, 4)
    assert f["per_language"]["zh"] == {"n": 5, "recall": 1.0, "false_interception_rate": 0.3333,
                                       "accuracy": 0.6}  # fmt: skip
    assert f["per_language"]["en"]["recall"] == 0.5
    assert f["per_rule"]["prohibited_item"] == {"label": "intercept", "n": 4, "intercepted": 3,
                                                "flagged": 3, "agree": 3}  # fmt: skip
    assert f["per_rule"]["clean"] == {"label": "pass", "n": 3, "intercepted": 0, "flagged": 1,
                                      "agree": 2}  # fmt: skip


def test_figures_without_intercept_rows_say_none() -> None:
    f = figures([_row(1, "pass")], ["pass"])
    assert f["recall"] is None
    assert f["false_interception_rate"] == 0.0


HIT = Hit("absolute_claim", "title", 0, 2, "最好", "'最好' in the title")


@pytest.mark.parametrize(
    ("rules", "model", "verdict", "hits"),
    [
        ("pass", "pass", "pass", 0),
        ("needs_changes", "pass", "needs_changes", 1),
        ("needs_changes", "intercept", "intercept", 2),
        ("intercept", "needs_changes", "intercept", 2),
        ("pass", "needs_changes", "needs_changes", 1),
    ],
)
def test_the_stricter_verdict_wins(rules: Verdict, model: Verdict, verdict: str,
                                   hits: int) -> None:  # fmt: skip
    s = Screened("L1", rules, (HIT,) if rules != "pass" else (), "douyin", "v")
    got = with_model(s, model, 0.9).to_dict()
    assert got["verdict"] == verdict
    assert len(got["hits"]) == hits
    if model != "pass":
        assert got["hits"][-1]["rule_id"] == "screening.model"
        assert got["hits"][-1]["probability"] == 0.9
    if rules != "pass":
        assert got["hits"][0]["span"] == [0, 2]
