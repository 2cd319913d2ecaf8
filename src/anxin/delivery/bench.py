"""``anxin bench outbox``: signed webhook deliveries per second to a local receiver.

A fresh SQLite store (temporary directory) gets ``messages`` outbox rows over ``orders``
aggregates and one endpoint (not timed). The receiver is a minimal asyncio HTTP/1.1 server in a
subprocess on 127.0.0.1, answering 204. Timed: ``Dispatcher.run_once`` end to end (sequencing,
fan-out, claims, envelopes, signatures, HTTP, recording). Beside it, in the same run, a bare
``httpx.Client`` posts the same envelope bytes to the same receiver from a thread pool of the
same size: the ratio says what the delivery machinery costs over plain HTTP.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from anxin.application import open_store
from anxin.clock import SystemClock, to_us
from anxin.delivery import store
from anxin.delivery.backoff import DeliveryConfig
from anxin.delivery.dispatcher import Dispatcher
from anxin.delivery.envelope import envelope_bytes
from anxin.delivery.sender import HttpSender
from anxin.domain.effects import OutboxMessage
from anxin.store.sql import SqlStore

# A minimal keep-alive HTTP/1.1 receiver on asyncio (reads each request's body by its
# Content-Length, answers 204): fast enough that the sending side is what gets measured.
RECEIVER = """
import asyncio, sys
NO_CONTENT = b"HTTP/1.1 204 No Content\\r\\ncontent-length: 0\\r\\n\\r\\n"
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            size = 0
            for line in head.split(b"\\r\\n"):
                if line[:15].lower() == b"content-length:":
                    size = int(line[15:])
            if size:
                await reader.readexactly(size)
            writer.write(NO_CONTENT)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(url, content=b"{}")
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the bench receiver did not start")


def _seed(sql: sa.Engine, n: int, orders: int, at: dt.datetime) -> None:
    batch = [
        OutboxMessage(
            f"bench:{i}",
            "consumer.compensation",
            f"order:O{i % orders}",
            at + dt.timedelta(microseconds=i),
            {
                "order_id": f"O{i % orders}",
                "consumer_id": f"C{i % orders}",
                "amount": {"amount": 500, "currency": "CNY"},
                "paid_as": "coupon",
                "reason": "late_shipment",
                "decision_id": f"late_shipment:O{i % orders}:{i}",
            },
        )
        for i in range(n)
    ]
    with SqlStore(sql).transaction() as tx:
        tx.add_outbox(batch)


def _bare(url: str, bodies: list[bytes], workers: int) -> float:
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(limits=limits) as client, ThreadPoolExecutor(workers) as pool:

        def post(body: bytes) -> int:
            return client.post(
                url, content=body, headers={"content-type": "application/json"}
            ).status_code

        started = time.perf_counter()
        codes = list(pool.map(post, bodies))
        seconds = time.perf_counter() - started
    assert all(c == 204 for c in codes)
    return seconds


def run(messages: int, orders: int, workers: int) -> dict[str, Any]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)], env=os.environ.copy())
    clock = SystemClock()
    try:
        _wait_up(url)
        with tempfile.TemporaryDirectory(prefix="anxin-bench-outbox-") as tmp:
            sql = open_store(str(Path(tmp) / "bench.db"))
            now = clock.now()
            _seed(sql, messages, orders, now)
            store.add_endpoint(sql, url, [], to_us(now))
            config = DeliveryConfig(workers=workers, batch=max(workers * 64, 500))
            sender = HttpSender(config.timeout_s, workers)
            dispatcher = Dispatcher(sql, sender, clock, config, random.Random(1).random)
            started = time.perf_counter()
            report = dispatcher.run_once()
            seconds = time.perf_counter() - started
            dispatcher.close()
            sender.close()
            bodies = [
                envelope_bytes(
                    f"bench:{i}",
                    "consumer.compensation",
                    f"order:O{i % orders}",
                    to_us(now),
                    i + 1,
                    "{}",
                )
                for i in range(messages)
            ]
            bare_seconds = _bare(url, bodies, workers)
            sql.dispose()
    finally:
        receiver.terminate()
        receiver.wait()
    if report.delivered != messages:
        raise RuntimeError(f"delivered {report.delivered} of {messages}")
    deliveries = messages / seconds
    bare = messages / bare_seconds
    return {
        "bench": "outbox",
        "messages": messages,
        "orders": orders,
        "workers": workers,
        "rounds": report.rounds,
        "seconds": round(seconds, 3),
        "deliveries_per_s": round(deliveries),
        "bare_per_s": round(bare),
        "ratio": round(deliveries / bare, 3),
    }
