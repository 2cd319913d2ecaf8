"""The screening model: trained from a small in-test set, saved and loaded; `anxin screen train`,
`anxin screen evaluate` and `anxin screen FILE --model` each print JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("sklearn")

from anxin.cli.main import main
from anxin.screening.labels import Labelled, read_labelled
from anxin.screening.listing import Listing
from anxin.screening.model import load, save, text_of, train

SMALL = """id,label,reason,category,title
a1,intercept,counterfeit,箱包,高仿 名牌包
a2,intercept,counterfeit,手表,高仿 机械表
a3,intercept,counterfeit,Watches,Replica watch steel
a4,intercept,counterfeit,Bags,Replica designer bag
b1,needs_changes,absolute_claim,零食,全网最低价 坚果
b2,needs_changes,absolute_claim,零食,全网最低价 牛肉干
b3,needs_changes,absolute_claim,Kitchen,Cheapest pan ever
b4,needs_changes,absolute_claim,Kitchen,Cheapest kettle ever
c1,pass,clean,服饰,纯棉T恤 男装
c2,pass,clean,服饰,卫衣 连帽
c3,pass,clean,Clothing,Cotton kurta women
c4,pass,clean,Clothing,Denim jeans men
"""


def _rows() -> list[Labelled]:
    return read_labelled(SMALL, "small")


def test_the_model_reads_every_field() -> None:
    x = Listing(listing_id="1", title="T", description="D", category="C >> E",
                attributes={"size": "L"})  # fmt: skip
    assert text_of(x) == "T\nD\nC >> E\nsize L"


@pytest.mark.parametrize(
    ("title", "verdict"),
    [("高仿 名牌手表", "intercept"), ("Replica steel bag", "intercept"),
     ("全网最低价 坚果礼盒", "needs_changes"), ("纯棉T恤 女装", "pass")],
)  # fmt: skip
def test_a_small_model_learns_and_round_trips(tmp_path: Path, title: str, verdict: str) -> None:
    model = train(_rows(), seed=0)
    assert model.meta["rows"] == 12
    assert model.meta["classes"] == ["intercept", "needs_changes", "pass"]
    x = Listing(listing_id="q", title=title)
    (before,) = model.opinions([x])
    assert before.verdict == verdict
    assert abs(sum(before.probabilities.values()) - 1) < 1e-3
    (after,) = load(save(model, tmp_path / "m")).opinions([x])
    assert after == before


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="two labels"):
        train([r for r in _rows() if r.label == "pass"])


def test_a_directory_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a screening model"):
        load(tmp_path)


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(x) for x in output.splitlines() if x.startswith("{")]


def test_train_then_screen_with_the_model(tmp_path: Path) -> None:
    data = tmp_path / "small.csv"
    data.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "model"
    r = CliRunner().invoke(main, ["screen", "train", str(data), "--out", str(out)])
    assert r.exit_code == 0, r.output
    (meta,) = _lines(r.output)
    assert meta["rows"] == 12
    assert (out / "model.json").is_file()
    listings = tmp_path / "l.jsonl"
    listings.write_text('{"listing_id": "L1", "title": "Replica designer watch"}\n'
                        '{"listing_id": "L2", "title": "纯棉T恤 男装", "category": "服饰"}\n',
                        encoding="utf-8")  # fmt: skip
    r = CliRunner().invoke(main, ["screen", str(listings), "--model", str(out)])
    assert r.exit_code == 0, r.output
    got = {x["listing_id"]: x for x in _lines(r.output)}
    assert got["L1"]["verdict"] == "intercept"
    assert "screening.prohibited_item" in {h["rule_id"] for h in got["L1"]["hits"]}  # type: ignore[union-attr]
    assert got["L2"]["verdict"] == "pass"


def test_evaluate_prints_one_json_line() -> None:
    r = CliRunner().invoke(main, ["screen", "evaluate"])
    assert r.exit_code == 0, r.output
    (line,) = _lines(r.output)
    assert {"recall", "false_interception_rate", "held_out", "sim", "model"} <= set(line)
    for where in ("held_out", "sim"):
        assert set(line[where]) == {"rules", "model", "rules+model"}  # type: ignore[arg-type]
        for who in ("rules", "model", "rules+model"):
            f = line[where][who]  # type: ignore[index]
            assert 0 <= f["recall"] <= 1
            assert 0 <= f["false_interception_rate"] <= 1
            assert set(f["per_language"]) >= {"zh"}
            assert "prohibited_item" in f["per_rule"]
    assert line["model"]["trained_here"] is True  # type: ignore[index]
    assert ("flipkart" in line) != ("flipkart" in line["skipped"])  # type: ignore[operator]
