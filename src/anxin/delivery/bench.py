"""``anxin bench outbox``: signed webhook deliveries per second to a local receiver.

A fresh SQLite store (temporary directory) gets ``messages`` outbox rows over ``orders``
aggregates and one endpoint (not timed). The receiver is a minimal keep-alive HTTP/1.1 server on
asyncio in a subprocess on 127.0.0.1, answering 204; it counts the requests and distinct
``webhook-id`` values and verifies the signature of every ``VERIFY_EVERY``-th signed request
(the bench fails on a bad one or a missing id). Timed: ``Dispatcher.run_once`` end to end
(sequencing, fan-out, claims, envelopes, signatures, HTTP, recording). Beside it, in the same
run, the baseline: the same HTTP client (aiohttp: a session from ``sender.new_session``, posting
with ``sender.post``, the same number of requests in flight) posts the same envelope bytes,
unsigned, to the same receiver, with nothing else; half of it before the timed delivery and
half after, so load drifting during the run weighs on both. The ratio says what the delivery
machinery costs over plain HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from anxin.application import open_store
from anxin.clock import SystemClock, to_us
from anxin.delivery import store
from anxin.delivery.backoff import DeliveryConfig
from anxin.delivery.dispatcher import Dispatcher
from anxin.delivery.envelope import envelope_bytes
from anxin.delivery.sender import HttpSender, new_session, post
from anxin.domain.effects import OutboxMessage
from anxin.store.sql import SqlStore

VERIFY_EVERY = 50

# A minimal keep-alive HTTP/1.1 receiver on asyncio: reads each request's body by its
# Content-Length, answers 204, counts requests and distinct webhook-ids, verifies a sample of
# signatures (argv: port, secret). GET /stats answers the counts as JSON.
RECEIVER = """
import asyncio, json, sys
from standardwebhooks import Webhook
NO_CONTENT = b"HTTP/1.1 204 No Content\\r\\ncontent-length: 0\\r\\n\\r\\n"
signer = Webhook(sys.argv[2])
stats = {"requests": 0, "signed": 0, "verified": 0, "bad_signatures": 0}
ids = set()
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            size = 0
            hook_id = None
            for line in head.split(b"\\r\\n"):
                name = line[:15].lower()
                if name == b"content-length:":
                    size = int(line[15:])
                elif name[:11] == b"webhook-id:":
                    hook_id = line[11:].strip().decode()
            body = await reader.readexactly(size) if size else b""
            if head.startswith(b"GET /stats"):
                out = json.dumps({**stats, "distinct_ids": len(ids)}).encode()
                ok = b"HTTP/1.1 200 OK\\r\\ncontent-length: %d\\r\\n\\r\\n" % len(out)
                writer.write(ok + out)
                continue
            stats["requests"] += 1
            if hook_id is not None:
                stats["signed"] += 1
                ids.add(hook_id)
                if stats["signed"] % %(every)d == 1:
                    headers = {}
                    for line in head.split(b"\\r\\n")[1:]:
                        k, _, v = line.decode().partition(":")
                        headers[k.strip().lower()] = v.strip()
                    try:
                        signer.verify(body, headers)
                        stats["verified"] += 1
                    except Exception:
                        stats["bad_signatures"] += 1
            writer.write(NO_CONTENT)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
""".replace("%(every)d", str(VERIFY_EVERY))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stats(base: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{base}/stats", timeout=10) as response:
        return dict(json.loads(response.read()))


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _stats(base)
            return
        except OSError:
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


async def _bare_async(url: str, bodies: list[bytes], in_flight: int, timeout_s: float) -> float:
    session = new_session(in_flight, timeout_s)
    slots = asyncio.Semaphore(in_flight)
    headers = {"content-type": "application/json"}

    async def one(body: bytes) -> int:
        async with slots:
            return (await post(session, url, body, headers, timeout_s))[0]

    started = time.perf_counter()
    codes = await asyncio.gather(*(one(b) for b in bodies))
    seconds = time.perf_counter() - started
    await session.close()
    if any(c != 204 for c in codes):
        raise RuntimeError("the receiver refused a bare post")
    return seconds


def run(messages: int, orders: int, workers: int, batch: int | None = None) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/hook"
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="anxin-bench-outbox-") as tmp:
        sql = open_store(str(Path(tmp) / "bench.db"))
        now = clock.now()
        _seed(sql, messages, orders, now)
        _, secret = store.add_endpoint(sql, url, [], to_us(now))
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(port), secret], env=os.environ.copy()
        )
        try:
            _wait_up(base)
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
            timeout_s = DeliveryConfig().timeout_s
            # The baseline runs half before and half after the timed delivery, so a change in
            # the machine's load during the run weighs on both sides alike.
            half = len(bodies) // 2
            bare_seconds = asyncio.run(_bare_async(url, bodies[:half], workers, timeout_s))
            before = _stats(base)
            config = DeliveryConfig(workers=workers, batch=batch or max(workers * 64, 500))
            sender = HttpSender(config.timeout_s, workers)
            dispatcher = Dispatcher(sql, sender, clock, config, random.Random(1).random)
            started = time.perf_counter()
            report = dispatcher.run_once()
            seconds = time.perf_counter() - started
            dispatcher.close()
            sender.close()
            signed = _stats(base)
            bare_seconds += asyncio.run(_bare_async(url, bodies[half:], workers, timeout_s))
            after = _stats(base)
        finally:
            receiver.terminate()
            receiver.wait()
            sql.dispose()
    if report.delivered != messages or signed["distinct_ids"] != messages:
        raise RuntimeError(f"delivered {report.delivered} of {messages}: {signed}")
    if signed["requests"] - before["requests"] != messages:
        raise RuntimeError(f"{signed['requests'] - before['requests']} signed requests arrived")
    if signed["bad_signatures"] or not signed["verified"]:
        raise RuntimeError(f"signatures did not verify at the receiver: {signed}")
    if after["requests"] - (signed["requests"] - before["requests"]) != messages:
        raise RuntimeError(f"bare posts arrived: {after['requests']} in all")
    deliveries = messages / seconds
    bare = messages / bare_seconds
    return {
        "bench": "outbox",
        "deliveries_per_s": round(deliveries),
        "bare_per_s": round(bare),
        "ratio": round(deliveries / bare, 3),
        "messages": messages,
        "seconds": round(seconds, 3),
        "config": {
            "orders": orders,
            "in_flight": workers,
            "batch": config.batch,
            "store": "sqlite",
            "client": f"aiohttp {aiohttp.__version__}",
            "receiver": "asyncio HTTP/1.1 keep-alive, 1 process, verifies 1 in "
            f"{VERIFY_EVERY} signatures",
            "baseline": f"aiohttp (sender.new_session, sender.post), {workers} in flight, "
            "same receiver, same envelope bytes, unsigned, no store; "
            "half before, half after the delivery",
        },
        "rounds": report.rounds,
        "receiver": {
            "signed_requests": signed["requests"] - before["requests"],
            "distinct_ids": signed["distinct_ids"],
            "signatures_verified": signed["verified"],
        },
    }
