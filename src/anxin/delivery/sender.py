"""Posting signed webhooks: a batch at a time, concurrently, over keep-alive connections.

The requests run on an asyncio event loop in the sender's own thread, on one aiohttp
``ClientSession`` (keep-alive connections, at most ``connections`` in flight); the dispatcher
hands it a claimed batch and waits for the outcomes. A batch holds at most one delivery per
(endpoint, aggregate) partition (the claim sees to it), so sending its requests in parallel keeps
per-partition order.

Lease safety: every request is bounded by ``timeout_s``, and a request not *started* by the
batch's ``deadline`` is not sent at all (``Sent.attempted`` False: the dispatcher releases its
claim without counting an attempt). So no request is in flight once the lease has run out and
another dispatcher may have taken the row over, however slow the receiver.

Why aiohttp and not httpx (ADR 0009): on the project's machines httpx's ``AsyncClient`` posted
0.13-0.47 k requests/s to the bench's loopback receiver (its connection pool's per-request
work), even with sniffio installed, and aiohttp 1.6-4.1 k/s with the same concurrency.

HTTP as used here: ``http://`` and ``https://`` (the system CA store), user:password in the URL
(Basic), one timeout per request (``timeout_s``, connecting included), redirects not followed
(a 3xx is not delivered), proxies from the environment not used (``trust_env`` off). A reused
keep-alive connection that the server dropped meanwhile (``ServerDisconnectedError``) is tried
once more within the same timeout: aiohttp retries only idempotent methods itself, and the
receiver dedupes on ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from standardwebhooks import Webhook

from anxin.clock import Clock, SystemClock
from anxin.delivery.envelope import envelope_bytes, signed_headers
from anxin.delivery.store import Claimed

ERROR_CHARS = 300  # of a response body kept in last_error
KEEPALIVE_S = 4.0  # idle connections are closed before typical servers' 5 s do it

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    ok: bool
    error: str | None = None
    attempted: bool = True  # False: not sent (the batch's deadline passed first)


NOT_SENT = Sent(False, "not sent: the claim's lease was running out", attempted=False)


def new_session(connections: int, timeout_s: float) -> aiohttp.ClientSession:
    """A client session for webhooks: ``connections`` keep-alive connections at most (callers
    bound the requests in flight to as many, so none waits for a connection), ``timeout_s`` per
    request. Create it on the loop that uses it."""
    connector = aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_S)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_s),
        trust_env=False,
    )


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout_s: float,
    keep: int = ERROR_CHARS,
) -> tuple[int, bytes]:
    """POST ``body``: (status, the first ``keep`` bytes of the answer's body) within
    ``timeout_s`` in all; raises ``aiohttp.ClientError``, ``TimeoutError`` and the like."""
    started = time.monotonic()
    try:
        return await _post_once(session, url, body, headers, keep, timeout_s)
    except aiohttp.ServerDisconnectedError:  # a dropped idle connection: once more
        left = timeout_s - (time.monotonic() - started)
        if left <= 0:
            raise TimeoutError("no answer within the request timeout") from None
        return await _post_once(session, url, body, headers, keep, left)


async def _post_once(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    keep: int,
    timeout_s: float,
) -> tuple[int, bytes]:
    timeout = aiohttp.ClientTimeout(total=timeout_s)  # connecting and the answer's body included
    async with session.post(
        url, data=body, headers=headers, allow_redirects=False, timeout=timeout
    ) as response:
        if 200 <= response.status < 300:
            return response.status, b""  # body unneeded (if not all in yet, the connection closes)
        kept = bytearray()
        while len(kept) < keep:
            chunk = await response.content.read(keep - len(kept))
            if not chunk:
                break
            kept += chunk
        return response.status, bytes(kept)


class LoopThread:
    """An asyncio event loop running in a daemon thread; ``run`` a coroutine on it from any
    other thread and wait for its result."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class HttpSender:
    """Signs with the sending instant from ``clock`` (receivers check it against their own
    clock, so it is the wall clock in production, whatever instant the dispatcher runs at)."""

    def __init__(self, timeout_s: float, connections: int, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.timeout_s = timeout_s
        self._slots = asyncio.Semaphore(connections)  # requests in flight
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None  # made on the loop thread
        self._signers: dict[str, Webhook] = {}  # secret -> signer (its key decoded once)
        self._loop: LoopThread | None = None
        self._lock = threading.Lock()

    def _signer(self, secret: str) -> Webhook:
        signer = self._signers.get(secret)
        if signer is None:
            signer = self._signers.setdefault(secret, Webhook(secret))
        return signer

    def submit(self, batch: Sequence[Claimed], deadline: float | None = None) -> Future[list[Sent]]:
        """Start sending every delivery of ``batch`` concurrently (with any batch already in
        flight: together at most ``connections`` requests); the future's results are in the
        batch's order. ``deadline`` (``time.monotonic()``): requests not started by then are
        not sent."""
        with self._lock:
            if self._loop is None:
                self._loop = LoopThread("deliver-http")
            loop = self._loop
        return loop.submit(self._send_all(batch, deadline))

    def send_batch(self, batch: Sequence[Claimed], deadline: float | None = None) -> list[Sent]:
        return self.submit(batch, deadline).result()

    def send(self, c: Claimed) -> Sent:
        return self.send_batch([c])[0]

    async def _send_all(self, batch: Sequence[Claimed], deadline: float | None) -> list[Sent]:
        if self._session is None:
            self._session = new_session(self.connections, self.timeout_s)
        return list(await asyncio.gather(*(self._send_one(c, deadline) for c in batch)))

    async def _send_one(self, c: Claimed, deadline: float | None) -> Sent:
        async with self._slots:
            if deadline is not None and time.monotonic() > deadline:
                return NOT_SENT
            body = envelope_bytes(
                c.message_id, c.topic, c.aggregate_key, c.created_at_us, c.seq, c.body
            )
            now = self.clock.now()  # signed as it leaves
            headers = signed_headers(self._signer(c.secret), c.message_id, now, body)
            assert self._session is not None
            try:
                status, answer = await post(self._session, c.url, body, headers, self.timeout_s)
            except Exception as exc:  # any failure of one request is that delivery's outcome
                return Sent(False, _describe(exc)[:ERROR_CHARS])
        if 200 <= status < 300:
            return Sent(True)
        text = answer.decode("utf-8", "replace")
        return Sent(False, f"HTTP {status}: {text}"[:ERROR_CHARS])

    async def _aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.run(self._aclose())
            loop.stop()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "TimeoutError: no answer within the request timeout"
    return f"{type(exc).__name__}: {exc}"
