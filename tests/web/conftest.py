"""The pages on a freshly simulated marketplace, served over real HTTP, driven by Debian's
Chromium through Playwright (never `playwright install`: nothing is downloaded).

``market`` (once per worker): the demo's pipeline on the tiny preset (simulate, ingest, fire
deadlines, score, enforce, serve, screen) into a SQLite store; keys for an operator, two
merchants and a consumer, and a link token for an order. ``site``: that store served by uvicorn
on a free port with the clock at the world's "now". ``page``: a fresh browser context per test.
Screenshots go to ``ANXIN_SCREENSHOTS`` (default ``var/screenshots``).
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from rich.console import Console

from anxin.api.app import create_app
from anxin.api.keys import create_key, create_link
from anxin.clock import FixedClock
from anxin.demo import DemoResult, run_demo

CHROMIUM = os.environ.get("ANXIN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Market:
    demo: DemoResult
    url: str  # the store's SQLAlchemy URL
    operator: str  # secrets
    merchant: str  # a merchant key of ``merchant_id``
    merchant_id: str
    other_merchant: str  # a key of ``other_merchant_id``
    other_merchant_id: str
    link: str  # a link token of ``order_id`` (an order of ``merchant_id``)
    order_id: str
    other_order_id: str  # an order of another merchant

    @property
    def sql(self) -> sa.Engine:
        return sa.create_engine(self.url)


def _orders(url: str) -> list[tuple[str, str]]:
    with sa.create_engine(url).connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(sa.text(
            "SELECT order_id, merchant_id FROM order_state WHERE merchant_id IS NOT NULL "
            "ORDER BY order_id"))]  # fmt: skip


@pytest.fixture(scope="session")
def market(tmp_path_factory: pytest.TempPathFactory) -> Market:
    directory = tmp_path_factory.mktemp("market")
    demo = run_demo(directory, scale="tiny", seed=1, console=Console(file=io.StringIO()),
                    service_tools=False, workers=1)  # fmt: skip
    url = f"sqlite:///{demo.db}"
    sql = sa.create_engine(url)
    clock = FixedClock(demo.now)
    orders = _orders(url)
    merchant_id = demo.merchant_id or orders[0][1]
    order_id = demo.order_id or next(o for o, m in orders if m == merchant_id)
    other_order, other_merchant = next((o, m) for o, m in orders if m != merchant_id)
    market = Market(
        demo, url,
        operator=create_key(sql, "ops", "operator", clock=clock),
        merchant=create_key(sql, "shop", "merchant", merchant_id=merchant_id, clock=clock),
        merchant_id=merchant_id,
        other_merchant=create_key(sql, "other", "merchant", merchant_id=other_merchant,
                                  clock=clock),
        other_merchant_id=other_merchant,
        link=create_link(sql, order_id, created_by="tests", clock=clock),
        order_id=order_id,
        other_order_id=other_order,
    )  # fmt: skip
    sql.dispose()
    return market


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def site(market: Market) -> Iterator[str]:
    """The app on the market's store, over real HTTP; yields its base URL."""
    app = create_app(market.url, clock=FixedClock(market.demo.now))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium; `make test` does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    """A fresh context (no cookies) at desktop width; requests leaving the machine fail."""
    context = browser.new_context(base_url=site, viewport=DESKTOP)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site)
                  else route.abort())  # fmt: skip
    p = context.new_page()
    yield p
    context.close()


SHOTS = Path(os.environ.get("ANXIN_SCREENSHOTS", "var/screenshots"))


def screenshots(page: Any, name: str) -> list[Path]:
    """The page at phone and desktop width: ``<name>-phone.png``, ``<name>-desktop.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        path = SHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        out.append(path)
    page.set_viewport_size(DESKTOP)
    return out


def sign_in(page: Any, secret: str) -> None:
    page.goto("/signin")
    page.fill("#key", secret)
    page.click("button[type=submit]")
    page.wait_for_load_state()


__all__ = ["DESKTOP", "PHONE", "Market", "screenshots", "sign_in"]
