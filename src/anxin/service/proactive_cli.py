"""``anxin service proactive | train-proactive | evaluate-proactive``: pre-identification."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from anxin.cli.options import WHEN, When


def _line(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.command("proactive")
@click.option("--now", type=WHEN, help="score as of this instant [default: now]")
@click.pass_obj
def proactive_cmd(settings: Any, now: When | None) -> None:
    """Score every order for a help request in the next hours; reach each one whose first
    contact has come, once, as `service.proactive` (in the consumer's hall too). One JSON
    line: orders, contacts."""
    from anxin.clock import SystemClock
    from anxin.service.proactive_run import run

    at = now.at(settings.zone()) if now else SystemClock().now()
    report = run(settings.sql_engine(create=False), settings.book(), at)
    _line({"orders": report.orders, "contacts": report.contacts})


@click.command("train-proactive")
@click.argument("events", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="model file (JSON) to write")  # fmt: skip
@click.option("--split-day", type=click.DateTime(["%Y-%m-%d"]),
              help="orders paid from this day (pack time) are held out for the AUC")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.pass_obj
def train_proactive_cmd(
    settings: Any, events: Path, out: Path, split_day: dt.datetime | None, seed: int
) -> None:
    """Train the pre-identification model on a stream (JSON Lines of events; labels are the
    stream's own logistics help requests). One JSON line: the figures."""
    import msgspec

    from anxin.contract.events import AnyEvent
    from anxin.service.proactive_train import train

    book = settings.book()
    decode = msgspec.json.Decoder(AnyEvent).decode
    with events.open("rb") as f:
        stream = [decode(line) for line in f if line.strip()]
    split = None
    if split_day is not None:
        split = split_day.replace(tzinfo=book.latest.calendar.zone)
    model, figures = train(stream, book, split_at=split, seed=seed)
    model = msgspec.structs.replace(
        model, version=dt.datetime.now(dt.UTC).date().isoformat(),
        trained_on={"events": events.name, "split_day": split_day.date().isoformat()
                    if split_day else None, **figures},
    )  # fmt: skip
    out.write_bytes(msgspec.json.format(msgspec.json.encode(model), indent=2) + b"\n")
    _line({"model": str(out), **figures})


@click.command("evaluate-proactive")
@click.option("--scale", default="demo", show_default=True, help="simulator preset")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--days", type=int, help="simulated days [default: the preset's]")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a model from train-proactive [default: the one shipped]")  # fmt: skip
@click.pass_obj
def evaluate_proactive_cmd(
    settings: Any, scale: str, seed: int, days: int | None, model_path: Path | None
) -> None:
    """The default simulated world without anxin's outreach and the same seeded world with it:
    one JSON line with reach, logistics help requests per 1,000 orders without and with, and
    the reduction (beside Douyin's 50 %)."""
    import msgspec

    from anxin.application import load_policy
    from anxin.service.proactive import ProactiveModel, packaged_model
    from anxin.service.proactive_eval import compare, worlds
    from anxin.sim.params import preset

    params = preset(scale, seed=seed, **({"days": days} if days else {}))
    model = (msgspec.json.decode(model_path.read_bytes(), type=ProactiveModel)
             if model_path else packaged_model())  # fmt: skip
    without, with_ = worlds(params, load_policy(params.pack), model)
    _line({"scale": scale, "seed": seed, "model": model.version,
           **compare(without.helps, with_.helps, with_.contacts, with_.orders)})  # fmt: skip
