"""``anxin bench screen``: listings screened in process, beside a bare decode of the same
listings.

The listings are the demo world's catalogue (the simulator's titles and categories, seeded),
with a share rewritten to carry claims, prohibited words and brands so every rule runs. In the
same run:
- each listing decoded and screened on its own (``p50_ms``, ``p99_ms``), beside the bare
  decode of the same bytes (``bare_p99_ms``);
- the whole batch decoded and screened at once, with the price rule's category medians
  (``listings_per_s``), beside the bare decode of the batch (``bare_listings_per_s``).
One JSON line. Targets: p99 ≤ 20 ms per listing, ≥ 2,000 listings/s in batch.
"""

from __future__ import annotations

import random
import time
from typing import Any

import click
import msgspec

from anxin.application import load_policy
from anxin.screening.listing import Listing
from anxin.screening.screen import config_of, medians, screen, screen_all
from anxin.sim.merchants import make_merchants
from anxin.sim.params import preset

DECORATIONS = ("全网最低价 ", "高仿 ", "耐克 ", "治疗失眠 ", "Best ", "")


def listings(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    catalogue = [x for m in make_merchants(preset("demo", seed=seed)) for x in m.listings]
    out = []
    for i in range(n):
        x = catalogue[i % len(catalogue)]
        title = rng.choice(DECORATIONS) + x.title if rng.random() < 0.2 else x.title
        out.append(msgspec.json.encode(Listing(listing_id=f"B{i}", title=title,
                                               category=x.category, price=x.price)))  # fmt: skip
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(n: int = 20_000, seed: int = 7) -> dict[str, Any]:
    raw = listings(n, seed)
    pack = load_policy("douyin").latest
    decode = msgspec.json.Decoder(Listing).decode
    batch = msgspec.json.encode([msgspec.json.decode(r) for r in raw])
    many = msgspec.json.Decoder(list[Listing]).decode
    median = medians(many(batch), config_of(pack))  # the store's medians, known ahead
    one: list[float] = []
    bare: list[float] = []
    for r in raw:
        t0 = time.perf_counter()
        decode(r)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        screen(decode(r), pack, median)
        one.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    many(batch)
    bare_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    verdicts = screen_all(many(batch), pack)
    batch_s = time.perf_counter() - t0
    return {
        "bench": "screen", "listings": n,
        "p50_ms": round(_p(one, 0.5) * 1e3, 3), "p99_ms": round(_p(one, 0.99) * 1e3, 3),
        "bare_p99_ms": round(_p(bare, 0.99) * 1e3, 4),
        "listings_per_s": round(n / batch_s), "bare_listings_per_s": round(n / bare_batch),
        "ratio": round(bare_batch / batch_s, 4),
        "intercepted": sum(v.verdict == "intercept" for v in verdicts),
        "needs_changes": sum(v.verdict == "needs_changes" for v in verdicts),
    }  # fmt: skip


@click.command("screen")
@click.option("--listings", default=20_000, show_default=True)
@click.option("--seed", default=7, show_default=True)
def bench_screen(listings: int, seed: int) -> None:
    """Listings screened in process, one by one and in batch, beside a bare decode."""
    click.echo(msgspec.json.encode(run(listings, seed)).decode())
