"""``anxin refunds …``: train, evaluate, decide, project, shadow-report. One JSON line each.

Loaded only when named (``cli.main.LAZY_COMMANDS``): LightGBM is imported by ``train`` and
``evaluate`` alone, never by ``anxin --help`` or the decision path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import msgspec

TRAIN_DAYS = 20
SEED = 1


def _echo(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, sort_keys=False, default=str))


@click.group("refunds")
def refunds_group() -> None:
    """Instant refunds: train the risk model, evaluate it, decide requests, shadow reports."""


@refunds_group.command("train")
@click.argument("events", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="where to write the model artefact (JSON)")  # fmt: skip
@click.option("--train-days", default=TRAIN_DAYS, show_default=True,
              help="train on requests of the world's first N days")  # fmt: skip
@click.option("--seed", default=SEED, show_default=True)
def train_cmd(events: str, out_path: str, train_days: int, seed: int) -> None:
    """Train the risk model from a world's event stream (labels from the stream only)."""
    from anxin.refunds import model as m
    from anxin.refunds.dataset import build, read_events, split

    data = build(read_events(events))
    train, _ = split(data, train_days)
    rows = [r for r in train if r.y is not None]
    if not rows or not any(r.y for r in rows):
        raise click.ClickException(
            f"{len(rows)} labelled requests, none abusive, in the first {train_days} days"
        )
    model = m.train([r.x for r in rows], [int(r.y or 0) for r in rows], seed=seed,
                    train_days=train_days, world=Path(events).name)  # fmt: skip
    m.save(model, out_path)
    _echo({"model": out_path, "version": model.version, "train_rows": len(rows),
           "train_positives": model.meta.train_positives, "train_days": train_days,
           "seed": seed})  # fmt: skip


@refunds_group.command("evaluate")
@click.argument("events", type=click.Path(exists=True, dir_okay=False))
@click.argument("truth", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False),
              help="a trained artefact [default: train one on the first --train-days]")  # fmt: skip
@click.option("--train-days", default=TRAIN_DAYS, show_default=True,
              help="requests from this day on are held out")  # fmt: skip
@click.option("--seed", default=SEED, show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="write the coverage-versus-loss curve (PNG)")  # fmt: skip
@click.pass_obj
def evaluate_cmd(
    settings: Any,
    events: str,
    truth: str,
    model_path: str | None,
    train_days: int,
    seed: int,
    plot_path: str | None,
) -> None:
    """Decide the held-out days' requests and score them against the ground truth."""
    from anxin.application import load_policy
    from anxin.refunds import evaluate as ev
    from anxin.refunds import model as m
    from anxin.refunds.dataset import build, read_events, split

    data = build(read_events(events))
    train, test = split(data, train_days)
    if model_path:
        model = m.load(model_path)
    else:
        rows = [r for r in train if r.y is not None]
        model = m.train([r.x for r in rows], [int(r.y or 0) for r in rows], seed=seed,
                        train_days=train_days)  # fmt: skip
    book = load_policy(settings.pack if settings else "douyin")
    abusive = ev.abusive_requests(truth)
    verdicts = ev.verdicts(test, book, model)
    f = ev.figures(test, verdicts, abusive)
    scores = [model.score(r.x) for r in test]
    points = ev.sweep(test, book, model, abusive)
    if plot_path:
        ev.plot(points, f, plot_path)
    best = ev.best_at(points, 0.002)
    _echo({
        "coverage": round(f.coverage, 4),
        "loss_rate": round(f.loss_rate, 5),
        "loss_rate_after_recovery": round(f.loss_rate_after_recovery, 5),
        "auc": round(ev.auc(scores, [r.case.aftersale_id in abusive for r in test]), 4),
        "requests": f.requests,
        "instant": f.instant,
        "held_out_from_day": train_days,
        "model_version": model.version,
        "best_at_loss_0.002": best,
        "sweep": points,
    })  # fmt: skip


@refunds_group.command("project")
@click.pass_obj
def project_cmd(settings: Any) -> None:
    """Rebuild the consumer-history read model from the store's event log."""
    from anxin.refunds.service import project

    _echo(project(settings.sql_engine(create=False)))


@refunds_group.command("decide")
@click.argument("request_file", default="-", type=click.File("rb"))
@click.option(
    "--model",
    "model_path",
    envvar="ANXIN_REFUND_MODEL",
    type=click.Path(exists=True, dir_okay=False),
    help="the live model artefact",
)
@click.option("--candidate-model", type=click.Path(exists=True, dir_okay=False),
              help="a candidate model deciding in shadow (stored, never executed)")  # fmt: skip
@click.option("--candidate-pack", help="a candidate pack deciding in shadow")
@click.pass_obj
def decide_cmd(
    settings: Any,
    request_file: Any,
    model_path: str | None,
    candidate_model: str | None,
    candidate_pack: str | None,
) -> None:
    """Decide one request (JSON in, as POST /v1/refunds/decide; JSON out)."""
    from anxin.clock import SystemClock
    from anxin.refunds.model import load
    from anxin.refunds.service import DecideBody, Decider, RefundService, UnknownOrder

    try:
        body = msgspec.json.decode(request_file.read(), type=DecideBody)
    except msgspec.DecodeError as exc:
        raise click.ClickException(f"bad request: {exc}") from None
    book = settings.book()
    live = Decider(book, load(model_path) if model_path else None)
    candidate = None
    if candidate_model or candidate_pack:
        from anxin.cli.main import load_policy

        candidate = Decider(
            load_policy(candidate_pack) if candidate_pack else book,
            load(candidate_model) if candidate_model else live.model,
            shadow=True,
        )
    svc = RefundService(settings.sql_engine(create=False), live, candidate)
    try:
        view = svc.decide(body, SystemClock().now())
    except UnknownOrder:
        raise click.ClickException(f"no order {body.order_id!r} in the store") from None
    sys.stdout.write(msgspec.json.encode(view).decode() + "\n")


@refunds_group.command("shadow-report")
@click.pass_obj
def shadow_report_cmd(settings: Any) -> None:
    """Live versus candidate decisions: agreement, coverage, loss on labelled outcomes."""
    from anxin.refunds.shadow import report

    _echo(report(settings.sql_engine(create=False)))


@click.command("refunds")
@click.option("--orders", default=3_000, show_default=True, help="orders in the simulated world")
@click.option("--decisions", default=3_000, show_default=True, help="decisions timed")
@click.option("--seed", default=7, show_default=True)
def bench_refunds(orders: int, decisions: int, seed: int) -> None:
    """Instant-refund decisions: in-process p99, and per second through one serve process
    beside a bare endpoint of the same app."""
    from anxin.bench.refunds import run

    _echo(run(orders, decisions, seed))
