"""Training the pre-identification model (edge: a stream in, a model file out).

Samples are the orders of a stream at ticks every ``step_hours`` from payment (a random phase
per order) until the order's first logistics help request, its delivery or cancellation, or the
end of the watch; a sample is positive when that first request falls within the pack's horizon
after its tick. Labels come from the stream (the consumer's own words and complaints), never
from a simulator's truth; the days after ``split_day`` are held out for the reported AUC.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from anxin.contract import events as ev
from anxin.domain.order import OrderState
from anxin.policy.pack import PolicyBook
from anxin.service.outreach import fold, settings_of, ship_by
from anxin.service.proactive import (
    FEATURES,
    ProactiveModel,
    ProactiveSettings,
    epoch,
    features,
    watched,
)


def help_requests(
    events: Iterable[ev.Event], settings: ProactiveSettings
) -> dict[str, dt.datetime]:
    """Each order's first logistics help request in the stream."""
    words = tuple(w.lower() for w in settings.help_words)
    first: dict[str, dt.datetime] = {}

    def seen(order_id: str | None, at: dt.datetime) -> None:
        if order_id is not None and (order_id not in first or at < first[order_id]):
            first[order_id] = at

    for e in events:
        if isinstance(e, ev.ChatMessage):
            p = e.payload
            if p.sender == "consumer" and any(w in p.text.lower() for w in words):
                seen(p.order_id, e.occurred_at)
        elif isinstance(e, ev.ComplaintFiled) and e.payload.topic in settings.help_topics:
            seen(e.payload.order_id, e.occurred_at)
    return first


@dataclass
class Samples:
    x: list[list[float]]
    y: list[int]
    held_out: list[bool]


def samples(
    states: dict[str, OrderState],
    helps: dict[str, dt.datetime],
    book: PolicyBook,
    *,
    step_hours: float = 4.0,
    split_at: dt.datetime | None = None,
    seed: int = 0,
) -> Samples:
    rng = random.Random(seed)
    out = Samples([], [], [])
    step = dt.timedelta(hours=step_hours)
    for oid in sorted(states):
        s = states[oid]
        if s.paid_at is None:
            continue
        pack = book.in_force_or_first(s.paid_at)
        settings = settings_of(pack)
        due = ship_by(s, pack)
        if due is None:
            continue
        horizon = dt.timedelta(hours=settings.horizon_hours)
        asked = helps.get(oid)
        stop = s.paid_at + dt.timedelta(days=settings.watch_days)
        if asked is not None:
            stop = min(stop, asked)
        w = watched(s, due, settings.watch_days)
        if w is None:
            continue
        t = s.paid_at + step * rng.random()
        held = split_at is not None and s.paid_at >= split_at
        while t < stop and epoch(t) < w.end:
            out.x.append(features(w, epoch(t))[0])
            out.y.append(int(asked is not None and t < asked <= t + horizon))
            out.held_out.append(held)
            t += step
    return out


def train(
    events: list[ev.Event], book: PolicyBook, *, split_at: dt.datetime | None = None, seed: int = 0
) -> tuple[ProactiveModel, dict[str, float]]:
    """A model from a stream, and its figures (AUC on the held-out days when there are any)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    settings = settings_of(book.latest)
    states = fold(events)
    helps = help_requests(events, settings)
    data = samples(states, helps, book, split_at=split_at, seed=seed)
    fit_x = [x for x, h in zip(data.x, data.held_out, strict=True) if not h]
    fit_y = [y for y, h in zip(data.y, data.held_out, strict=True) if not h]
    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit(fit_x, fit_y)
    model = ProactiveModel(
        features=FEATURES,
        coef=tuple(round(float(c), 6) for c in lr.coef_[0]),
        intercept=round(float(lr.intercept_[0]), 6),
    )
    figures: dict[str, float] = {
        "orders": float(len(states)),
        "orders_with_help": float(len(helps)),
        "samples": float(len(fit_y)),
        "positives": float(sum(fit_y)),
    }
    test = [(x, y) for x, y, h in zip(data.x, data.y, data.held_out, strict=True) if h]
    if test and len({y for _, y in test}) == 2:
        scores = [model.probability(x) for x, _ in test]
        figures["held_out_auc"] = round(float(roc_auc_score([y for _, y in test], scores)), 4)
        figures["held_out_samples"] = float(len(test))
    return model, figures
