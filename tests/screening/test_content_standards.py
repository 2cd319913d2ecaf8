"""Content standards in the simulated world: claiming shops are fixed per seed, a refused
claim goes out without it, and a world with standards is the world without them except for
the content's text and the reviews of orders bought on hollow claims."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import msgspec
from click.testing import CliRunner

from anxin.application import load_policy
from anxin.cli.main import main
from anxin.contract.events import AnyEvent
from anxin.screening.standards import Standards
from anxin.sim import preset
from anxin.sim.content import CLAIMS, publish
from anxin.sim.run import simulate

DECODE = msgspec.json.Decoder(AnyEvent)


class Refuse:
    def allows(self, text: str, listings: Sequence[tuple[str, str, str, str]]) -> bool:
        return False


def _claiming() -> tuple[str, str]:
    """A (merchant, content) pair whose content carries a claim under seed 1."""
    for i in range(200):
        _, misleading = publish(1, f"M{i:05d}", f"W{i:05d}-1", "放心拍！", [], None)
        if misleading:
            return f"M{i:05d}", f"W{i:05d}-1"
    raise AssertionError("no claiming shop in 200")


def test_a_claim_goes_out_unless_the_standards_refuse_it() -> None:
    m, c = _claiming()
    text, misleading = publish(1, m, c, "放心拍！", [], None)
    assert misleading
    assert any(text.endswith(f"{x}！") for x in CLAIMS)
    assert publish(1, m, c, "放心拍！", [], Refuse()) == ("放心拍！", False)
    assert publish(1, m, c, "放心拍！", [], None) == (text, True)  # fixed per seed


def test_anxins_standards_refuse_what_its_rules_catch() -> None:
    s = Standards(load_policy("douyin"))
    assert not s.allows("全网最低价，错过等一年！", [])
    assert not s.allows("纯棉面料，亲肤透气！", [("L1", "T恤", "女装", "涤纶")])
    assert s.allows("纯棉面料，亲肤透气！", [("L1", "纯棉T恤", "女装", "纯棉")])
    assert s.allows("24小时内发货，放心拍！", [])


def _events(standards: object | None) -> dict[str, object]:
    out = io.BytesIO()
    simulate(preset("tiny", seed=2, days=10), out, io.BytesIO(),
             content_standards=standards)  # type: ignore[arg-type]  # fmt: skip
    return {e.id: e for e in map(DECODE.decode, out.getvalue().splitlines())}


def test_standards_change_only_content_text_and_reviews() -> None:
    off, on = _events(None), _events(Standards(load_policy("douyin")))
    assert off.keys() == on.keys()
    changed = {type(off[k]).__name__ for k in off if off[k] != on[k]}
    assert changed <= {"ContentPublished", "ReviewPosted"}
    assert "ContentPublished" in changed  # some content was refused and went out plain


def test_evaluate_content_prints_one_json_line() -> None:
    r = CliRunner().invoke(main, ["screen", "evaluate-content", "--scale", "tiny"],
                           catch_exceptions=False)  # fmt: skip
    (line,) = r.output.splitlines()
    got = json.loads(line)
    assert {"negative_feedback_without", "negative_feedback_with", "change"} <= set(got)
    assert got["douyin_change"] == -0.52
