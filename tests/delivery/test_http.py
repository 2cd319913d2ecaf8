"""The asyncio HTTP/1.1 client the sender posts with: response framings, keep-alive reuse, a
stale connection, timeouts; and the sender's lease deadline (requests not started: released)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from anxin.clock import FixedClock, to_us
from anxin.delivery import store
from anxin.delivery.http import HttpPool, target
from anxin.delivery.sender import HttpSender
from tests.delivery.helpers import T0, dispatcher, messages, write
from tests.delivery.receiver import Receiver

# Raw answers by request path; "/close" also closes the connection after answering.
ANSWERS = {
    b"/length": b"HTTP/1.1 500 Oops\r\ncontent-length: 5\r\n\r\nbroke",
    b"/chunked": b"HTTP/1.1 503 x\r\ntransfer-encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\ntrailer: x\r\n\r\n",
    b"/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    b"/close": b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
    b"/eof": b"HTTP/1.0 502 Bad\r\n\r\nto the end",
}


async def _serve(connections: list[int]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1]
                size = [
                    int(x.split(b":")[1])
                    for x in head.split(b"\r\n")
                    if x.startswith(b"content-length")
                ]
                await reader.readexactly(size[0])
                if path == b"/slow":
                    await asyncio.sleep(1)
                writer.write(ANSWERS.get(path, b"HTTP/1.1 204 No Content\r\n\r\n"))
                if path in (b"/close", b"/eof", b"/drop"):
                    await writer.drain()
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_framings_reuse_and_failures() -> None:
    async def main() -> None:
        connections: list[int] = []
        server = await _serve(connections)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        pool = HttpPool(4, timeout_s=0.3)
        post = pool.post
        assert (await post(f"{base}/length", b"{}", {})).body == b"broke"
        assert (await post(f"{base}/chunked", b"{}", {})).status == 503
        assert (await post(f"{base}/chunked", b"{}", {})).body == b"abcde"
        assert (await post(f"{base}/interim", b"{}", {})).status == 204
        assert len(connections) == 1  # all of that on one keep-alive connection
        assert (await post(f"{base}/close", b"{}", {})).body == b"ok"
        assert (await post(f"{base}/eof", b"{}", {})).body == b"to the end"
        assert len(connections) == 2  # closed by the server: a new one
        assert (await post(f"{base}/ok", b"{}", {})).status == 204
        # the server drops the idle connection: the next request goes out on a new one
        for conns in pool._idle.values():
            for c in conns:
                c.writer.transport.abort()
        assert (await post(f"{base}/ok", b"{}", {})).status == 204
        with pytest.raises(TimeoutError):
            await post(f"{base}/slow", b"{}", {})
        with pytest.raises(ConnectionRefusedError):
            await post("http://127.0.0.1:9/refused", b"{}", {})
        await pool.aclose()
        server.close()

    asyncio.run(main())


def test_target_parsed_once() -> None:
    t = target("https://u:p%40ss@example.com:8443/a/b?x=1")
    assert (t.secure, t.host, t.port) == (True, "example.com", 8443)
    assert t.head.startswith(b"POST /a/b?x=1 HTTP/1.1\r\nhost: example.com:8443\r\n")
    assert b"authorization: Basic dTpwQHNz\r\n" in t.head
    assert target("http://[::1]/").head.startswith(b"POST / HTTP/1.1\r\nhost: [::1]\r\n")
    with pytest.raises(ValueError, match="http"):
        target("ftp://example.com/")


@pytest.fixture
def slow(receiver: Receiver) -> Iterator[Receiver]:
    receiver.stall = 0.05
    yield receiver
    receiver.stall = 0.0


def test_requests_not_started_by_the_deadline_are_released(
    sql_engine: sa.Engine, slow: Receiver
) -> None:
    write(sql_engine, messages(orders=6, per_order=1))
    store.add_endpoint(sql_engine, slow.url, [], to_us(T0), slow.secret)
    store.advance(sql_engine, to_us(T0))
    token, batch = store.claim(sql_engine, to_us(T0), 10**9, 100)
    sender = HttpSender(5.0, 2)
    try:
        sent = sender.send_batch(batch, time.monotonic() + 0.02)
    finally:
        sender.close()
    started = [s for s in sent if s.attempted]
    assert len(started) == 2  # the first two took the two slots; the rest waited past it
    assert len(slow.ids) == 2
    unsent = [
        (c.message_id, c.endpoint_id) for c, s in zip(batch, sent, strict=True) if not s.attempted
    ]
    assert store.release(sql_engine, token, unsent) == 4
    # released rows are claimable again at once, with no attempt counted; the rest finish
    report = dispatcher(sql_engine, FixedClock(T0)).run_once(T0)
    assert report.delivered == 4
    assert sorted(slow.ids) == sorted(m.message_id for m in messages(orders=6, per_order=1))
    # the two sent first were never recorded here: still pending under their claim
    assert store.counts(sql_engine) == {"delivered": 4, "pending": 2}
    assert {r.attempts for r in store.list_deliveries(sql_engine, "delivered")} == {1}
