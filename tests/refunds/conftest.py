"""One small simulated world per session, a model trained on it, and the world ingested into a
store of each backend (the engine's order state, the history read model projected).

The world is the tiny preset over 14 days with ten times the abusers (so the first days hold
labelled abuse to learn from); the model trains on its first ``TRAIN_DAYS`` days through
``anxin refunds train``, as an operator would. Tests that write to the shared store decide
requests of their own (``requests``) and count rows by decision id, never in total.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from anxin.application import build_engine, load_policy, open_store
from anxin.cli.main import main
from anxin.clock import FixedClock
from anxin.contract import events as ev
from anxin.refunds.dataset import Dataset, build, read_events
from anxin.refunds.service import project
from anxin.sim.mix import DEFAULT_MIX
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.sql import SqlStore
from tests.conftest import _drop_pg_schemas, _new_pg_schema, _pg_schema_url

TRAIN_DAYS = 10
_ABUSERS = replace(
    DEFAULT_MIX.consumers,
    wardrober_share=0.03,
    empty_box_share=0.04,
    not_received_share=0.03,
    ring_share=0.03,
)


@dataclass(frozen=True)
class SmallWorld:
    root: Path
    events: Path
    truth: Path
    now: dt.datetime  # the last event + 1 day: the clock the store is ingested under
    pack: str
    data: Dataset  # the offline rows (``dataset.build`` on the stream)
    requests: list[dict[str, Any]]  # every aftersale.requested, as a decide body (JSON)


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    """``anxin ARGS`` through click's runner; exit 0 required, stdout returned."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def one_json_line(out: str) -> dict[str, Any]:
    lines = out.splitlines()
    assert len(lines) == 1, out
    value: dict[str, Any] = json.loads(lines[0])
    return value


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> SmallWorld:
    params = preset("tiny", seed=3, days=14, mix=replace(DEFAULT_MIX, consumers=_ABUSERS))
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    root = tmp_path_factory.mktemp("refund-world")
    (root / "events.jsonl").write_bytes(events.getvalue())
    (root / "truth.jsonl").write_bytes(truth.getvalue())
    decoder = msgspec.json.Decoder(ev.AnyEvent)
    requests = []
    for line in events.getvalue().splitlines():
        if b'"aftersale.requested"' in line:
            e = decoder.decode(line)
            assert isinstance(e, ev.AfterSaleRequested)
            p = e.payload
            requests.append(
                {"aftersale_id": p.aftersale_id, "order_id": p.order_id, "kind": p.kind,
                 "reason": p.reason, "amount": msgspec.to_builtins(p.amount),
                 "requested_at": e.occurred_at.isoformat()}
            )  # fmt: skip
    return SmallWorld(
        root=root,
        events=root / "events.jsonl",
        truth=root / "truth.jsonl",
        now=summary.last_event_at + dt.timedelta(days=1),
        pack=params.pack,
        data=build(read_events(root / "events.jsonl")),
        requests=requests,
    )


def train(world: SmallWorld, seed: int, name: str) -> tuple[Path, dict[str, Any]]:
    out = world.root / name
    line = cli("refunds", "train", str(world.events), "--out", str(out),
               "--train-days", str(TRAIN_DAYS), "--seed", str(seed))  # fmt: skip
    return out, one_json_line(line)


@pytest.fixture(scope="session")
def model(world: SmallWorld) -> tuple[Path, dict[str, Any]]:
    """The live model: seed 1 (artefact path, ``train``'s JSON line)."""
    return train(world, 1, "model-seed1.json")


@pytest.fixture(scope="session")
def candidate(world: SmallWorld) -> tuple[Path, dict[str, Any]]:
    """A candidate: the same world and code, seed 2."""
    return train(world, 2, "model-seed2.json")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def world_db(
    request: pytest.FixtureRequest, world: SmallWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The world ingested by the engine (clock at its end + 1 day) and projected; its URL."""
    schemas: list[str] = []
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("refund-db") / "anxin.db")
    else:
        schemas.append(_new_pg_schema())
        url = _pg_schema_url(schemas[0])
    sql = open_store(url)
    engine = build_engine(SqlStore(sql), load_policy(world.pack), FixedClock(world.now))
    lines = world.events.read_bytes().splitlines()
    for i in range(0, len(lines), 20_000):
        result = engine.ingest(list(enumerate(lines[i : i + 20_000])), "test")
        assert result.accepted == len(lines[i : i + 20_000]), result
    project(sql)
    sql.dispose()
    yield url
    _drop_pg_schemas(schemas)


def count(sql: sa.Engine, table: sa.Table, *where: Any) -> int:
    with sql.connect() as conn:
        n: int = conn.execute(
            sa.select(sa.func.count()).select_from(table).where(*where)
        ).scalar_one()
    return n
