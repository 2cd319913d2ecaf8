"""Privileges the score gates: each predicate at its boundary, transitions, and the daily run
(stored grants, one outbox message per flip, nothing twice)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from anxin.application import load_policy
from anxin.cli.main import main
from anxin.policy.pack import PolicyBook
from anxin.score.privileges import PrivilegesConfig, daily_facts, evaluate, transitions


@pytest.fixture(scope="module")
def config() -> PrivilegesConfig:
    found: PrivilegesConfig = load_policy("douyin").versions[-1].rule("privileges")
    return found


def facts(**changes: Any) -> dict[str, float | None]:
    base = daily_facts(
        score=80.0,
        formal=True,
        dimensions={"product": 80.0, "logistics": 80.0, "service": 80.0},
        sums={"violations": 0, "aftersales": 10, "aftersales_agreed": 10,
              "shipped_orders": 100, "returned_orders": 10},
        valid_orders=100,
        large_items=False,
        yesterday=80.0,
    )  # fmt: skip
    return {**base, **changes}


@pytest.mark.parametrize(
    ("privilege", "changes", "granted"),
    [
        ("recommendation_feed", {"score": 60.0}, True),
        ("recommendation_feed", {"score": 59.99}, False),
        ("recommendation_feed", {"violations_30d": 2.0}, True),
        ("recommendation_feed", {"violations_30d": 3.0}, False),
        ("recommendation_feed", {"score_drop": 9.99}, True),
        ("recommendation_feed", {"score_drop": 10.0}, False),
        ("recommendation_feed", {"score_drop": None}, True),  # no history yet
        ("ad_buying", {"score": 60.0}, True),
        ("ad_buying", {"score": 59.99}, False),
        ("presale", {"violations_30d": 3.0}, False),
        ("instant_refund", {"score": 70.0}, True),
        ("instant_refund", {"score": 69.99}, False),
        ("freight_insurance", {"return_rate": 0.80}, True),
        ("freight_insurance", {"return_rate": 0.8001}, False),
        ("freight_insurance", {"return_rate": 0.50, "large_items": 1.0}, True),
        ("freight_insurance", {"return_rate": 0.5001, "large_items": 1.0}, False),
        ("freight_insurance", {"return_rate": None}, True),  # nothing shipped yet
        ("official_guarantee", {"product": 70.0}, True),
        ("official_guarantee", {"product": 69.99}, False),
        ("official_guarantee", {"service": 69.99}, False),
        ("official_guarantee", {"aftersale_success_rate": 0.90}, True),
        ("official_guarantee", {"aftersale_success_rate": 0.8999}, False),
        ("official_guarantee", {"product": None}, False),  # no product score: not earned
    ],
)
def test_each_predicate_at_its_boundary(
    config: PrivilegesConfig, privilege: str, changes: dict[str, Any], granted: bool
) -> None:
    verdict = evaluate(facts(**changes), config)[privilege]
    assert verdict.granted is granted
    assert verdict.reasons  # the conditions that decided it, with the actual values
    assert all({"fact", "op", "value", "actual", "held"} <= set(r) for r in verdict.reasons)


def test_transitions_name_only_what_flipped(config: PrivilegesConfig) -> None:
    good = evaluate(facts(), config)
    assert {v.privilege for v in transitions({}, good)} == set(config.privileges)  # new shop
    held = {pid: v.granted for pid, v in good.items()}
    assert transitions(held, good) == []
    worse = evaluate(facts(score=59.0), config)
    flipped = {v.privilege: v.granted for v in transitions(held, worse)}
    assert flipped == {"recommendation_feed": False, "ad_buying": False, "presale": False,
                       "instant_refund": False}  # fmt: skip


def test_daily_facts() -> None:
    f = facts()
    assert f["aftersale_success_rate"] == 1.0
    assert f["return_rate"] == 0.1
    assert f["score_drop"] == 0.0
    none = daily_facts(70.0, False, {}, {}, 0, False, None)
    assert none["return_rate"] is None
    assert none["aftersale_success_rate"] is None
    assert none["product"] is None


def test_the_daily_run_sends_each_flip_once(tmp_path: Path, book: PolicyBook) -> None:
    db = str(tmp_path / "p.db")
    runner = CliRunner()
    for args in (
        ["simulate", "--scale", "tiny", "--out", str(tmp_path / "e.jsonl"),
         "--truth", str(tmp_path / "t.jsonl")],
        ["--db", db, "ingest", str(tmp_path / "e.jsonl"), "--now", "2026-10-20T00:00:00+08:00"],
    ):  # fmt: skip
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output

    def messages() -> list[dict[str, Any]]:
        sql = sa.create_engine(f"sqlite:///{db}")
        with sql.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT body FROM outbox WHERE topic = 'merchant.privilege_changed'")
            ).all()
        sql.dispose()
        return [json.loads(body) for (body,) in rows]

    for _ in range(2):  # the same day twice: the second run changes and sends nothing
        result = runner.invoke(main, ["--db", db, "score", "--as-of", "2026-10-06"])
        assert result.exit_code == 0, result.output
    first = messages()
    merchants = {m["merchant_id"] for m in first}
    assert len(merchants) == 20
    assert len(first) == len({(m["merchant_id"], m["privilege"]) for m in first})
    assert all(m["day"] == "2026-10-06" and m["because"] for m in first)
    result = runner.invoke(main, ["--db", db, "score", "--as-of", "2026-10-07"])
    assert result.exit_code == 0, result.output
    later = messages()[len(first) :]
    assert all(m["day"] == "2026-10-07" for m in later)  # only flips, if any, on the new day
