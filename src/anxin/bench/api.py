"""``anxin bench api``: events per second through ``POST /v1/events``, beside in-process ingest.

One simulated stream (the tiny preset of ``anxin.sim``, scaled to ``orders``; not timed) goes
two ways in the same run, each into a fresh migrated SQLite file, with the clock at the
stream's end + 1 day (as the demo replays it, so no event is refused as dated in the future):

- in-process: ``Engine.ingest`` in batches of ``batch`` events, up to the store's last
  background WAL checkpoint;
- API: one ``anxin serve`` process (uvicorn, ``--no-scheduler --no-dispatcher``, the same clock
  through ``--clock-offset``) on a free loopback port, fed by one ``httpx.Client`` (keep-alive)
  posting the same batches as raw JSON bytes ``{"events": [...]}`` under an ingest API key.
  Bodies are built before the timer starts; each answer is checked (every event accepted).

``ratio`` = api_events_per_s / inprocess_events_per_s: what HTTP, the framework, key checks and
the threadpool hop cost over the engine itself (target ≥ 0.6). The server's own WAL
checkpoints are not waited for: a client cannot see them.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import httpx

from anxin.api.keys import create_key
from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock, SystemClock
from anxin.serve_process import ServeProcess
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.sql import SqlStore


def _stream(orders: int, seed: int) -> tuple[list[bytes], dt.datetime, str]:
    """The simulated events (JSON lines), the ingest clock (last event + 1 day), the pack."""
    params = preset("tiny", target_orders=orders, seed=seed)
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    return events.getvalue().splitlines(), summary.last_event_at + dt.timedelta(days=1), params.pack


def _inprocess(db: Path, lines: list[bytes], batch: int, now: dt.datetime, pack: str) -> float:
    sql = open_store(str(db))
    store = SqlStore(sql)
    engine = build_engine(store, load_policy(pack), FixedClock(now))
    accepted = 0
    started = time.perf_counter()
    for i in range(0, len(lines), batch):
        accepted += engine.ingest(list(enumerate(lines[i : i + batch])), "bench").accepted
    store.wait_checkpoint()
    seconds = time.perf_counter() - started
    sql.dispose()
    if accepted != len(lines):
        raise RuntimeError(f"in-process ingest accepted {accepted} of {len(lines)} events")
    return seconds


def _server(db: Path, now: dt.datetime, pack: str, log: Path) -> ServeProcess:
    """``anxin serve`` on ``db`` with the clock at ``now``: API only, no background loops."""
    # Recomputed from the wall clock here, so the server's clock starts at ``now`` (± the few
    # seconds it takes to start: the stream's end is a day before, well inside).
    offset = (now - dt.datetime.now(dt.UTC)).total_seconds()
    args = ("--no-scheduler", "--no-dispatcher", "--clock-offset", str(offset))
    return ServeProcess(str(db), log, *args, pack=pack)


def _api(db: Path, log: Path, lines: list[bytes], batch: int, now: dt.datetime, pack: str) -> float:
    sql = open_store(str(db))
    key = create_key(sql, "bench", "ingest", clock=SystemClock())
    sql.dispose()
    bodies = [
        b'{"events":[' + b",".join(lines[i : i + batch]) + b"]}"
        for i in range(0, len(lines), batch)
    ]
    server = _server(db, now, pack, log)
    try:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            client.get("/health").raise_for_status()  # opens the kept-alive connection
            accepted = 0
            started = time.perf_counter()
            for body in bodies:
                response = client.post("/v1/events", content=body)
                response.raise_for_status()
                accepted += response.json()["accepted"]
            seconds = time.perf_counter() - started
    finally:
        server.stop()
    if accepted != len(lines):
        raise RuntimeError(f"the API accepted {accepted} of {len(lines)} events (see {log})")
    return seconds


def run(orders: int = 2_000, batch: int = 1_000, seed: int = 7) -> dict[str, Any]:
    lines, now, pack = _stream(orders, seed)
    with tempfile.TemporaryDirectory(prefix="anxin-bench-api-") as tmp:
        root = Path(tmp)
        inprocess_s = _inprocess(root / "inprocess.db", lines, batch, now, pack)
        api_s = _api(root / "api.db", root / "serve.log", lines, batch, now, pack)
    api_rate = len(lines) / api_s
    inprocess_rate = len(lines) / inprocess_s
    return {
        "bench": "api",
        "db": "sqlite",
        "orders": orders,
        "events": len(lines),
        "batch": batch,
        "api_seconds": round(api_s, 3),
        "api_events_per_s": round(api_rate),
        "inprocess_seconds": round(inprocess_s, 3),
        "inprocess_events_per_s": round(inprocess_rate),
        "ratio": round(api_rate / inprocess_rate, 3),
    }


@click.command("api")
@click.option("--orders", default=4_000, show_default=True, help="orders in the simulated stream")
@click.option("--batch", default=1_000, show_default=True, help="events per request / ingest")
@click.option("--seed", default=7, show_default=True)
def bench_api(orders: int, batch: int, seed: int) -> None:
    """Events per second through POST /v1/events (one serve process), beside in-process ingest."""
    import json

    click.echo(json.dumps(run(orders, batch, seed)))
