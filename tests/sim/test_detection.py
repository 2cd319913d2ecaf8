"""Detected breaches match the simulator's ground truth (issue 4): a tiny marketplace is
simulated, ingested into SQLite as the demo does it (clock at the stream's end + 1 day, then
``tick``), and every scored family must reach precision and recall of at least 0.99."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock, to_us
from anxin.engine.files import ingest_file
from anxin.guarantees.rules.logistics_config import LogisticsConfig
from anxin.sim.evaluate import Evaluation, _breached, _lane_hours, evaluate, render
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.database import make_engine
from anxin.store.migrate import upgrade
from anxin.store.sql import SqlStore

# Two merchants cheat, so false shipments and bought tracking numbers are common enough to score.
CHEATS = {"false_ship_rate": 0.3, "fake_tracking_rate": 0.1}
CHEATERS = ("M00001", "M00002")
# family → the fewest true positives a run must hold, so no score passes vacuously
SCORED = [
    ("late_shipment", 100),
    ("late_shipment_48h", 30),
    # Enough positives for precision and recall to mean something (the planted enforcement
    # violators take part of the tiny world's volume from the two cheaters).
    ("pickup_timeout", 25),
    ("pickup_anomaly", 25),
    ("transit_stall", 25),
    ("scan_before_payment", 20),
]
HOUR_US = 3_600_000_000


def detect(root: Path, seed: int, cheats: dict[str, Any]) -> Evaluation:
    params = preset("tiny", seed=seed, overrides=dict.fromkeys(CHEATERS, cheats))
    events, truth = root / "events.jsonl", root / "truth.jsonl"
    with events.open("wb") as events_out, truth.open("wb") as truth_out:
        summary = simulate(params, events_out, truth_out)
    assert summary.last_event_at is not None
    now = summary.last_event_at + dt.timedelta(days=1)
    sql = make_engine(str(root / "anxin.db"))
    upgrade(sql)
    try:
        engine = build_engine(SqlStore(sql), load_policy(params.pack), FixedClock(now))
        ingest_file(engine, events, batch_size=20_000)
        engine.tick(now)
        evaluation = evaluate(sql, truth)
    finally:
        sql.dispose()
    assert evaluation.now == now
    return evaluation


@pytest.fixture(scope="module", params=[3, 5], ids=lambda seed: f"seed{seed}")
def evaluation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return detect(tmp_path_factory.mktemp(f"detect-{request.param}"), request.param, CHEATS)


@pytest.mark.parametrize(("family", "min_positives"), SCORED)
def test_detection_matches_truth(evaluation: Evaluation, family: str, min_positives: int) -> None:
    score = evaluation.family(family)
    assert score.positives >= min_positives, score.to_dict()
    assert (score.precision or 0.0) >= 0.99, score.to_dict()
    assert (score.recall or 0.0) >= 0.99, score.to_dict()


def test_no_alarm_where_the_truth_has_none(evaluation: Evaluation) -> None:
    # The simulated carriers always reach the first hub within hours of the pickup.
    for family in ("dispatch_timeout", "dispatch_anomaly"):
        assert evaluation.family(family).detected == 0
    lost = evaluation.family("lost_parcel")
    assert (lost.fp, lost.fn) == (0, 0), lost.to_dict()
    assert evaluation.unmatched == 0, evaluation.unmatched_examples


def test_report_renders_and_serializes(evaluation: Evaluation) -> None:
    console = Console(width=200, record=True)
    console.print(render(evaluation))
    text = console.export_text()
    for family, _ in SCORED:
        assert family in text
    data = json.loads(json.dumps(evaluation.to_dict()))
    assert [f["family"] for f in data["families"]] == [f.family for f in evaluation.families]
    assert data["families"][0]["precision"] == evaluation.families[0].precision


def test_stall_that_ended_before_the_upload_is_found(tmp_path: Path) -> None:
    cheats = {"false_ship_rate": 0.3, "fake_tracking_rate": 0.3, "fraud_ship_rate": 0.05}
    stall = detect(tmp_path, 2, cheats).family("transit_stall")
    assert stall.positives >= 30
    assert stall.fn == 0, stall.false_negatives


T0 = to_us(dt.datetime(2026, 10, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("satisfied", "now", "breached"),
    [
        (T0 + 24 * HOUR_US, T0 + 99 * HOUR_US, False),  # kept at the deadline: inclusive
        (T0 + 24 * HOUR_US + 1, T0 + 99 * HOUR_US, True),  # a microsecond late
        (None, T0 + 24 * HOUR_US, True),  # still running, ran out at the evaluation instant
        (None, T0 + 24 * HOUR_US - 1, False),  # still running, not out yet
    ],
)
def test_clock_deadline_is_inclusive(satisfied: int | None, now: int, breached: bool) -> None:
    assert _breached(T0, satisfied, 24, now) is breached


@pytest.mark.parametrize(
    ("origin", "destination", "hours"),
    [
        ("广东", "广东", 48),  # same province
        ("江苏", "上海", 48),  # 江浙沪皖
        ("北京", "河北", 48),  # 京津冀
        ("江苏", "北京", 72),  # two clusters
        ("广东", "浙江", 72),
        ("新疆", "新疆", 120),  # a remote end wins over the same province
        ("广东", "海南", 120),
        ("", "北京", 72),  # from abroad
        ("", "西藏", 120),
    ],
)
def test_lane_thresholds(origin: str, destination: str, hours: int) -> None:
    config: LogisticsConfig | None = load_policy("douyin").latest.rule("logistics")
    assert config is not None
    stall = next(t for t in config.timers if t.id == "transit_stall")
    assert _lane_hours(stall, config, origin, destination) == hours
