"""``anxin bench refunds``: instant-refund decisions in-process and through HTTP.

A small simulated world (tiny preset scaled to ``orders``) is ingested into a fresh SQLite
store, its history read model projected and a model trained on its stream (none of it timed).
Then, in the same run:
- in-process, each request timed twice over: the decision itself (``RefundService.evaluate``:
  read the order and four history rows, features, rules, compiled trees, explanation):
  ``p99_ms``; and with its write (the decision row, for an approval its outbox message, one
  transaction): ``p99_ms_with_write``;
- HTTP: one ``anxin serve`` process (API only), fed by 32 requests in flight (aiohttp, kept
  alive) posting
  ``/v1/refunds/decide`` under an operator key: ``http_decisions_per_s``; beside it, the same
  clients on the same app's bare ``GET /live``, which does no work (``/health`` reads the
  database): ``bare_per_s``; ``ratio`` = decisions ÷ bare.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from anxin.api.keys import create_key
from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock, SystemClock
from anxin.serve_process import ServeProcess
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.sql import SqlStore

CLIENTS = 32


def _bodies(events: bytes) -> list[bytes]:
    from anxin.contract import events as ev

    dec = msgspec.json.Decoder(ev.AnyEvent)
    out: list[bytes] = []
    for line in events.splitlines():
        if b'"aftersale.requested"' not in line:
            continue
        e = dec.decode(line)
        assert isinstance(e, ev.AfterSaleRequested)
        p = e.payload
        out.append(
            msgspec.json.encode(
                {"aftersale_id": p.aftersale_id, "order_id": p.order_id, "kind": p.kind,
                 "reason": p.reason, "amount": p.amount, "requested_at": e.occurred_at}
            )
        )  # fmt: skip
    return out


def _hammer(url: str, key: str, n: int, path: str, bodies: list[bytes]) -> float:
    """``n`` requests, ``CLIENTS`` in flight over kept-alive aiohttp connections (httpx's
    clients, not the server, capped the rate: ADR 0009); returns seconds."""
    import asyncio

    import aiohttp

    async def main() -> float:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=CLIENTS)
        async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
            async with session.get("/live") as warm:
                await warm.read()

            async def work(i: int) -> None:
                for j in range(i, n, CLIENTS):
                    request = (
                        session.post(path, data=bodies[j % len(bodies)])
                        if bodies
                        else session.get(path)
                    )
                    async with request as r:
                        text = await r.text()
                        if r.status != 200:
                            raise RuntimeError(f"{r.status} {text[:200]}")

            started = time.perf_counter()
            await asyncio.gather(*(work(i) for i in range(CLIENTS)))
            return time.perf_counter() - started

    return asyncio.run(main())


def _at(sorted_s: list[float], q: float) -> float:
    """The ``q`` quantile of sorted seconds, in milliseconds."""
    return sorted_s[int(q * (len(sorted_s) - 1))] * 1000


def run(orders: int = 3_000, decisions: int = 3_000, seed: int = 7) -> dict[str, Any]:
    from anxin.refunds import model as m
    from anxin.refunds.dataset import build, read_events
    from anxin.refunds.service import DecideBody, Decider, RefundService, project

    params = preset("tiny", target_orders=orders, seed=seed)
    events, truth = io.BytesIO(), io.BytesIO()
    summary = simulate(params, events, truth)
    assert summary.last_event_at is not None
    now = summary.last_event_at + dt.timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="anxin-bench-refunds-") as tmp:
        root = Path(tmp)
        stream = root / "events.jsonl"
        stream.write_bytes(events.getvalue())
        data = build(read_events(stream))
        rows = [r for r in data.rows if r.y is not None]
        model = m.train([r.x for r in rows], [int(r.y or 0) for r in rows], seed=seed,
                        train_days=10_000)  # fmt: skip
        model_path = root / "model.json"
        m.save(model, model_path)
        db = root / "bench.db"
        sql = open_store(str(db))
        book = load_policy(params.pack)
        engine = build_engine(SqlStore(sql), book, FixedClock(now))
        lines = events.getvalue().splitlines()
        for i in range(0, len(lines), 20_000):
            engine.ingest(list(enumerate(lines[i : i + 20_000])), "bench")
        project(sql)
        bodies = _bodies(events.getvalue())
        svc = RefundService(sql, Decider(book, m.load(model_path)))
        dec = msgspec.json.Decoder(DecideBody)
        deciding: list[float] = []
        writing: list[float] = []
        for j in range(decisions):
            body = dec.decode(bodies[j % len(bodies)])
            t0 = time.perf_counter()
            decided = svc.evaluate(body, now)
            t1 = time.perf_counter()
            svc.record(decided, now)
            deciding.append(t1 - t0)
            writing.append(time.perf_counter() - t1)
        with_write = sorted(d + w for d, w in zip(deciding, writing, strict=True))
        deciding.sort()
        key = create_key(sql, "bench", "operator", clock=SystemClock())
        sql.dispose()
        offset = (now - dt.datetime.now(dt.UTC)).total_seconds()
        # The server's model, for the child alone (this process's environment stays as it was).
        server = ServeProcess(str(db), root / "serve.log", "--no-scheduler", "--no-dispatcher",
                              "--clock-offset", str(offset), pack=params.pack,
                              env={"ANXIN_REFUND_MODEL": str(model_path)})  # fmt: skip
        try:
            bare_s = _hammer(server.url, key, decisions, "/live", [])
            http_s = _hammer(server.url, key, decisions, "/v1/refunds/decide", bodies)
        finally:
            server.stop()
    http_rate = decisions / http_s
    bare_rate = decisions / bare_s
    return {
        "bench": "refunds",
        "db": "sqlite",
        "orders": orders,
        "requests": len(bodies),
        "decisions": decisions,
        "p50_ms": round(_at(deciding, 0.5), 3),
        "p99_ms": round(_at(deciding, 0.99), 3),
        "p99_ms_with_write": round(_at(with_write, 0.99), 3),
        "http_decisions_per_s": round(http_rate),
        "bare_per_s": round(bare_rate),
        "ratio": round(http_rate / bare_rate, 3),
        "clients": CLIENTS,
        "model_version": model.version,
    }
