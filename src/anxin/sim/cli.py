"""Command-line entry points: ``anxin simulate`` and ``anxin bench simulate``.

The lead registers them in ``anxin.cli.main``:

    from anxin.sim.cli import bench_simulate, simulate
    main.add_command(simulate)
    bench.add_command(bench_simulate, "simulate")
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from anxin.cli.options import WHEN, When
from anxin.sim.governance import Governance, NoGovernance, SelfGovernance
from anxin.sim.params import PRESETS, preset
from anxin.sim.run import SimSummary
from anxin.sim.run import simulate as run_simulation
from anxin.sim.timeline import CST

_err = Console(stderr=True)


@contextlib.contextmanager
def _output(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with open(path, "wb", buffering=1 << 22) as f:
        yield f


def _default_workers(shards: int) -> int:
    return max(1, min(shards, os.cpu_count() or 1))


@click.command("simulate")
@click.option(
    "--scale",
    type=click.Choice(sorted(PRESETS)),
    default="demo",
    show_default=True,
    help="size preset; the options below override it",
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--merchants", type=int)
@click.option("--consumers", type=int)
@click.option("--days", type=int)
@click.option(
    "--start",
    type=WHEN,
    help="first simulated day (a date is 00:00 China time) or instant [default: 2026-10-01]",
)
@click.option(
    "--carriers", help="comma-separated carriers [default: SF,ZTO,YTO,STO,YUNDA,JD,EMS,DHL,FEDEX]"
)
@click.option(
    "--pack", default="douyin", show_default=True, help="policy pack for default promises"
)
@click.option(
    "--orders-per-merchant-day",
    type=float,
    help="mean orders of an average merchant on an ordinary day",
)
@click.option("--shards", type=int, help="independent merchant shards (part of the result)")
@click.option(
    "--workers", type=int, help="processes [default: min(shards, CPUs)]; no effect on output"
)
@click.option(
    "--governance",
    type=click.Choice(["none", "self", "enforcement"]),
    default="none",
    show_default=True,
    help="self: penalise from the simulator's own ground truth each day; enforcement: anxin's "
    "enforcement rules (the pack's violations, ladders, measures and rectification plans)",
)
@click.option(
    "--out", default="events.jsonl", show_default=True, help="events (JSON Lines); - for stdout"
)
@click.option("--truth", default="truth.jsonl", show_default=True, help="ground truth (JSON Lines)")
@click.option("--json", "as_json", is_flag=True, help="print the summary as one JSON line")
def simulate(
    scale: str,
    seed: int,
    merchants: int | None,
    consumers: int | None,
    days: int | None,
    start: When | None,
    carriers: str | None,
    pack: str,
    orders_per_merchant_day: float | None,
    shards: int | None,
    workers: int | None,
    governance: str,
    out: str,
    truth: str,
    as_json: bool,
) -> None:
    """Simulate a seeded marketplace and write its events and ground truth."""
    overrides: dict[str, Any] = {"seed": seed, "pack": pack}
    for key, value in (
        ("merchants", merchants),
        ("consumers", consumers),
        ("days", days),
        ("start", start.at(CST) if start else None),  # the simulator runs on China time
        ("shards", shards),
        ("orders_per_merchant_day", orders_per_merchant_day),
    ):
        if value is not None:
            overrides[key] = value
    if carriers:
        overrides["carriers"] = tuple(c.strip().upper() for c in carriers.split(",") if c.strip())
    try:
        params = preset(scale, **overrides)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    gov: Governance = NoGovernance()
    if governance == "self":
        gov = SelfGovernance()
    elif governance == "enforcement":
        from anxin.enforcement.governance import EnforcementGovernance

        gov = EnforcementGovernance(params.pack)
    expected = max(1, round(params.expected_orders()))
    started = time.perf_counter()
    # No auto-refresh thread: worker processes are forked while the bar is shown.
    with (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=_err,
            auto_refresh=False,
            disable=as_json or out == "-",
        ) as bar,
        _output(out) as events,
        _output(truth) as truth_file,
    ):
        task = bar.add_task("orders", total=expected)

        def advance(n: int) -> None:
            bar.advance(task, n)
            bar.refresh()

        summary = run_simulation(
            params,
            events,
            truth_file,
            gov,
            advance,
            workers=workers or _default_workers(params.shards),
        )
        bar.update(task, total=max(expected, summary.orders), completed=summary.orders)
        bar.refresh()
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({**summary.to_dict(), "seconds": round(seconds, 2)}))
        return
    _err.print(_line(summary, seconds, out, truth), highlight=False, soft_wrap=True)


def _line(summary: SimSummary, seconds: float, out: str, truth: str) -> str:
    return (
        f"{summary.orders:,} orders · {summary.events:,} events → {out} · "
        f"{sum(summary.truth.values()):,} truth records → {truth} · {seconds:.1f} s"
    )


@click.command("simulate")
@click.option("--orders", default=1_000_000, show_default=True, help="orders to simulate (about)")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--workers", type=int, help="processes [default: min(shards, CPUs)]")
def bench_simulate(orders: int, seed: int, workers: int | None) -> None:
    """Simulate the bench preset (2 shards) into a temporary file; print one JSON line."""
    click.echo(json.dumps(run_bench(orders=orders, seed=seed, workers=workers)))


def run_bench(orders: int = 1_000_000, seed: int = 1, workers: int | None = None) -> dict[str, Any]:
    params = preset("bench", seed=seed, target_orders=orders)
    workers = workers or _default_workers(params.shards)
    with tempfile.TemporaryDirectory(prefix="anxin-bench-sim-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        with (
            open(root / "events.jsonl", "wb", buffering=1 << 22) as events,
            open(root / "truth.jsonl", "wb", buffering=1 << 22) as truth,
        ):
            summary = run_simulation(params, events, truth, workers=workers)
        seconds = time.perf_counter() - started
        size = (root / "events.jsonl").stat().st_size
    # ru_maxrss is in KiB on Linux: the largest of this process and its (waited-for) workers.
    peak_kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "bench": "simulate",
        "orders": summary.orders,
        "events": summary.events,
        "seconds": round(seconds, 2),
        "orders_per_s": round(summary.orders / seconds),
        "events_per_s": round(summary.events / seconds),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "workers": workers,
        "events_mb": round(size / 2**20),
    }
