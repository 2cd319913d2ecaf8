"""``anxin screen FILE``: listings in (JSON array, JSON Lines or CSV), one JSON line per
listing out with its verdict and every hit (rule, field, span, text, why)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from anxin.cli.options import WHEN, When


class _FileOrCommand(click.Group):
    """``anxin screen FILE`` screens a file; ``anxin screen <command>`` runs a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


@click.group("screen", cls=_FileOrCommand)
def screen_group() -> None:
    """Screen listings against the pack's rules (one JSON line per listing)."""


@screen_group.command("file", hidden=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--format", "fmt", type=click.Choice(["auto", "json", "csv"]), default="auto",
    show_default=True, help="auto: the file's extension, else its first character",
)  # fmt: skip
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False),
              help="a model from `anxin screen train`: the stricter of its verdict and the "
                   "rules' (trusted paths only: it is unpickled)")  # fmt: skip
@click.pass_obj
def file_cmd(settings: Any, file: str, fmt: str, model_dir: str | None) -> None:
    """Screen FILE (``-``: standard input)."""
    from anxin.screening.listing import ListingError, parse_csv, parse_json
    from anxin.screening.screen import screen_all

    text = sys.stdin.read() if file == "-" else Path(file).read_text("utf-8")
    text = text.removeprefix("\ufeff")
    if fmt == "auto":
        fmt = "csv" if file.endswith(".csv") else "json" if file.endswith((".json", ".jsonl")) \
            else "json" if text.lstrip()[:1] in ("[", "{") else "csv"  # fmt: skip
    try:
        listings = parse_json(text) if fmt == "json" else list(parse_csv(text))
    except ListingError as e:
        raise click.ClickException(f"{file}: {e}") from None
    pack = settings.book().latest
    screened = screen_all(listings, pack)
    if model_dir is not None:
        from anxin.screening.model import load
        from anxin.screening.screen import with_model

        opinions = load(Path(model_dir)).opinions(listings)
        screened = [with_model(s, o.verdict, o.probability)
                    for s, o in zip(screened, opinions, strict=True)]  # fmt: skip
    for got in screened:
        click.echo(json.dumps(got.to_dict(), ensure_ascii=False))


@screen_group.command("feedback")
@click.option("--now", type=WHEN, help="judge as of this instant [default: now]")
@click.pass_obj
def feedback_cmd(settings: Any, now: When | None) -> None:
    """Listings whose orders came back for quality or drew 1-2 star reviews, smoothed toward
    their category: warn, de-rank or delist, each sent once as `listing.feedback_action`.
    One JSON line per action."""
    from anxin.clock import SystemClock
    from anxin.screening.feedback_record import violation_id
    from anxin.screening.feedback_run import run

    at = now.at(settings.zone()) if now else SystemClock().now()
    for j in run(settings.sql_engine(create=False), settings.book(), at):
        click.echo(json.dumps({
            "listing_id": j.listing_id, "merchant_id": j.merchant_id, "action": j.action,
            "violation_id": violation_id(j),
            "measure": j.measure, "rate": round(j.rate, 4), "smoothed": round(j.smoothed, 4),
            "category_mean": round(j.category_mean, 4), "orders": j.orders,
            "explanation": {"zh": j.explanation.zh, "en": j.explanation.en},
        }, ensure_ascii=False))  # fmt: skip


@screen_group.command("shops")
@click.option("--now", type=WHEN, help="as of this instant [default: now]")
@click.option("--merchant", help="one merchant's")
@click.pass_obj
def shops_cmd(settings: Any, now: When | None, merchant: str | None) -> None:
    """Each shop's quality-return rate and 1-2 star share over the feedback window, smoothed
    toward what its category mix would have; one JSON line each."""
    import dataclasses

    from anxin.clock import SystemClock
    from anxin.screening.feedback_run import shops

    at = now.at(settings.zone()) if now else SystemClock().now()
    for x in shops(settings.sql_engine(create=False), settings.book(), at, merchant):
        click.echo(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                               for k, v in dataclasses.asdict(x).items()}))  # fmt: skip


