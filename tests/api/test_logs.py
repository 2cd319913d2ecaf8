"""Request ids on every response and log line; keys and link tokens never in a log."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.logs import REDACTED, RequestContextFilter, log_config, redact_target
from anxin.clock import FixedClock
from tests.api.world import NOW, World, build


@pytest.fixture
def world(db_url: str, sql_engine: sa.Engine) -> Iterator[World]:
    clock = FixedClock(NOW)
    with TestClient(create_app(db_url, clock=clock), raise_server_exceptions=False) as client:
        yield build(client, sql_engine, clock)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42", True),
        ("3f1c2a9e-5b7d-4c1e-9a0b-1234567890ab", True),
        ("has spaces", False),
        ("x" * 129, False),
        ("", False),
    ],
)
def test_every_response_carries_a_request_id(world: World, sent: str, kept: bool) -> None:
    headers = {"X-Request-Id": sent} if sent else {}
    for path in ("/health", "/v1/deadletters", "/v1/orders/OA/decisions", "/no/such/route"):
        r = world.client.get(path, headers=headers)  # 200, 401, 401, 404
        rid = r.headers["X-Request-Id"]
        assert (rid == sent) is kept, (path, rid)
        assert rid


def test_app_log_lines_carry_the_request_id(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(world.client.app.state.engine, "ingest", boom)  # type: ignore[attr-defined]
    caplog.handler.addFilter(RequestContextFilter())
    r = world.client.post(
        "/v1/events",
        content=b'{"events":[]}',
        headers={"X-API-Key": world.keys["operator"], "X-Request-Id": "trace-7"},
    )
    assert r.status_code == 500
    assert r.headers["X-Request-Id"] == "trace-7"
    (record,) = [rec for rec in caplog.records if rec.name == "anxin.api"]
    assert record.request_id == "trace-7"  # type: ignore[attr-defined]


def test_secrets_are_masked_in_any_line() -> None:
    secret = "anx_0123456789abcdef_" + "s3cr3t-Part_" * 3
    record = logging.LogRecord(
        "anxin.x", logging.INFO, __file__, 1, "key %s failed", (secret,), None
    )
    RequestContextFilter().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "anx_0123456789abcdef_" in record.getMessage()  # the public id stays
    assert (
        redact_target("/a?x=1&token=abc&API_KEY=def")
        == f"/a?x=1&token={REDACTED}&API_KEY={REDACTED}"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access"]
    saved: list[tuple[logging.Logger, list[logging.Handler], int, bool]] = []
    for name in names:
        lg = logging.getLogger(name)
        saved.append((lg, list(lg.handlers), lg.level, lg.propagate))
    yield
    for lg, handlers, level, propagate in saved:
        for h in lg.handlers:
            if h not in handlers:
                h.close()
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_served_requests_never_log_keys_or_tokens(
    world: World, tmp_path: Path, restore_logging: None
) -> None:
    """``anxin serve``'s logging configuration on a real uvicorn: the access line of a request
    with a key and a link token in its query string has the request id and neither secret."""
    log_file = tmp_path / "serve.log"
    config: dict[str, Any] = log_config()
    for handler in config["handlers"].values():  # the same filters and formats, into a file
        handler.pop("stream")
        handler.update({"class": "logging.FileHandler", "filename": str(log_file)})
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(world.client.app, host="127.0.0.1", port=port, log_config=config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        key, link = world.keys["operator"], world.links["link_a"]
        r = httpx.get(
            f"http://127.0.0.1:{port}/v1/orders/OA/guarantees",
            params={"token": link, "api_key": key},
            headers={"X-Request-Id": "served-1"},
        )
        assert r.status_code == 200, r.text
        r = httpx.get(f"http://127.0.0.1:{port}/v1/deadletters", headers={"X-API-Key": key})
        assert r.status_code == 200
    finally:
        server.should_exit = True
        thread.join(20)
    text = log_file.read_text()
    assert "served-1" in text
    assert f"token={REDACTED}" in text
    assert f"api_key={REDACTED}" in text
    for secret in (key, link, key.split("_", 2)[2], link.split("_", 2)[2]):
        assert secret not in text
    access = [line for line in text.splitlines() if '"GET /v1/orders/OA/guarantees' in line]
    assert len(access) == 1
    assert "[served-1]" in access[0]
