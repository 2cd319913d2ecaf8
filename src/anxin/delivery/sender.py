"""Posting signed webhooks over HTTP (httpx, one keep-alive client shared by the workers)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx
from standardwebhooks import Webhook

from anxin.clock import Clock, SystemClock
from anxin.delivery.envelope import envelope_bytes, signed_headers
from anxin.delivery.store import Claimed

ERROR_CHARS = 300  # of a response body kept in last_error


@dataclass(frozen=True)
class Sent:
    ok: bool
    error: str | None = None


class HttpSender:
    """Signs with the sending instant from ``clock`` (receivers check it against their own
    clock, so it is the wall clock in production, whatever instant the dispatcher runs at)."""

    def __init__(self, timeout_s: float, connections: int, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.client = httpx.Client(timeout=timeout_s, limits=limits)
        self._signers: dict[str, Webhook] = {}
        self._lock = threading.Lock()

    def _signer(self, secret: str) -> Webhook:
        signer = self._signers.get(secret)
        if signer is None:
            with self._lock:
                signer = self._signers.setdefault(secret, Webhook(secret))
        return signer

    def send(self, c: Claimed) -> Sent:
        body = envelope_bytes(
            c.message_id, c.topic, c.aggregate_key, c.created_at_us, c.seq, c.body
        )
        headers = signed_headers(self._signer(c.secret), c.message_id, self.clock.now(), body)
        try:
            response = self.client.post(c.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Sent(False, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS])
        if 200 <= response.status_code < 300:
            return Sent(True)
        return Sent(False, f"HTTP {response.status_code}: {response.text[:ERROR_CHARS]}")

    def close(self) -> None:
        self.client.close()
