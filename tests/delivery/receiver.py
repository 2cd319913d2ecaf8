"""A real local webhook receiver: verifies Standard Webhooks signatures and records arrivals."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook

GATE_S = 20.0  # a held answer is released by then, whatever the test does


@dataclass
class Arrival:
    message_id: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Receiver:
    """``url`` takes POSTs. ``fail[id] = n``: answer 500 to the first n tries of that id;
    ``down``: answer 500 to everything; ``stall``: sleep this long before answering; ``gate``:
    hold every answer until it is set (at most ``GATE_S``)."""

    secret: str
    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)  # accepted (2xx), in arrival order
    tries: Counter[str] = field(default_factory=Counter)
    bad_signatures: int = 0
    fail: dict[str, int] = field(default_factory=dict)
    down: bool = False
    stall: float = 0.0
    gate: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            Webhook(self.secret).verify(body, headers)
        except Exception:
            with self.lock:
                self.bad_signatures += 1
            return 400
        mid = headers["webhook-id"]
        if self.gate is not None:
            self.gate.wait(GATE_S)
        if self.stall:
            time.sleep(self.stall)
        with self.lock:
            self.tries[mid] += 1
            if self.down or self.fail.get(mid, 0) >= self.tries[mid]:
                return 500
            self.arrivals.append(Arrival(mid, json.loads(body), headers))
        return 204

    @property
    def ids(self) -> list[str]:
        with self.lock:
            return [a.message_id for a in self.arrivals]


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = receiver.handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
