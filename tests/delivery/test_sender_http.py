"""How the sender uses its HTTP client (aiohttp): error answers kept for ``last_error``,
keep-alive reuse, a dropped idle connection, no redirects, Basic auth from the URL, one timeout
per request; and the lease deadline (requests not started by it are released)."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator

import aiohttp
import pytest
import sqlalchemy as sa

from anxin.clock import FixedClock, to_us
from anxin.delivery import store
from anxin.delivery.sender import ERROR_CHARS, HttpSender, new_session, post
from tests.delivery.helpers import T0, dispatcher, messages, write
from tests.delivery.receiver import Receiver

# Raw answers by request path; "/close" also closes the connection after answering.
ANSWERS = {
    b"/length": b"HTTP/1.1 500 Oops\r\ncontent-length: 5\r\n\r\nbroke",
    b"/chunked": b"HTTP/1.1 503 x\r\ntransfer-encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
    b"/long": b"HTTP/1.1 500 x\r\ncontent-length: 1000\r\n\r\n" + b"x" * 1000,
    b"/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    b"/close": b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
    b"/eof": b"HTTP/1.0 502 Bad\r\n\r\nto the end",
    b"/moved": b"HTTP/1.1 307 Moved\r\nlocation: /ok\r\ncontent-length: 0\r\n\r\n",
}


async def _serve(connections: list[int], heads: list[bytes]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                heads.append(head)
                path = head.split(b" ")[1]
                size = [
                    int(x.split(b":")[1])
                    for x in head.split(b"\r\n")
                    if x.lower().startswith(b"content-length")
                ]
                await reader.readexactly(size[0] if size else 0)
                if path == b"/slow":
                    await asyncio.sleep(1)
                if path == b"/drop" and served:  # as a server timing out an idle connection
                    writer.close()
                    return
                served += 1
                writer.write(ANSWERS.get(path, b"HTTP/1.1 204 No Content\r\n\r\n"))
                if path in (b"/close", b"/eof"):
                    await writer.drain()
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_answers_reuse_and_failures() -> None:
    async def main() -> None:
        connections: list[int] = []
        heads: list[bytes] = []
        server = await _serve(connections, heads)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        session = new_session(4, timeout_s=0.3)

        async def send(path: str) -> tuple[int, bytes]:
            return await post(session, f"{base}{path}", b"{}", {}, 0.3)

        assert await send("/length") == (500, b"broke")
        assert await send("/chunked") == (503, b"abcde")
        assert await send("/long") == (500, b"x" * ERROR_CHARS)  # a prefix is kept
        assert (await send("/interim"))[0] == 204
        assert len(connections) == 1  # all of that on one keep-alive connection
        assert await send("/close") == (200, b"")
        assert await send("/eof") == (502, b"to the end")
        assert len(connections) == 2  # closed by the server: a new one
        assert await send("/moved") == (307, b"")  # not followed
        assert heads[-1].startswith(b"POST /moved ")
        # the server drops a reused connection as the request arrives: sent again on a new one
        before = len(connections)
        assert (await send("/drop"))[0] == 204
        assert len(connections) == before + 1
        assert heads[-2:] == [heads[-1]] * 2
        auth = base64.b64encode(b"u:p@ss").decode()
        await post(session, f"{base.replace('//', '//u:p%40ss@')}/auth", b"{}", {}, 0.3)
        assert f"Authorization: Basic {auth}\r\n".encode() in heads[-1]
        with pytest.raises(TimeoutError):
            await send("/slow")
        with pytest.raises(aiohttp.ClientConnectionError):
            await post(session, "http://127.0.0.1:9/refused", b"{}", {}, 0.3)
        await session.close()
        server.close()

    asyncio.run(main())


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
