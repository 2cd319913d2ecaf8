"""``anxin bench pages``: each page's server time on a demo store, beside a bare endpoint of the
same app.

The store is the demo's (``--db``, default ``var/demo/anxin-demo.db``) or, when there is none,
a tiny demo world made in a temporary folder (not timed). Keys for an operator and the busiest
merchant, and a link token for one of its orders, are made in the store. Every page route the
web routers declare (path parameters filled from the store: that merchant, that order) is
requested ``n`` times through the app in process, each timed on its own, after a warm-up (the
first, cold request is reported apart as ``first_ms``: read models kept until the store
changes are built then); the
bare endpoint is ``GET /live`` of the same app through the same client, so the ratio leaves the
client's own cost out. One JSON line: each page's ``p50_ms`` and ``p95_ms``, the bare ones, the
worst page p95 against the target (≤ 100 ms).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from anxin.api.app import create_app
from anxin.api.keys import create_key, create_link
from anxin.clock import FixedClock, from_us
from anxin.platform.kpis import KPIS
from anxin.web import console, console_ops, hall, portal, routes

TARGET_P95_MS = 100.0


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _subjects(sql: sa.Engine) -> tuple[dt.datetime, str, str]:
    """The store's "now" (a day after its last event, as the demo's), the merchant with most
    orders and one of its orders."""
    with sql.connect() as conn:
        last = conn.execute(sa.text("SELECT max(occurred_at_us) FROM events")).scalar_one()
        busiest = ("SELECT merchant_id FROM order_state WHERE merchant_id IS NOT NULL "
                   "GROUP BY merchant_id ORDER BY count(*) DESC, merchant_id LIMIT 1")  # fmt: skip
        merchant = conn.execute(sa.text(busiest)).scalar_one()
        order = conn.execute(sa.text(
            "SELECT order_id FROM order_state WHERE merchant_id = :m ORDER BY order_id LIMIT 1"),
            {"m": merchant}).scalar_one()  # fmt: skip
    return from_us(int(last)) + dt.timedelta(days=1), str(merchant), str(order)


def _conversation(sql: sa.Engine, merchant_id: str) -> str | None:
    with sql.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT conversation_id FROM service_conversations WHERE merchant_id = :m "
            "ORDER BY conversation_id LIMIT 1"), {"m": merchant_id}).scalar()  # fmt: skip
    return str(found) if found is not None else None


def _pages(values: dict[str, str]) -> list[tuple[str, str]]:
    """(route path, URL) of every page route whose path parameters the store can fill."""
    out = []
    for router in (routes.router, hall.router, portal.router, console.router, console_ops.router):
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
                continue
            names = [p.name for p in route.dependant.path_params]
            if route.path != "/" and all(n in values for n in names):  # "/" only redirects
                out.append((route.path, route.path.format(**{n: values[n] for n in names})))
    return out


def run(db: Path | None = None, n: int = 50) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="anxin-bench-pages-") as root:
        if db is None or not db.exists():
            from rich.console import Console

            from anxin.demo import run_demo

            db = run_demo(Path(root), scale="tiny", console=Console(file=io.StringIO()),
                          service_tools=False, workers=1).db  # fmt: skip
        url = f"sqlite:///{db}"
        sql = sa.create_engine(url)
        now, merchant_id, order_id = _subjects(sql)
        clock = FixedClock(now)
        keys = {
            "operator": create_key(sql, "bench-operator", "operator", clock=clock),
            "merchant": create_key(
                sql, "bench-merchant", "merchant", merchant_id=merchant_id, clock=clock
            ),
        }
        link = create_link(sql, order_id, created_by="bench", clock=clock)
        values = {"merchant_id": merchant_id, "order_id": order_id, "key": KPIS[0].key,
                  "indicator": "on_time_delivery_rate"}  # fmt: skip
        conversation = _conversation(sql, merchant_id)
        if conversation is not None:
            values["conversation_id"] = conversation
        pages = _pages(values)
        sql.dispose()
        timings: dict[str, list[float]] = {}
        first: dict[str, float] = {}
        statuses: dict[str, int] = {}
        with TestClient(create_app(url, clock=clock)) as client:
            for path, target in [("/live", "/live"), *pages]:
                client.cookies.clear()
                if path.startswith("/console"):
                    client.cookies.set("anxin_key", keys["operator"])
                elif path.startswith("/hall/orders/"):  # the consumer's own order, by its link
                    client.cookies.set("anxin_link", link)
                elif path.startswith(("/portal", "/hall")):  # the hall's list: the shop's orders
                    client.cookies.set("anxin_key", keys["merchant"])
                started = time.perf_counter()
                statuses[path] = client.get(target, follow_redirects=False).status_code
                first[path] = (time.perf_counter() - started) * 1000  # cold: caches empty
                for _ in range(2):  # warm-up: templates compiled, caches filled
                    statuses[path] = client.get(target, follow_redirects=False).status_code
                if 300 <= statuses[path] < 400:  # a redirect (sign-out, a link's landing): no page
                    continue
                got = []
                for _ in range(n):
                    started = time.perf_counter()
                    client.get(target, follow_redirects=False)
                    got.append((time.perf_counter() - started) * 1000)
                timings[path] = got
    bare = timings.pop("/live")
    if any(code != 200 for p, code in statuses.items() if p in timings or p == "/live"):
        raise RuntimeError(
            f"pages that did not answer 200: {statuses}"
        )  # an error page says nothing
    per_page = {p: {"p50_ms": round(_p(v, 0.5), 2), "p95_ms": round(_p(v, 0.95), 2),
                    "first_ms": round(first[p], 1), "status": statuses[p]}
                for p, v in timings.items()}  # fmt: skip
    worst = max((x["p95_ms"] for x in per_page.values()), default=0.0)
    return {
        "bench": "pages", "store": str(db) if db else "tiny demo world", "requests_per_page": n,
        "pages": per_page,
        "redirects": sorted(p for p in statuses if p not in timings and p != "/live"),
        "bare": {"path": "/live", "p50_ms": round(_p(bare, 0.5), 2),
                 "p95_ms": round(_p(bare, 0.95), 2)},
        "max_page_p95_ms": worst, "target_p95_ms": TARGET_P95_MS,
        "ratio_max_p95_to_bare": round(worst / max(_p(bare, 0.95), 1e-9), 1),
        "met": bool(per_page) and worst <= TARGET_P95_MS,
    }  # fmt: skip


@click.command("pages")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("var/demo/anxin-demo.db"), show_default=True,
              help="the demo's store (a tiny demo world is made when it is missing)")  # fmt: skip
@click.option("-n", "n", default=50, show_default=True, help="timed requests per page")
def bench_pages(db: Path, n: int) -> None:
    """Each page's server time (p50, p95) on the demo store, beside GET /live of the same app;
    one JSON line."""
    import json

    click.echo(json.dumps(run(db, n)))
