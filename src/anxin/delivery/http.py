"""A small HTTP/1.1 client on asyncio streams, for POSTing webhooks: keep-alive connections
pooled per origin, a bounded number of requests in flight, one timeout per request.

Why not httpx: measured on the project's machines (ADR 0009), httpx posted ~0.6-0.9 k
requests/s to a loopback receiver from a thread pool, and fewer from ``AsyncClient`` (its
connection pool checks every idle connection with a system call per request, and httpcore
re-runs a failing ``import sniffio`` per request when anyio no longer installs sniffio), while
asyncio streams did 8-28 k/s. Delivery needs little of HTTP: POST a body, read the status and a
prefix of the response body. So this supports exactly that: ``http://`` and ``https://`` (the
system's CA store), user:password in the URL (Basic), ``Content-Length``, chunked and
read-to-close responses, ``1xx`` interim responses, ``Connection: close``. Not supported, on
purpose: redirects (a webhook answering 3xx is not delivered, as with httpx's defaults), proxies
from the environment, HTTP/2.

A reused keep-alive connection the server closed meanwhile fails before any response byte;
the request is then tried once more on a new connection (the receiver dedupes on
``webhook-id``, so a second copy is harmless, and this is what browsers and httpx do too).
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

MAX_HEAD = 64 * 1024  # response status line + headers
DRAIN_LIMIT = 64 * 1024  # a longer response body is not read to the end: the connection closes


class ProtocolError(Exception):
    """The server's answer is not HTTP/1.x as expected."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most ``keep`` bytes of it


@dataclass(frozen=True)
class Target:
    """Where a URL sends to, parsed once per URL."""

    secure: bool
    host: str
    port: int
    head: bytes  # "POST <path> HTTP/1.1\r\nhost: ...\r\n" (+ authorization)

    @property
    def origin(self) -> tuple[bool, str, int]:
        return (self.secure, self.host, self.port)


@lru_cache(maxsize=1024)
def target(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        shown = f"{shown}:{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"POST {path} HTTP/1.1", f"host: {shown}"]
    if parts.username is not None:
        user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        lines.append("authorization: Basic " + base64.b64encode(user.encode()).decode())
    head = ("\r\n".join(lines) + "\r\n").encode("ascii")
    return Target(secure, host, port, head)


def _request_bytes(t: Target, body: bytes, headers: Mapping[str, str]) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return b"".join(
        (t.head, extra.encode("latin-1"), b"content-length: %d\r\n\r\n" % len(body), body)
    )


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def usable(self) -> bool:
        return not (self.writer.is_closing() or self.reader.at_eof())

    def close(self) -> None:
        self.writer.close()


class _Stale(Exception):
    """A reused connection failed before any byte of the answer: send again on a new one."""


@dataclass
class HttpPool:
    """Keep-alive connections per origin (at most ``idle`` kept idle each); callers bound how
    many requests are in flight. Use from one event loop."""

    idle: int
    timeout_s: float
    keep: int = 300  # response body bytes returned
    _idle: dict[tuple[bool, str, int], list[_Conn]] = field(default_factory=dict)
    _ssl: ssl.SSLContext | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """POST ``body`` within ``timeout_s`` (connecting included); raises OSError,
        TimeoutError, ProtocolError (and the like) on failure."""
        t = target(url)
        payload = _request_bytes(t, body, headers)
        async with asyncio.timeout(self.timeout_s):
            conn = await self._connect(t)
            try:
                return await self._exchange(t, conn, payload)
            except _Stale:
                return await self._exchange(t, await self._connect(t, fresh=True), payload)

    async def _connect(self, t: Target, fresh: bool = False) -> _Conn:
        idle = self._idle.get(t.origin)
        while idle and not fresh:
            conn = idle.pop()
            if conn.usable():
                conn.reused = True
                return conn
            conn.close()
        context = None
        if t.secure:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        reader, writer = await asyncio.open_connection(t.host, t.port, ssl=context, limit=MAX_HEAD)
        return _Conn(reader, writer)

    async def _exchange(self, t: Target, conn: _Conn, payload: bytes) -> Response:
        keep_alive = False
        try:
            conn.writer.write(payload)
            try:
                head = await conn.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                if conn.reused and not (
                    isinstance(exc, asyncio.IncompleteReadError) and exc.partial
                ):
                    raise _Stale from exc
                raise
            while True:
                status, version, fields = _parse_head(head)
                if status >= 200 or status == 101:
                    break
                head = await conn.reader.readuntil(b"\r\n\r\n")  # 1xx: the answer follows
            body, complete = await self._body(conn.reader, status, fields)
            keep_alive = (
                complete
                and version == "HTTP/1.1"
                and "close" not in fields.get("connection", "").lower()
            )
            return Response(status, body)
        finally:
            if keep_alive:
                self._idle.setdefault(t.origin, []).append(conn)
                if len(self._idle[t.origin]) > self.idle:
                    self._idle[t.origin].pop(0).close()
            else:
                conn.close()

    async def _body(
        self, reader: asyncio.StreamReader, status: int, fields: dict[str, str]
    ) -> tuple[bytes, bool]:
        """(the first ``keep`` bytes, whether the body was read to its end)."""
        if status in (204, 304) or status < 200:
            return b"", True
        if "chunked" in fields.get("transfer-encoding", "").lower():
            return await self._chunked(reader)
        length = fields.get("content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                raise ProtocolError(f"bad content-length {length!r}") from None
            if size > DRAIN_LIMIT:
                return await reader.read(self.keep), False
            return (await reader.readexactly(size))[: self.keep], True
        return await reader.read(self.keep), False  # to the close: keep a prefix, then close

    async def _chunked(self, reader: asyncio.StreamReader) -> tuple[bytes, bool]:
        kept = bytearray()
        total = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError("bad chunk size") from None
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                return bytes(kept), True
            total += size
            if total > DRAIN_LIMIT:
                return bytes(kept), False
            chunk = await reader.readexactly(size + 2)
            kept += chunk[: max(0, min(size, self.keep - len(kept)))]

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            value = value.strip()
            fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return int(parts[1]), parts[0], fields
