"""Policy numbers live in packs, not in code: every built-in pack states them, and a pack that
leaves one out is refused with a PolicyError naming the key (no silent code default)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from click.testing import CliRunner

from anxin.application import load_policy, rule_schemas
from anxin.cli.main import main
from anxin.policy.pack import PolicyError, PolicyPack, builtin_packs, parse_pack

# Keys under ``rules`` that once had a default in code; ``*`` is every item of a list or map.
MOVED = [
    "late_shipment.default_promise",
    "late_shipment.same_day_cutoff",
    "logistics.timers.*.task_for",
    "logistics.timers.*.task_hours",
    "logistics.fake_tracking.repeated_nodes",
    "platform_kpis.ship_within_hours",
    "platform_kpis.low_star_max",
    "score_facts.min_valid_amount",
    "score_facts.clocks",
    "score_facts.clocks.unanswered_round_minutes",
    "score_facts.delivery_standard_hours",
    "merchant_score.window_days",
    "merchant_score.bad_rating_max_stars",
    "merchant_score.dissatisfied_chat_max_stars",
    "merchant_score.min_score",
    "merchant_score.max_score",
    "merchant_score.pickup.anomaly_or_fraud_score",
    "merchant_score.clocks.unanswered_round_minutes",
    "merchant_score.growth",
    "merchant_score.growth.below_orders",
    "merchant_score.growth.score",
    "merchant_score.growth.dropped_score",
    "merchant_score.small_sample",
    "merchant_score.small_sample.score",
    "merchant_score.small_sample.max_bad",
    "merchant_score.small_sample.flagship_below",
    "merchant_score.small_sample.other_below",
    "merchant_score.stars.ranges.*.per_points",
    "privileges.window_days",
    "seller_metrics.health",
    "seller_metrics.health.start",
    "seller_metrics.health.bands",
    "seller_metrics.health.bands.healthy",
    "seller_metrics.health.bands.at_risk",
    "seller_metrics.negative_max_stars",
    "seller_metrics.seller_fault_reasons",
    "seller_metrics.metrics.*.lag_days",
    "seller_metrics.sps.min_delivered_orders",
    "seller_metrics.sps.delivered_window_days",
    "seller_metrics.sps.max_score",
]

VERSIONS: list[PolicyPack] = [v for name in builtin_packs() for v in load_policy(name).versions]


def _expand(node: Any, parts: list[str], done: list[Any]) -> list[list[Any]]:
    """Every concrete path (keys and list indices) ``parts`` names in ``node``."""
    if not parts:
        return [done]
    head, *rest = parts
    if head == "*":
        keys: list[Any] = list(range(len(node))) if isinstance(node, list) else list(node)
    elif isinstance(node, dict) and head in node:
        keys = [head]
    else:
        return []
    return [p for k in keys for p in _expand(node[k], rest, [*done, k])]


def _key(path: list[Any]) -> str:
    """How PolicyError names a key: ``rules.logistics.timers[2].task_hours``."""
    out = "rules"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


CASES = [
    pytest.param(version, path, id=f"{version.name}-{version.version}:{_key(path)}")
    for version in VERSIONS
    for moved in MOVED
    for path in _expand(version.document["rules"], moved.split("."), [])
]


def test_every_moved_key_is_stated_by_some_builtin_pack() -> None:
    stated = {
        moved
        for moved in MOVED
        for v in VERSIONS
        if _expand(v.document["rules"], moved.split("."), [])
    }
    assert stated == set(MOVED)


def test_every_timer_states_its_task() -> None:
    for version in VERSIONS:
        for timer in version.document["rules"].get("logistics", {}).get("timers", []):
            assert {"task_for", "task_hours"} <= set(timer), (version.file, timer["id"])


@pytest.mark.parametrize(("version", "path"), CASES)
def test_a_pack_missing_a_policy_number_is_refused_naming_it(
    version: PolicyPack, path: list[Any]
) -> None:
    document = copy.deepcopy(dict(version.document))
    node = document["rules"]
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    with pytest.raises(PolicyError) as info:
        parse_pack(document, "missing.yaml", rule_schemas())
    assert info.value.file == "missing.yaml"
    assert info.value.key == _key(path)
    assert f"missing required field `{path[-1]}`" in info.value.why


def test_every_builtin_pack_validates() -> None:
    result = CliRunner().invoke(main, ["policy", "validate", *builtin_packs()])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[1].rstrip(":") for line in result.output.splitlines()) == sorted(
        builtin_packs()
    )


@pytest.mark.parametrize(
    ("change", "key", "why"),
    [
        pytest.param(
            lambda r: r["seller_metrics"]["metrics"]["valid_tracking"].update(surprise=1),
            "rules.seller_metrics.metrics.valid_tracking",
            "unknown field `surprise`",
            id="unknown-field-in-a-map-entry",
        ),
        pytest.param(
            lambda r: r["seller_metrics"]["sps"]["metrics"]["on_time_delivery"].pop("weight"),
            "rules.seller_metrics.sps.metrics.on_time_delivery.weight",
            "missing required field `weight`",
            id="missing-field-in-a-nested-map-entry",
        ),
        pytest.param(
            lambda r: r["seller_metrics"]["metrics"]["late_shipment"].update(lag_days="x"),
            "rules.seller_metrics.metrics[...].lag_days",
            "Expected `int`",
            id="other-errors-keep-msgspec-path",
        ),
    ],
)
def test_map_entries_are_named_by_their_key(change: Any, key: str, why: str) -> None:
    document = copy.deepcopy(dict(load_policy("amazon").latest.document))
    change(document["rules"])
    with pytest.raises(PolicyError) as info:
        parse_pack(document, "bad.yaml", rule_schemas())
    assert info.value.key == key
    assert why in info.value.why
