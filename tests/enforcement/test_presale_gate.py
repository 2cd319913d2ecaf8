"""The presale gate at ingest: a presale order from a merchant without the presale privilege
when it is placed is flagged (one decision, one ``order.presale_flagged`` message), whatever the
batch split or repeat; every boundary of a measure's window; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import msgspec
import pytest

from anxin.application import build_engine, load_policy
from anxin.clock import FixedClock
from anxin.domain.standing import Measure, Standing
from anxin.enforcement.presale import judge
from anxin.engine.memory import MemoryStore
from anxin.policy.pack import PolicyBook
from anxin.score.privileges import PrivilegesConfig
from anxin.store.database import make_engine
from anxin.store.sql import SqlStore
from tests.conftest import NOW
from tests.enforcement.world import (
    DAY,
    SECOND,
    T,
    measure,
    memory_flags,
    placed,
    seed_memory,
    seed_sql,
    sql_flags,
    valid_body,
)

PACKS = Path(__file__).resolve().parents[2] / "src" / "anxin" / "policy" / "packs"


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> PolicyBook:
    """Douyin with ``privileges.presale.missing: grant`` (a shop never evaluated may presell)."""
    directory = tmp_path_factory.mktemp("packs") / "douyin"
    shutil.copytree(PACKS / "douyin", directory)
    path = directory / "2026-08-10.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "      instant_refund:                               # 极速退款"
    assert anchor in text
    path.write_text(text.replace(anchor, "        missing: grant\n" + anchor), encoding="utf-8")
    return load_policy(directory)


def books(douyin: PolicyBook, lenient: PolicyBook, name: str) -> PolicyBook:
    return {"douyin": douyin, "lenient": lenient}.get(name) or load_policy(name)


M = "M1"
ACTIVE = "active"

# (case, pack, presale order?, grant row, measures (kind, starts, ends, status), flagged, reasons)
CASES: list[tuple[str, str, bool, bool | None, list[tuple[str, dt.datetime, dt.datetime | None, str]], bool, list[str]]] = [  # noqa: E501
    ("privileged", "douyin", True, True, [], False, []),
    ("not privileged", "douyin", True, False, [], True, ["not_granted"]),
    ("not privileged, spot order", "douyin", False, False, [], False, []),
    ("no row, pack refuses", "douyin", True, None, [], True, ["no_grant"]),
    ("no row, pack grants", "lenient", True, None, [], False, []),
    ("no row, no score gate (tmall)", "tmall", True, None, [], False, []),
    ("presale_off in force", "douyin", True, True,
     [("presale_off", T - DAY, T + DAY, ACTIVE)], True, ["measure"]),
    ("presale_off ends one second later", "douyin", True, True,
     [("presale_off", T - DAY, T + SECOND, ACTIVE)], True, ["measure"]),
    ("presale_off ends exactly at placement", "douyin", True, True,
     [("presale_off", T - DAY, T, ACTIVE)], False, []),
    ("placed one second after its end", "douyin", True, True,
     [("presale_off", T - DAY, T - SECOND, ACTIVE)], False, []),
    ("presale_off starts exactly at placement", "douyin", True, True,
     [("presale_off", T, T + DAY, ACTIVE)], True, ["measure"]),
    ("presale_off starts one second later", "douyin", True, True,
     [("presale_off", T + SECOND, T + DAY, ACTIVE)], False, []),
    ("until lifted", "douyin", True, True, [("presale_off", T - DAY, None, ACTIVE)], True,
     ["measure"]),
    ("lifted", "douyin", True, True, [("presale_off", T - DAY, None, "lifted")], False, []),
    ("reverted by an appeal", "douyin", True, True,
     [("presale_off", T - DAY, T + DAY, "reverted")], False, []),
    ("suspension", "douyin", True, True, [("suspension", T - DAY, T + DAY, ACTIVE)], True,
     ["measure"]),
    ("ad ban does not touch presale", "douyin", True, True,
     [("ad_ban", T - DAY, T + DAY, ACTIVE)], False, []),
    ("presale_off on tmall", "tmall", True, None,
     [("presale_off", T - DAY, T + DAY, ACTIVE)], True, ["measure"]),
    ("refused and measure", "douyin", True, False,
     [("sales_restricted", T - DAY, T + DAY, ACTIVE)], True, ["not_granted", "measure"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "pack", "presale", "granted", "measures", "flagged", "reasons"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_the_gate_at_every_boundary(
    case: str,
    pack: str,
    presale: bool,
    granted: bool | None,
    measures: list[tuple[str, dt.datetime, dt.datetime | None, str]],
    flagged: bool,
    reasons: list[str],
    book: PolicyBook,
    lenient: PolicyBook,
) -> None:
    store = MemoryStore()
    rows = [(M, measure(f"ms-{i}", k, s, e), st) for i, (k, s, e, st) in enumerate(measures)]
    seed_memory(store, {} if granted is None else {M: granted}, rows)
    engine = build_engine(store, books(book, lenient, pack), FixedClock(NOW))
    engine.ingest([(0, placed("O1", M, T, presale=presale))], "test")
    decisions, messages = memory_flags(store)
    assert len(decisions) == len(messages) == int(flagged), case
    if not flagged:
        return
    (d,), (m,) = decisions, messages
    assert (d.decision_id, d.kind, d.decided_at) == ("order:O1:presale_gate", "flagged", T)
    assert d.outcome["reasons"] == reasons
    inputs = d.explanation.inputs
    assert inputs["standing"]["granted"] == granted
    assert inputs["why"]["en"].startswith("Presale order flagged")
    assert inputs["why"]["zh"].startswith("预售订单已标记")
    body = valid_body(m.body)
    assert (body.order_id, body.merchant_id, body.decision_id) == ("O1", M, d.decision_id)
    assert body.reasons == reasons
    withdrawing = [f"ms-{i}" for i, x in enumerate(measures) if x[3] == ACTIVE]
    assert [x.measure_id for x in body.measures] == withdrawing
    for measure_id in withdrawing:  # the explanation names the measure
        assert measure_id in inputs["why"]["en"]
        assert measure_id in inputs["why"]["zh"]
    assert (m.aggregate_key, m.created_at) == ("order:O1", T)


@pytest.mark.parametrize(
    ("granted", "missing", "kinds", "measures", "reasons"),
    [
        (True, "refuse", [], [], []),
        (False, "grant", [], [], ["not_granted"]),
        (None, "refuse", [], [], ["no_grant"]),
        (None, "grant", [], [], []),
        (None, None, [], [], []),  # the pack's score gates no presale
        (True, "refuse", ["presale_off"], ["presale_off"], ["measure"]),
        (True, "refuse", ["presale_off"], ["ad_ban"], []),
        (True, "refuse", [], ["presale_off"], []),  # the pack lists no withdrawing kind
    ],
)
def test_judge(
    granted: bool | None,
    missing: str | None,
    kinds: list[str],
    measures: list[str],
    reasons: list[str],
) -> None:
    raw: dict[str, object] = {"window_days": 30}
    if kinds:
        raw["withdrawn_by"] = {"presale": kinds}
    if missing is not None:
        condition = {"fact": "score", "op": ">=", "value": 60}
        raw["privileges"] = {"presale": {"missing": missing, "conditions": [condition]}}
    config = msgspec.convert(raw, PrivilegesConfig)
    config.check("CNY")
    standing = Standing("presale", granted, None, [Measure(f"x-{k}", k, 0, None) for k in measures])
    gate = judge(standing, config)
    assert list(gate.reasons) == reasons
    assert gate.allowed == (not reasons)


def test_repeats_splits_and_replacements_flag_once(book: PolicyBook) -> None:
    """The same placement twice in a batch, again in a later batch, a re-placement under a new
    event id, and one order per batch: one decision and one message per unprivileged order."""
    store = MemoryStore()
    seed_memory(store, {"M1": False, "M2": True}, [])
    engine = build_engine(store, book, FixedClock(NOW))
    lines = [placed(f"O{i}", "M1" if i % 2 else "M2", T + i * SECOND) for i in range(6)]
    engine.ingest(enumerate(lines + lines[:2]), "a")
    engine.ingest(enumerate(lines), "b")
    engine.ingest([(0, placed("O1", "M1", T + SECOND, event_id="O1-again"))], "c")
    for line in lines:
        engine.ingest([(0, line)], "d")
    decisions, messages = memory_flags(store)
    flagged = ["order:O1:presale_gate", "order:O3:presale_gate", "order:O5:presale_gate"]
    assert sorted(d.decision_id for d in decisions) == flagged
    assert sorted(m.body["decision_id"] for m in messages) == flagged


def test_the_standing_read_at_placement_holds_when_it_changes_later(book: PolicyBook) -> None:
    """A grant restored after the order was flagged does not unflag it, nor flag it twice."""
    store = MemoryStore()
    seed_memory(store, {"M1": False}, [])
    engine = build_engine(store, book, FixedClock(NOW))
    engine.ingest([(0, placed("O1", "M1", T))], "a")
    store.set_privilege("M1", "presale", True, "2026-10-15")
    engine.ingest([(0, placed("O1", "M1", T, event_id="O1-again"))], "b")
    engine.ingest([(0, placed("O2", "M1", T + SECOND))], "b")
    decisions, messages = memory_flags(store)
    assert [d.decision_id for d in decisions] == ["order:O1:presale_gate"]
    assert len(messages) == 1


def test_on_sql_stores(db_url: str, book: PolicyBook) -> None:
    """SQLite and PostgreSQL: the standing is read from ``merchant_privileges`` and
    ``measures``; every case in one batch, then everything again, split one by one."""
    sql = make_engine(db_url)
    ms = [
        ("M3", measure("m-in", "presale_off", T - DAY, T + SECOND), "active"),
        ("M4", measure("m-ended", "presale_off", T - DAY, T - SECOND), "active"),
        ("M5", measure("m-lifted", "suspension", T - DAY, None), "lifted"),
        ("M6", measure("m-open", "suspension", T - DAY, None), "active"),
    ]
    seed_sql(sql, {"M1": True, "M2": False, "M3": True, "M4": True, "M5": True, "M6": True}, ms)
    engine = build_engine(SqlStore(sql), book, FixedClock(NOW))
    merchants = ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]  # M7: no row (douyin refuses)
    lines = [placed(f"O-{m}", m, T) for m in merchants]
    lines.append(placed("O-spot", "M2", T, presale=False))
    engine.ingest(enumerate(lines), "a")
    for line in reversed(lines):
        engine.ingest([(0, line)], "b")
    decisions, bodies = sql_flags(sql)
    sql.dispose()
    assert [d[0] for d in decisions] == [
        f"order:O-{m}:presale_gate" for m in ("M2", "M3", "M6", "M7")
    ]
    assert {d[1] for d in decisions} == {"flagged"}
    by_order = {b["order_id"]: valid_body(b) for b in bodies}
    assert sorted(by_order) == ["O-M2", "O-M3", "O-M6", "O-M7"]
    assert by_order["O-M2"].reasons == ["not_granted"]
    assert by_order["O-M2"].since_day == dt.date(2026, 10, 1)
    assert [x.measure_id for x in by_order["O-M3"].measures] == ["m-in"]
    assert by_order["O-M6"].measures[0].ends_at is None
    assert by_order["O-M7"].reasons == ["no_grant"]
