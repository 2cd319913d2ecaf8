"""Run a simulation: stream events and ground truth as JSON Lines, shard by shard.

Shards are concatenated in index order, so the bytes depend on the params (seed, shards ...)
and never on how many worker processes produced them. With ``workers > 1`` the first shard is
written by this process straight to the output and the others by worker processes to
temporary files, appended afterwards.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from anxin.contract.events import Event
from anxin.sim.content import ContentStandards
from anxin.sim.governance import Governance
from anxin.sim.outreach import Outreach
from anxin.sim.params import SimParams
from anxin.sim.shard import Shard

Progress = Callable[[int], None]  # called with the number of orders just placed


@dataclass
class SimSummary:
    orders: int = 0
    events: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)
    # The last instant in the stream: replay it with an ingest clock at or after this.
    last_event_at: dt.datetime | None = None

    def add(self, other: SimSummary) -> None:
        self.orders += other.orders
        self.events += other.events
        if other.last_event_at is not None and (
            self.last_event_at is None or other.last_event_at > self.last_event_at
        ):
            self.last_event_at = other.last_event_at
        for mine, theirs in (
            (self.events_by_type, other.events_by_type),
            (self.truth, other.truth),
        ):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        self.events_by_type = dict(sorted(self.events_by_type.items()))
        self.truth = dict(sorted(self.truth.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "orders": self.orders,
            "events": self.events,
            "events_by_type": self.events_by_type,
            "truth": self.truth,
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
        }


def iter_events(
    params: SimParams, governance: Governance | None = None, outreach: Outreach | None = None
) -> Iterator[Event]:
    """Every event of the run, in stream order (one process; truth is dropped)."""
    for index in range(params.shards):
        for events, _, _ in Shard(params, index, governance, outreach=outreach).chunks():
            yield from events


def simulate(
    params: SimParams,
    events_out: BinaryIO,
    truth_out: BinaryIO,
    governance: Governance | None = None,
    progress: Progress | None = None,
    *,
    workers: int = 1,
    outreach: Outreach | None = None,
    content_standards: ContentStandards | None = None,
) -> SimSummary:
    """Write the run's events and ground truth (JSON Lines) and return what was written.
    With an ``outreach`` the run stays in this process (its contacts are collected here)."""
    workers = max(1, min(workers, params.shards))
    if workers == 1 or outreach is not None or content_standards is not None:
        summary = SimSummary()
        for index in range(params.shards):
            summary.add(_run_shard(params, index, governance, events_out, truth_out, progress,
                                   outreach, content_standards))  # fmt: skip
        return summary
    return _simulate_parallel(params, events_out, truth_out, governance, progress, workers)


def _run_shard(
    params: SimParams,
    index: int,
    governance: Governance | None,
    events_out: BinaryIO,
    truth_out: BinaryIO,
    progress: Progress | None,
    outreach: Outreach | None = None,
    content_standards: ContentStandards | None = None,
) -> SimSummary:
    encode_lines = msgspec.json.Encoder().encode_lines
    by_type: Counter[type] = Counter()
    by_kind: Counter[type] = Counter()
    orders = events = 0
    shard = Shard(params, index, governance, outreach=outreach,
                  content_standards=content_standards)  # fmt: skip
    for evs, truth, placed in shard.chunks():
        if evs:
            events_out.write(encode_lines(evs))
            by_type.update(map(type, evs))
            events += len(evs)
        if truth:
            truth_out.write(encode_lines(truth))
            by_kind.update(map(type, truth))
        orders += placed
        if progress is not None and placed:
            progress(placed)
    return SimSummary(
        orders=orders,
        events=events,
        events_by_type=dict(sorted((_tag(t), n) for t, n in by_type.items())),
        truth=dict(sorted((_tag(t), n) for t, n in by_kind.items())),
        last_event_at=shard.orders.latest,
    )


def _tag(cls: type) -> str:
    return str(cls.__struct_config__.tag)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ worker processes


def _worker(
    params: SimParams,
    index: int,
    governance: Governance | None,
    directory: str,
    counter: Synchronized[int],
) -> SimSummary:
    def advance(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    base = Path(directory) / f"shard-{index}"
    with (
        open(f"{base}.events", "wb", buffering=1 << 22) as e,
        open(f"{base}.truth", "wb", buffering=1 << 22) as t,
    ):
        return _run_shard(params, index, governance, e, t, advance)


def _simulate_parallel(
    params: SimParams,
    events_out: BinaryIO,
    truth_out: BinaryIO,
    governance: Governance | None,
    progress: Progress | None,
    workers: int,
) -> SimSummary:
    from concurrent.futures import ProcessPoolExecutor

    # Fork shares the merchant tables and needs no re-import; callers keep no threads running
    # (the CLI's progress bar refreshes without a thread). Spawn where fork does not exist.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    events_out.flush()  # a forked child must not inherit unwritten bytes
    truth_out.flush()
    counter: Synchronized[int] = ctx.Value("q", 0)
    seen = 0

    def poll() -> None:
        nonlocal seen
        if progress is not None:
            now = counter.value
            if now > seen:
                progress(now - seen)
                seen = now

    def local(n: int) -> None:
        if progress is not None:
            progress(n)
        poll()

    with (
        tempfile.TemporaryDirectory(prefix="anxin-sim-") as directory,
        ProcessPoolExecutor(
            max_workers=workers - 1, mp_context=ctx, initializer=_init_counter, initargs=(counter,)
        ) as pool,
    ):
        futures = [
            pool.submit(_worker_entry, params, index, governance, directory)
            for index in range(1, params.shards)
        ]
        summary = _run_shard(params, 0, governance, events_out, truth_out, local)
        while not all(f.done() for f in futures):
            poll()
            time.sleep(0.1)
        poll()
        for index, future in enumerate(futures, start=1):
            summary.add(future.result())
            base = os.path.join(directory, f"shard-{index}")
            for suffix, out in ((".events", events_out), (".truth", truth_out)):
                _append(base + suffix, out)
                os.unlink(base + suffix)
    return summary


def _append(path: str, out: BinaryIO) -> None:
    """Append a shard's file to ``out``: in the kernel when both are files, else by chunks."""
    with open(path, "rb") as f:
        try:
            dst = out.fileno()
            out.flush()
            size = os.fstat(f.fileno()).st_size
            while size > 0:
                done = os.copy_file_range(f.fileno(), dst, size)
                if done == 0:
                    break
                size -= done
            else:
                return
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
            pass
        shutil.copyfileobj(f, out, 1 << 24)


_COUNTER: list[Synchronized[int]] = []  # the worker's shared progress counter


def _init_counter(counter: Synchronized[int]) -> None:
    _COUNTER.append(counter)


def _worker_entry(
    params: SimParams, index: int, governance: Governance | None, directory: str
) -> SimSummary:
    return _worker(params, index, governance, directory, _COUNTER[0])