@screen_group.command("creators")
@click.option("--now", type=WHEN, help="as of this instant [default: now]")
@click.pass_obj
def creators_cmd(settings: Any, now: When | None) -> None:
    """Each creator's content quality (for a recommender): the share of its content-driven
    orders that drew a 1-2 star review or a quality return, smoothed; one JSON line each."""
    from anxin.clock import SystemClock
    from anxin.screening.feedback_run import creators

    at = now.at(settings.zone()) if now else SystemClock().now()
    for x in creators(settings.sql_engine(create=False), settings.book(), at):
        click.echo(json.dumps({"creator_id": x.creator_id, "contents": x.contents,
                               "orders": x.orders, "negative": x.negative,
                               "negative_rate": round(x.negative_rate, 4),
                               "smoothed": round(x.smoothed, 4), "score": x.score}))  # fmt: skip


@screen_group.command("evaluate-content")
@click.option("--scale", default="demo", show_default=True, help="simulator preset")
@click.option("--seed", default=1, show_default=True, type=int)
@click.pass_obj
def evaluate_content_cmd(settings: Any, scale: str, seed: int) -> None:
    """The default world without content standards and the same seeded world with them: one
    JSON line with the 1-2 star share of content-driven orders' reviews in each, beside
    Douyin's -52 %."""
    from anxin.application import load_policy
    from anxin.screening.content_eval import evaluate
    from anxin.sim.params import preset

    params = preset(scale, seed=seed)
    click.echo(json.dumps({"scale": scale, "seed": seed,
                           **evaluate(params, load_policy(params.pack))}))  # fmt: skip


def _flipkart() -> Path | None:
    from anxin.data import data_path
    from anxin.screening.evaluate import FLIPKART

    path = data_path(FLIPKART)
    return path if path.is_file() else None


@screen_group.command("train")
@click.argument("data", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help="the model's directory (pipeline.joblib, model.json)")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True)
def train_cmd(data: tuple[str, ...], out: str, seed: int) -> None:
    """Train the screening model on labelled CSV files DATA (id, label, reason, category,
    title[, description, attributes]; docs/screening-labelling-guide.md); without DATA, on the
    built-in training set (hand-labelled rows not held out, the simulator's training seed, and
    a Flipkart sample when the shared data is there). One JSON line: the model's metadata."""
    from anxin.screening.evaluate import training_rows
    from anxin.screening.labels import read_labelled
    from anxin.screening.model import save, train

    if data:
        try:
            rows = [r for d in data for r in read_labelled(Path(d).read_text("utf-8"), d)]
        except ValueError as e:
            raise click.ClickException(str(e)) from None
    else:
        rows = training_rows(seed, _flipkart())
    try:
        model = train(rows, seed)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    save(model, Path(out))
    click.echo(json.dumps({"out": out, **model.meta}, ensure_ascii=False))


@screen_group.command("evaluate")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False),
              help="a model from `anxin screen train` [default: trained here, seeded, on the "
                   "built-in training set]")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True)
@click.pass_obj
def evaluate_cmd(settings: Any, model_dir: str | None, seed: int) -> None:
    """Intercept recall and false-interception rate of the rules, the model and both, on the
    hand-labelled rows held out from training, on the simulator's evaluation seed and on a
    Flipkart sample (skipped, and said so, without the shared data). One JSON line."""
    from anxin.screening.evaluate import evaluate, training_rows
    from anxin.screening.model import load, train

    flipkart = _flipkart()
    if model_dir is not None:
        model = load(Path(model_dir))
    else:
        model = train(training_rows(seed, flipkart), seed)
    report = evaluate(settings.book().latest, model, flipkart, seed)
    report["model"] = {k: model.meta.get(k) for k in ("version", "rows", "sources", "seed")}
    report["model"]["trained_here"] = model_dir is None
    click.echo(json.dumps(report, ensure_ascii=False))


def _register() -> None:  # the store-side run and the review queue live in their own module
    from anxin.screening.review_cli import review_group, run_cmd

    screen_group.add_command(run_cmd)
    screen_group.add_command(review_group)


_register()
